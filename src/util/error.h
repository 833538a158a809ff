/* One error convention for all of hull.
 *
 * A fallible function takes `struct hull_error **err` as its last argument, returns a negative value on
 * failure (the negated errno when there is one, else -1) and fills *err.  Callers that add context do
 * `return hull_error_wrap(err, "mount `%s`", dest);`, so the message grows on its way up and the command
 * line prints it once, as one line: "create `web`: mount `/proc`: Permission denied".
 */
#ifndef HULL_UTIL_ERROR_H
#define HULL_UTIL_ERROR_H

#include <errno.h>
#include <stdarg.h>

struct hull_error {
	int errnum;    /* errno value, 0 when the cause is not a system error */
	char *message; /* full chain of context, without a trailing newline */
};

/* Sets *err (freeing any previous one) to "<fmt>: strerror(errnum)" and returns -errnum (or -1). */
int hull_error_set(struct hull_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As hull_error_set, but the message already names the cause: nothing is appended. */
int hull_error_fail(struct hull_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Invalid input (EINVAL); the message says what is wrong and where. */
#define hull_error_invalid(err, ...) hull_error_fail((err), EINVAL, __VA_ARGS__)

/* As hull_error_set, with errno as the cause. */
#define hull_error_errno(err, ...) hull_error_set((err), errno, __VA_ARGS__)

/* Prepends "<fmt>: " to the message of *err and returns its negative errno (or -1). */
int hull_error_wrap(struct hull_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value a function returns for *err: -errnum or -1. */
int hull_error_code(const struct hull_error *err);

void hull_error_free(struct hull_error **err);

#define cleanup_error __attribute__((cleanup(hull_error_free)))

#endif
