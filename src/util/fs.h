/* Small file helpers.  Everything takes a directory descriptor so that callers decide where a path is
 * resolved; AT_FDCWD is fine for host paths the runtime owns (its state directory, /proc). */
#ifndef HULL_UTIL_FS_H
#define HULL_UTIL_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Reads a whole file into a NUL-terminated buffer. */
int fs_read_file(int dirfd, const char *path, char **out, size_t *len, struct hull_error **err);
/* The same from an open descriptor (what names it in errors). */
int fs_read_fd(int fd, const char *what, char **out, size_t *len, struct hull_error **err);

/* Writes data to an existing file (for /proc and /sys knobs): one write, no truncation games. */
int fs_write_file(int dirfd, const char *path, const char *data, size_t len, struct hull_error **err);

/* Replaces path with data atomically for readers: a temporary file in the same directory, then rename.
 * Not fsync'd: this is for runtime state under /run, which does not outlive a crash anyway, and an fsync
 * per write cost several milliseconds per container on ext4. */
int fs_write_file_atomic(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
			 struct hull_error **err);

/* mkdir -p for host paths. */
int fs_mkdir_parents(const char *path, mode_t mode, struct hull_error **err);

/* rm -rf of a directory the runtime owns, without following symlinks. */
int fs_remove_tree(int dirfd, const char *path, struct hull_error **err);

#endif
