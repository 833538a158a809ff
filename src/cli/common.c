#include "cli/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* A quoted name (`...`) longer than a line can show keeps its start and its end: a 4000-byte path in an
 * error would otherwise push the cause off every screen and log viewer. */
#define QUOTE_KEEP 60
static void shorten_quotes(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < size;) {
		const char *end = *p == '`' ? strchr(p + 1, '`') : NULL;
		if (end && (size_t)(end - p - 1) > 3 * QUOTE_KEEP) {
			o += (size_t)snprintf(out + o, size - o, "`%.*s...%.*s`", QUOTE_KEEP, p + 1,
					      QUOTE_KEEP, end - QUOTE_KEEP);
			p = end + 1;
		} else {
			out[o++] = *p++;
		}
		if (o >= size)
			o = size - 1;
	}
	out[o] = '\0';
}

int cli_fail(struct hull_error **err)
{
	const char *msg = *err && (*err)->message ? (*err)->message : "failed";
	char *shown = malloc(strlen(msg) + 1);

	if (shown) {
		shorten_quotes(msg, shown, strlen(msg) + 1);
		msg = shown;
	}
	hull_log_error("%s", msg);
	free(shown);
	hull_error_free(err);
	return 1;
}

int cli_usage_errorv(const char *program, const char *command, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	hull_log_error("%s: %s (see `%s %s --help`)", command, msg ? msg : "invalid usage", program, command);
	free(msg);
	return 1;
}

bool cli_help_requested(const char *summary, const char *help, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s\n\n%s", summary, help);
			return true;
		}
	}
	return false;
}
