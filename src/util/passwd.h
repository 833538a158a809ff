/* passwd- and group-style files (/etc/passwd, /etc/group) of a container or an image.  Their text is the
 * image's: lines of any length, missing fields, no final newline.  Nothing here trusts their shape. */
#ifndef HULL_UTIL_PASSWD_H
#define HULL_UTIL_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWD_MAX_FIELDS 7

/* One line split at ':' (empty fields kept); fields past the line's end are NULL. */
struct passwd_line {
	char *field[PASSWD_MAX_FIELDS];
	char buf[1024]; /* a longer line is skipped, never cut */
};

/* A user or group id as text: decimal digits only, and below 4294967295, which is (uid_t)-1: setuid and
 * setgid read it as "leave unchanged", so a process given it would keep the runtime's root.  false when
 * the text is anything else. */
bool passwd_parse_id(const char *text, unsigned *out);

/* Finds the first line whose field number key_field equals key (0: name, 2: id). */
bool passwd_find(const char *text, size_t key_field, const char *key, struct passwd_line *out);

/* Reads a small regular file (the open descriptor's), refusing FIFOs, devices and anything over 4 MiB
 * that an image could plant to hang or exhaust the runtime; NULL when it cannot. */
char *passwd_read_fd(int fd);

/* HOME for uid from the passwd file at path (in the caller's root): the entry's home, "/" without one. */
void passwd_home(const char *path, unsigned uid, char *home, size_t len);

#endif
