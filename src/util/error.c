#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

static char *format_message(const char *fmt, va_list ap)
{
	char *out = NULL;
	if (vasprintf(&out, fmt, ap) < 0)
		return NULL;
	return out;
}

int hull_error_code(const struct hull_error *err)
{
	return err && err->errnum > 0 ? -err->errnum : -1;
}

void hull_error_free(struct hull_error **err)
{
	if (err == NULL || *err == NULL)
		return;
	free((*err)->message);
	free(*err);
	*err = NULL;
}

static int error_setv(struct hull_error **err, int errnum, int with_cause, const char *fmt, va_list ap)
{
	char *what;

	if (err == NULL)
		return errnum > 0 ? -errnum : -1;
	hull_error_free(err);
	*err = calloc(1, sizeof(**err));
	if (*err == NULL)
		return -ENOMEM;
	(*err)->errnum = errnum;

	what = format_message(fmt, ap);
	if (what != NULL && errnum > 0 && with_cause) {
		if (asprintf(&(*err)->message, "%s: %s", what, strerror(errnum)) < 0)
			(*err)->message = NULL;
		free(what);
	} else {
		(*err)->message = what;
	}
	return hull_error_code(*err);
}

int hull_error_set(struct hull_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_setv(err, errnum, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int hull_error_fail(struct hull_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_setv(err, errnum, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int hull_error_wrap(struct hull_error **err, const char *fmt, ...)
{
	va_list ap;
	char *context, *joined = NULL;

	if (err == NULL || *err == NULL)
		return -1;
	va_start(ap, fmt);
	context = format_message(fmt, ap);
	va_end(ap);
	if (context == NULL)
		return hull_error_code(*err);
	if (asprintf(&joined, "%s: %s", context, (*err)->message ? (*err)->message : "unknown error") >= 0) {
		free((*err)->message);
		(*err)->message = joined;
	}
	free(context);
	return hull_error_code(*err);
}
