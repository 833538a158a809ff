/* hull-runtime's command line: global options, then one command with its own options. */
#ifndef HULL_CLI_RUNTIME_CLI_H
#define HULL_CLI_RUNTIME_CLI_H

#include <stdbool.h>

#include "cli/common.h"
#include "runtime/runtime.h"
#include "util/error.h"

struct cli {
	struct runtime_context rt;
	const char *program;
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *help;      /* usage, options and an example */
	bool starts_processes; /* runs from a sealed copy of the binary (runtime/binary_protect.h) */
};

/* Usage errors: one line naming the command and what is wrong. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True (after printing help) when argv asks for --help. */
bool cli_wants_help(const struct cli_command *cmd, int argc, char **argv);

/* Exactly one positional argument, the container id. */
int cli_take_id(const char *command, int argc, char **argv, int optind_, const char **id);

int cli_parse_int(const char *command, const char *option, const char *text, int *out);

/* create's options, shared with run (which also takes -d and --keep: pass NULL to refuse them). */
int cli_parse_create_options(const char *command, int argc, char **argv, struct create_options *o,
			     bool *detach, bool *keep);

extern const struct cli_command cmd_create, cmd_start, cmd_run, cmd_state, cmd_kill, cmd_delete, cmd_list,
    cmd_spec, cmd_features, cmd_pause, cmd_resume, cmd_update, cmd_ps, cmd_exec, cmd_events;

#endif
