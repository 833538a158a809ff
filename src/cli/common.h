/* What both command lines (hull and hull-runtime) share: one-line errors and --help. */
#ifndef HULL_CLI_COMMON_H
#define HULL_CLI_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* Prints err once as one line and returns the exit status 1. */
int cli_fail(struct hull_error **err);

/* "COMMAND: what is wrong (see `PROGRAM COMMAND --help`)"; returns 1. */
int cli_usage_errorv(const char *program, const char *command, const char *fmt, va_list ap);

/* True (after printing summary and help) when argv asks for --help. */
bool cli_help_requested(const char *summary, const char *help, int argc, char **argv);

#endif
