/* pause, resume, update, ps. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/units.h"

static int run_freeze(struct cli *cli, int argc, char **argv, bool freeze)
{
	const char *command = freeze ? "pause" : "resume";
	struct hull_error *err = NULL;
	const char *id;

	optind = 1;
	opterr = 0;
	if (getopt(argc, argv, "+") != -1)
		return cli_usage_error(command, "unknown option `%s`", argv[optind - 1]);
	if (cli_take_id(command, argc, argv, optind, &id) != 0)
		return 1;
	if ((freeze ? runtime_pause(&cli->rt, id, &err) : runtime_resume(&cli->rt, id, &err)) < 0)
		return cli_fail(&err);
	return 0;
}

static int run_pause(struct cli *cli, int argc, char **argv)
{
	return run_freeze(cli, argc, argv, true);
}

static int run_resume(struct cli *cli, int argc, char **argv)
{
	return run_freeze(cli, argc, argv, false);
}

static int parse_size(const char *option, const char *text, int64_t *out)
{
	if (units_parse_size(text, out) < 0 || *out < -1)
		return cli_usage_error("update", "%s: `%s` is not a size", option, text);
	return 0;
}

/* The flag's place in linux.resources: section, key, and whether it is a size or a plain number/string. */
struct update_flag {
	const char *name, *section, *key;
	char kind; /* 's' size, 'n' number, 't' text */
};

static const struct update_flag flags[] = {
    {"memory", "memory", "limit", 's'},
    {"memory-reservation", "memory", "reservation", 's'},
    {"memory-swap", "memory", "swap", 's'},
    {"kernel-memory", "memory", "kernel", 's'},
    {"kernel-memory-tcp", "memory", "kernelTCP", 's'},
    {"cpu-share", "cpu", "shares", 'n'},
    {"cpu-period", "cpu", "period", 'n'},
    {"cpu-quota", "cpu", "quota", 'n'},
    {"cpu-rt-period", "cpu", "realtimePeriod", 'n'},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", 'n'},
    {"cpuset-cpus", "cpu", "cpus", 't'},
    {"cpuset-mems", "cpu", "mems", 't'},
    {"pids-limit", "pids", "limit", 'n'},
    {"blkio-weight", "blockIO", "weight", 'n'},
};
#define N_FLAGS (sizeof(flags) / sizeof(flags[0]))

static int set_flag(json_object *resources, const struct update_flag *f, const char *text)
{
	json_object *section = NULL, *value;
	char option[48];

	snprintf(option, sizeof(option), "--%s", f->name);
	if (f->kind == 't') {
		value = json_object_new_string(text);
	} else {
		int64_t v = 0;
		char *end;
		if (f->kind == 's') {
			if (parse_size(option, text, &v) != 0)
				return 1;
		} else {
			errno = 0;
			v = strtoll(text, &end, 10);
			if (end == text || *end || errno)
				return cli_usage_error("update", "%s: `%s` is not a number", option, text);
		}
		value = json_object_new_int64(v);
	}
	if (!json_object_object_get_ex(resources, f->section, &section)) {
		section = json_object_new_object();
		json_object_object_add(resources, f->section, section);
	}
	json_object_object_add(section, f->key, value);
	return 0;
}

static int read_resources(const char *path, json_object **out, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;

	if (fs_read_file(AT_FDCWD, strcmp(path, "-") == 0 ? "/dev/stdin" : path, &text, &len, err) < 0)
		return -1;
	return json_parse_text(text, len, strcmp(path, "-") == 0 ? "resources on stdin" : path, out, err);
}

static int run_update(struct cli *cli, int argc, char **argv)
{
	struct option options[N_FLAGS + 2];
	json_object *resources = json_object_new_object();
	const char *file = NULL;
	struct hull_error *err = NULL;
	const char *id;
	int c, status = 0;

	for (size_t i = 0; i < N_FLAGS; i++)
		options[i] = (struct option){flags[i].name, required_argument, NULL, (int)(300 + i)};
	options[N_FLAGS] = (struct option){"resources", required_argument, NULL, 'r'};
	options[N_FLAGS + 1] = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	opterr = 0;
	while (status == 0 && (c = getopt_long(argc, argv, "+r:", options, NULL)) != -1) {
		if (c == 'r')
			file = optarg;
		else if (c >= 300 && c < 300 + (int)N_FLAGS)
			status = set_flag(resources, &flags[c - 300], optarg);
		else
			status = cli_usage_error("update", "unknown option `%s`", argv[optind - 1]);
	}
	if (status == 0)
		status = cli_take_id("update", argc, argv, optind, &id);
	if (status == 0 && file) {
		/* As runc: with --resources the file replaces the flags. */
		json_object_put(resources);
		resources = NULL;
		if (read_resources(file, &resources, &err) < 0) {
			hull_error_wrap(&err, "update `%s`: --resources", id);
			status = cli_fail(&err);
		}
	}
	if (status == 0 && json_object_object_length(resources) == 0)
		status =
		    cli_usage_error("update", "nothing to change: give --resources or a flag like --memory");
	if (status == 0 && runtime_update(&cli->rt, id, resources, &err) < 0)
		status = cli_fail(&err);
	json_object_put(resources);
	return status;
}

static bool contains(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Runs ps with the given arguments and keeps the header and the lines of the container's processes. */
static int print_ps_table(const pid_t *pids, size_t n, char **ps_args, int n_args)
{
	cleanup_free char **argv = calloc(n_args + 3, sizeof(char *));
	int pipefd[2], status, column = -1;
	cleanup_fclose FILE *in = NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	bool header = true;
	pid_t child;

	if (argv == NULL || pipe2(pipefd, O_CLOEXEC) < 0)
		return cli_usage_error("ps", "out of resources");
	argv[0] = "ps";
	for (int i = 0; i < n_args; i++)
		argv[i + 1] = ps_args[i];
	if (n_args == 0)
		argv[1] = "-ef";
	child = fork();
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execvp("ps", argv);
		_exit(127);
	}
	close(pipefd[1]);
	in = fdopen(pipefd[0], "r");
	while (in && getline(&line, &cap, in) > 0) {
		if (header) {
			/* The PID column's position in the header. */
			cleanup_free char *words = strdup(line);
			char *save = NULL, *t = words ? strtok_r(words, " \t\n", &save) : NULL;
			for (int i = 0; t; t = strtok_r(NULL, " \t\n", &save), i++)
				if (strcmp(t, "PID") == 0)
					column = i;
			header = false;
			printf("%s", line);
			continue;
		}
		cleanup_free char *copy = strdup(line);
		char *save = NULL, *t = copy ? strtok_r(copy, " \t\n", &save) : NULL;
		for (int i = 0; t && i < column; i++)
			t = strtok_r(NULL, " \t\n", &save);
		if (t && contains(pids, n, strtol(t, NULL, 10)))
			fputs(line, stdout);
	}
	waitpid(child, &status, 0);
	if (column < 0)
		return cli_usage_error("ps", "the output of `ps` has no PID column");
	return 0;
}

static int run_ps(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	const char *format = "table", *id;
	struct hull_error *err = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:", options, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("ps", "unknown option `%s`", argv[optind - 1]);
		format = optarg;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("ps", "--format: `%s` is not table or json", format);
	if (optind >= argc)
		return cli_usage_error("ps", "missing the container id");
	id = argv[optind];
	if (runtime_pids(&cli->rt, id, &pids, &n, &err) < 0)
		return cli_fail(&err);
	if (strcmp(format, "json") == 0) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, json_object_new_int(pids[i]));
		printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
		json_object_put(a);
		return 0;
	}
	/* Arguments after the id (after an optional "--") go to ps. */
	int first = optind + 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	return print_ps_table(pids, n, argv + first, argc - first);
}

const struct cli_command cmd_pause = {"pause", run_pause, "freeze every process of a container",
				      "Usage: hull-runtime pause ID\n\nExample:\n  hull-runtime pause web\n"};

const struct cli_command cmd_resume = {
    "resume", run_resume, "thaw a paused container",
    "Usage: hull-runtime resume ID\n\nExample:\n  hull-runtime resume web\n"};

const struct cli_command cmd_update = {
    "update", run_update, "change the resource limits of a running container",
    "Usage: hull-runtime update [options] ID\n\n"
    "  -r, --resources FILE      linux.resources as JSON (`-` for stdin); replaces the flags\n"
    "      --memory SIZE         memory limit (k, m, g suffixes; -1 for none)\n"
    "      --memory-reservation SIZE, --memory-swap SIZE (memory+swap), --kernel-memory SIZE,\n"
    "      --kernel-memory-tcp SIZE\n"
    "      --cpu-share N, --cpu-period US, --cpu-quota US, --cpu-rt-period US, --cpu-rt-runtime US\n"
    "      --cpuset-cpus LIST, --cpuset-mems LIST\n"
    "      --pids-limit N        maximum number of processes (0 or -1 for none)\n"
    "      --blkio-weight N      10 to 1000\n\n"
    "Example:\n  hull-runtime update --memory 256m --pids-limit 100 web\n"};

const struct cli_command cmd_ps = {
    "ps", run_ps, "list the processes of a container",
    "Usage: hull-runtime ps [--format table|json] ID [-- PS-ARGUMENTS]\n\n"
    "  -f, --format F   table (the lines of `ps`, default -ef) or json (an array of pids)\n\n"
    "Example:\n  hull-runtime ps --format json web\n"};
