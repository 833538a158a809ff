#include "cli/runtime/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cli_usage_errorv("hull-runtime", command, fmt, ap);
	va_end(ap);
	return ret;
}

bool cli_wants_help(const struct cli_command *cmd, int argc, char **argv)
{
	return cli_help_requested(cmd->summary, cmd->help, argc, argv);
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
