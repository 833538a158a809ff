#include "monitor/log_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util/timefmt.h"

static int open_current(struct log_writer *w)
{
	struct stat st;

	w->fd = open(w->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (w->fd < 0)
		return -errno;
	w->size = fstat(w->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int log_writer_open(struct log_writer *w, const char *path, uint64_t max_size, unsigned max_files)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path))
		return -ENAMETOOLONG;
	w->max_size = max_size;
	w->max_files = max_files ? max_files : 1;
	w->entry = json_object_new_object();
	w->text = json_object_new_string("");
	w->stream = json_object_new_string("stdout");
	w->time = json_object_new_string("");
	if (!w->entry || !w->text || !w->stream || !w->time)
		return -ENOMEM;
	/* The entry owns one reference of each; the writer keeps its own to change them in place. */
	json_object_object_add(w->entry, "log", json_object_get(w->text));
	json_object_object_add(w->entry, "stream", json_object_get(w->stream));
	json_object_object_add(w->entry, "time", json_object_get(w->time));
	return open_current(w);
}

/* FILE.(n-1) -> FILE.n ... FILE -> FILE.1, the oldest dropped, then a new FILE. */
static int rotate(struct log_writer *w)
{
	char from[4128], to[4128];

	close(w->fd);
	w->fd = -1;
	if (w->max_files <= 1) {
		if (truncate(w->path, 0) < 0 && errno != ENOENT)
			return -errno;
		return open_current(w);
	}
	for (unsigned i = w->max_files - 1; i > 0; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", w->path);
		else
			snprintf(from, sizeof(from), "%s.%u", w->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", w->path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	return open_current(w);
}

int log_writer_add(struct log_writer *w, const char *stream, const char *text, size_t len)
{
	char now[64];
	const char *line;
	size_t n;

	if (w->fd < 0)
		return -EBADF;
	timefmt_now(now, sizeof(now));
	if (!json_object_set_string_len(w->text, text, (int)len) ||
	    !json_object_set_string(w->stream, stream) || !json_object_set_string(w->time, now))
		return -ENOMEM;
	line = json_object_to_json_string_length(w->entry,
						 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (line == NULL)
		return -ENOMEM;
	if (w->max_size && w->size > 0 && w->size + n + 1 > w->max_size) {
		int ret = rotate(w);
		if (ret < 0)
			return ret;
	}
	/* One write per entry (O_APPEND): a reader never sees half an entry. */
	struct iovec iov[2] = {{(void *)line, n}, {"\n", 1}};
	for (size_t left = n + 1; left > 0;) {
		ssize_t r = writev(w->fd, iov, 2);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		left -= (size_t)r;
		for (int i = 0; i < 2; i++) {
			size_t take = (size_t)r < iov[i].iov_len ? (size_t)r : iov[i].iov_len;
			iov[i].iov_base = (char *)iov[i].iov_base + take;
			iov[i].iov_len -= take;
			r -= (ssize_t)take;
		}
	}
	w->size += n + 1;
	return 0;
}

void log_writer_close(struct log_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	json_object_put(w->entry);
	json_object_put(w->text);
	json_object_put(w->stream);
	json_object_put(w->time);
	w->entry = w->text = w->stream = w->time = NULL;
}
