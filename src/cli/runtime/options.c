#include "cli/runtime/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

int cli_fail(struct hull_error **err)
{
	hull_log_error("%s", *err && (*err)->message ? (*err)->message : "failed");
	hull_error_free(err);
	return 1;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	hull_log_error("%s: %s (see `hull-runtime %s --help`)", command, msg ? msg : "invalid usage",
		       command);
	free(msg);
	return 1;
}

bool cli_wants_help(const struct cli_command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s\n\n%s", cmd->summary, cmd->help);
			return true;
		}
	}
	return false;
}

int cli_take_id(const char *command, int argc, char **argv, int first, const char **id)
{
	if (first >= argc)
		return cli_usage_error(command, "missing the container id");
	if (argc - first > 1)
		return cli_usage_error(command, "unexpected argument `%s`", argv[first + 1]);
	*id = argv[first];
	return 0;
}

int cli_parse_int(const char *command, const char *option, const char *text, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || end == text || v < 0 || v > 1000000)
		return cli_usage_error(command, "%s: `%s` is not a non-negative number", option, text);
	*out = (int)v;
	return 0;
}
