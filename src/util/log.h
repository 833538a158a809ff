/* Diagnostics for people and for engines.
 *
 * Engines (conmon, containerd's shim) pass `--log FILE --log-format json` and read the last error line of
 * that file to report why a runtime call failed, so errors go to the log file in the requested format and
 * also to stderr as one plain line. */
#ifndef HULL_UTIL_LOG_H
#define HULL_UTIL_LOG_H

#include <stdbool.h>

enum hull_log_format { HULL_LOG_TEXT, HULL_LOG_JSON };

/* Opens the log file (NULL: stderr only); a file that cannot be opened is reported to stderr and gives
 * a negative errno. */
int hull_log_init(const char *program, const char *path, enum hull_log_format format, bool debug);

void hull_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hull_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hull_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool hull_log_debug_enabled(void);

/* The descriptor of the log file, -1 when none: kept out of containers by CLOEXEC. */
int hull_log_fd(void);

#endif
