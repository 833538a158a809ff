/* The container's log in Docker's json-file format: one object per line, {"log": TEXT, "stream":
 * "stdout"|"stderr", "time": RFC 3339 with nanoseconds}, the file renamed to FILE.1, FILE.2, ... when it
 * reaches max_size (0: never).  One reused json-c object per stream: nothing is allocated per line once
 * the longest line has been seen. */
#ifndef HULL_MONITOR_LOG_WRITER_H
#define HULL_MONITOR_LOG_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct log_writer {
	int fd;
	char path[4096];
	uint64_t size, max_size;
	unsigned max_files; /* files kept, the current one included (at least 1) */
	json_object *entry, *text, *stream, *time;
};

int log_writer_open(struct log_writer *w, const char *path, uint64_t max_size, unsigned max_files);
/* One entry; text ends with '\n' unless it is the part of a line too long for one entry. */
int log_writer_add(struct log_writer *w, const char *stream, const char *text, size_t len);
void log_writer_close(struct log_writer *w);

#endif
