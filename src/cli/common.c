#include "cli/common.h"

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
