#include "util/passwd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

#define PASSWD_MAX_SIZE (4u << 20)

bool passwd_parse_id(const char *text, unsigned *out)
{
	unsigned long long v = 0;

	if (text == NULL || *text == '\0' || strlen(text) > 10 || strspn(text, "0123456789") != strlen(text))
		return false;
	v = strtoull(text, NULL, 10);
	if (v >= 4294967295ull)
		return false;
	*out = (unsigned)v;
	return true;
}

bool passwd_find(const char *text, size_t key_field, const char *key, struct passwd_line *out)
{
	if (key_field >= PASSWD_MAX_FIELDS)
		return false;
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line);
		if (len < sizeof(out->buf)) {
			char *p = out->buf;
			memcpy(out->buf, line, len);
			out->buf[len] = '\0';
			/* strsep keeps empty fields (the password is often empty). */
			for (int i = 0; i < PASSWD_MAX_FIELDS; i++)
				out->field[i] = p ? strsep(&p, ":") : NULL;
			if (out->field[key_field] && strcmp(out->field[key_field], key) == 0)
				return true;
		}
		line = *end ? end + 1 : NULL;
	}
	return false;
}

char *passwd_read_fd(int fd)
{
	struct stat st;
	char *text;
	size_t done = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (unsigned long long)st.st_size > PASSWD_MAX_SIZE)
		return NULL;
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL)
		return NULL;
	/* The size read first bounds what is read: a file growing meanwhile is cut there. */
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, text + done, (size_t)st.st_size - done, (off_t)done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	text[done] = '\0';
	return text;
}

void passwd_home(const char *path, unsigned uid, char *home, size_t len)
{
	/* O_NONBLOCK: opening a FIFO planted at the path must not wait for a writer. */
	cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	cleanup_free char *text = fd >= 0 ? passwd_read_fd(fd) : NULL;
	struct passwd_line line;
	char key[16];

	snprintf(home, len, "/");
	snprintf(key, sizeof(key), "%u", uid);
	if (text && passwd_find(text, 2, key, &line) && line.field[5] && line.field[5][0] == '/')
		snprintf(home, len, "%s", line.field[5]);
}
