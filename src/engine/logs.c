/* hull logs: the json-file log read back, rotated files first, optionally followed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "util/cleanup.h"
#include "util/fdio.h"
#include "util/json.h"
#include "util/timefmt.h"

#define MAX_ROTATED    64
#define FOLLOW_POLL_MS 100

/* One entry to its stream; a line that is not an entry is skipped (a log cut by a crash). */
static void emit(const char *line, size_t len, const struct logs_options *o, int out, int err_fd)
{
	json_object *entry = NULL;
	const char *text, *stream;

	if (json_parse_text(line, len, "log", &entry, NULL) < 0)
		return;
	text = json_get_string(entry, "log", NULL);
	stream = json_get_string(entry, "stream", "stdout");
	if (text && (o->since_ns || o->until_ns)) {
		int64_t when;
		/* An entry without a readable time is not within any window. */
		if (timefmt_parse(json_get_string(entry, "time", ""), &when) < 0 ||
		    (o->since_ns && when < o->since_ns) || (o->until_ns && when > o->until_ns))
			text = NULL;
	}
	if (text) {
		int fd = strcmp(stream, "stderr") == 0 ? err_fd : out;
		if (o->timestamps) {
			const char *t = json_get_string(entry, "time", "");
			fd_write_all(fd, t, strlen(t));
			fd_write_all(fd, " ", 1);
		}
		fd_write_all(fd, text, strlen(text));
	}
	json_object_put(entry);
}

struct log_reader {
	char *pending; /* bytes after the last newline */
	size_t len;
};

/* Reads what fd has from where it is; complete lines are emitted (or counted for --tail). */
static void read_entries(int fd, struct log_reader *r, const struct logs_options *o, int out, int err_fd,
			 long skip, long *seen)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *grown = realloc(r->pending, r->len + (size_t)n);
		size_t start = 0;
		if (grown == NULL)
			return;
		r->pending = grown;
		memcpy(r->pending + r->len, buf, (size_t)n);
		r->len += (size_t)n;
		for (size_t i = 0; i < r->len; i++)
			if (r->pending[i] == '\n') {
				if ((*seen)++ >= skip)
					emit(r->pending + start, i - start, o, out, err_fd);
				start = i + 1;
			}
		memmove(r->pending, r->pending + start, r->len - start);
		r->len -= start;
	}
}

static long count_lines(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[65536];
	long lines = 0;
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	return lines;
}

static bool container_ended(struct engine *e, const char *id)
{
	struct app_container c;
	struct app_state st;
	bool ended;

	if (engine_load(e, id, &c, NULL) < 0)
		return true;
	engine_state(e, &c, &st);
	ended = st.status == APP_EXITED || st.status == APP_CREATED;
	app_container_free(&c);
	return ended;
}

int engine_logs(struct engine *e, struct app_container *c, const struct logs_options *o, int out, int err_fd,
		struct hull_error **err)
{
	cleanup_free char *base = engine_path(e, c->id, "container.log");
	char paths[MAX_ROTATED + 1][4200];
	size_t n_paths = 0;
	long total = 0, skip = 0, seen = 0;
	struct log_reader r = {0};
	int fd = -1;

	if (base == NULL)
		return hull_error_set(err, ENOMEM, "logs");
	/* Oldest first: FILE.N ... FILE.1, then FILE. */
	for (int i = MAX_ROTATED; i >= 1; i--) {
		snprintf(paths[n_paths], sizeof(paths[0]), "%s.%d", base, i);
		if (access(paths[n_paths], F_OK) == 0)
			n_paths++;
	}
	snprintf(paths[n_paths++], sizeof(paths[0]), "%s", base);
	if (o->tail >= 0) {
		for (size_t i = 0; i < n_paths; i++)
			total += count_lines(paths[i]);
		skip = total > o->tail ? total - o->tail : 0;
	}
	for (size_t i = 0; i < n_paths; i++) {
		if (fd >= 0)
			close(fd);
		fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		read_entries(fd, &r, o, out, err_fd, skip, &seen);
		r.len = 0;
	}
	/* Following: the current file until the container has ended and nothing more came. */
	while (o->follow && fd >= 0) {
		bool ended = container_ended(e, c->id);
		struct stat st_fd, st_path;
		read_entries(fd, &r, o, out, err_fd, skip, &seen);
		if (ended)
			break;
		/* Rotated under us: carry on in the new file. */
		if (stat(base, &st_path) == 0 && fstat(fd, &st_fd) == 0 && st_path.st_ino != st_fd.st_ino) {
			read_entries(fd, &r, o, out, err_fd, skip, &seen);
			close(fd);
			fd = open(base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			r.len = 0;
			continue;
		}
		poll(NULL, 0, FOLLOW_POLL_MS);
	}
	if (fd >= 0)
		close(fd);
	free(r.pending);
	return 0;
}
