#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

static const char *log_program = "hull";
static int log_fd = -1;
static enum hull_log_format log_format = HULL_LOG_TEXT;
static bool log_debug;

int hull_log_init(const char *program, const char *path, enum hull_log_format format, bool debug)
{
	log_program = program;
	log_format = format;
	log_debug = debug;
	if (path == NULL || *path == '\0')
		return 0;
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log_fd < 0) {
		int saved = errno;
		fprintf(stderr, "%s: open log file `%s`: %s\n", program, path, strerror(saved));
		return -saved;
	}
	return 0;
}

int hull_log_fd(void)
{
	return log_fd;
}

bool hull_log_debug_enabled(void)
{
	return log_debug;
}

static void write_to_file(const char *level, const char *msg)
{
	char stamp[64];
	struct timespec ts;
	struct tm tm;
	char *line = NULL;
	int len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);

	if (log_format == HULL_LOG_JSON) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(stamp));
		len = asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		len = asprintf(&line, "%s %s: %s\n", stamp, level, msg);
	}
	if (len > 0 && write(log_fd, line, len) < 0) {
		/* Nothing better to do: the message still goes to stderr. */
	}
	free(line);
}

/* Writes one message: to the log file when there is one, and to stderr for errors and warnings (and for
 * debug output when no log file takes it). */
static void log_message(const char *level, const char *fmt, va_list ap)
{
	bool is_debug = strcmp(level, "debug") == 0;
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (log_fd >= 0)
		write_to_file(level, msg);
	if (strcmp(level, "error") == 0)
		fprintf(stderr, "%s: %s\n", log_program, msg);
	else if (!is_debug || log_fd < 0)
		fprintf(stderr, "%s: %s: %s\n", log_program, level, msg);
	free(msg);
}

#define DEFINE_LOG_FUNCTION(name, level, enabled)                                                            \
	void name(const char *fmt, ...)                                                                      \
	{                                                                                                    \
		va_list ap;                                                                                  \
		if (!(enabled))                                                                              \
			return;                                                                              \
		va_start(ap, fmt);                                                                           \
		log_message(level, fmt, ap);                                                                 \
		va_end(ap);                                                                                  \
	}

DEFINE_LOG_FUNCTION(hull_log_error, "error", true)
DEFINE_LOG_FUNCTION(hull_log_warning, "warning", true)
DEFINE_LOG_FUNCTION(hull_log_debug, "debug", log_debug)
