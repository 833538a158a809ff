/* hull ps, stop, kill, rm, logs and `container` (the same under podman's spelling, and the monitor's
 * cleanup). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "engine/volumes.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/json.h"

/* Seconds since an RFC 3339 time (UTC), -1 when it cannot be read. */
static long long seconds_since(const char *when)
{
	struct tm tm = {0};

	if (when == NULL || *when == '\0' || strptime(when, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return -1;
	return (long long)(time(NULL) - timegm(&tm));
}

/* "5 seconds", "About a minute", "3 hours": Docker's way of saying how long. */
static void human_duration(long long s, char *buf, size_t size)
{
	if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s < 60)
		snprintf(buf, size, "%lld second%s", s, s == 1 ? "" : "s");
	else if (s < 120)
		snprintf(buf, size, "About a minute");
	else if (s < 3600)
		snprintf(buf, size, "%lld minutes", s / 60);
	else if (s < 7200)
		snprintf(buf, size, "About an hour");
	else if (s < 172800)
		snprintf(buf, size, "%lld hours", s / 3600);
	else
		snprintf(buf, size, "%lld days", s / 86400);
}

static void status_text(const struct app_state *st, char *buf, size_t size)
{
	char d[64];

	switch (st->status) {
	case APP_CREATED:
		snprintf(buf, size, "Created");
		break;
	case APP_RUNNING:
	case APP_PAUSED:
		human_duration(seconds_since(st->started_at), d, sizeof(d));
		snprintf(buf, size, "Up %s%s", d, st->status == APP_PAUSED ? " (Paused)" : "");
		break;
	case APP_EXITED:
		human_duration(seconds_since(st->finished_at), d, sizeof(d));
		if (st->exit_code < 0)
			snprintf(buf, size, "Exited (unknown)");
		else
			snprintf(buf, size, "Exited (%d) %s ago", st->exit_code, d);
		break;
	}
}

static void command_text(const struct app_container *c, char *buf, size_t size)
{
	json_object *config = NULL, *cmd = NULL;
	size_t len = 0;

	buf[0] = '\0';
	json_object_object_get_ex(c->doc, "Config", &config);
	json_object_object_get_ex(config, "Cmd", &cmd);
	for (size_t i = 0; cmd && i < json_object_array_length(cmd) && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "",
					json_object_get_string(json_object_array_get_idx(cmd, i)));
}

static int run_ps(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	struct app_container *list;
	size_t n;
	bool all = false, quiet = false, no_trunc = false, json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+aq", options, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'T')
			no_trunc = true;
		else if (c == 'f' && strcmp(optarg, "json") == 0)
			json = true;
		else if (c == 'f')
			return hull_usage_error("ps", "--format: `%s` is not supported (json is)", optarg);
		else
			return hull_usage_error("ps", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return hull_usage_error("ps", "takes no arguments");
	if (hull_open_engine(cli, &store, &e, &err) < 0 || engine_list(&e, &list, &n, &err) < 0)
		return cli_fail(&err);
	if (!quiet && !json)
		printf("%-12s  %-20s  %-22s  %-18s  %-24s  %s\n", "CONTAINER ID", "IMAGE", "COMMAND",
		       "CREATED", "STATUS", "NAMES");
	for (size_t i = 0; i < n; i++) {
		struct app_state st;
		char status[96], command[256], created[64], quoted[32];
		engine_state(&e, &list[i], &st);
		if (!all && st.status != APP_RUNNING && st.status != APP_PAUSED)
			continue;
		if (quiet) {
			printf("%.*s\n", no_trunc ? ENGINE_ID_LEN : 12, list[i].id);
			continue;
		}
		status_text(&st, status, sizeof(status));
		command_text(&list[i], command, sizeof(command));
		if (json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "ID", json_object_new_string(list[i].id));
			json_object_object_add(o, "Names",
					       json_object_new_string(app_container_name(&list[i])));
			json_object_object_add(
			    o, "Image", json_object_new_string(json_get_string(list[i].doc, "Image", "")));
			json_object_object_add(o, "Command", json_object_new_string(command));
			json_object_object_add(
			    o, "CreatedAt",
			    json_object_new_string(json_get_string(list[i].doc, "Created", "")));
			json_object_object_add(o, "State",
					       json_object_new_string(app_status_name(st.status)));
			json_object_object_add(o, "Status", json_object_new_string(status));
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									     JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
			continue;
		}
		human_duration(seconds_since(json_get_string(list[i].doc, "Created", "")), created,
			       sizeof(created));
		snprintf(quoted, sizeof(quoted), "\"%.19s%s\"", command, strlen(command) > 19 ? "…" : "");
		printf("%-12.12s  %-20s  %-22s  %-18s  %-24s  %s\n", list[i].id,
		       json_get_string(list[i].doc, "Image", ""), quoted, strcat(created, " ago"), status,
		       app_container_name(&list[i]));
	}
	for (size_t i = 0; i < n; i++)
		app_container_free(&list[i]);
	free(list);
	engine_close(&e);
	return 0;
}

int hull_each_container(struct hull_cli *cli, const char *command, int first, int argc, char **argv,
			hull_container_fn fn, void *arg, bool print_names)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	int ret = 0;

	if (first >= argc)
		return hull_usage_error(command, "missing the container");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	for (int i = first; i < argc; i++) {
		struct app_container c;
		if (engine_find(&e, argv[i], &c, &err) < 0 || fn(&e, &c, arg, &err) < 0) {
			hull_error_wrap(&err, "%s", command);
			ret = cli_fail(&err);
		} else if (print_names)
			printf("%s\n", argv[i]);
		app_container_free(&c);
	}
	engine_close(&e);
	return ret;
}

struct stop_args {
	int signal, timeout;
};

static int do_stop(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	struct stop_args *s = arg;

	return engine_stop(e, c, s->signal, s->timeout, err);
}

static int run_stop(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"time", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 't'},
	    {"signal", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct stop_args s = {.timeout = -1};
	struct hull_error *err = NULL;
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:s:", options, NULL)) != -1) {
		if (c == 't') {
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || t < 0 || t > 86400)
				return hull_usage_error("stop", "--time: `%s` is not a number of seconds",
							optarg);
			s.timeout = (int)t;
		} else if (c == 's') {
			if (signal_parse(optarg, &s.signal, &err) < 0) {
				hull_error_wrap(&err, "stop");
				return cli_fail(&err);
			}
		} else
			return hull_usage_error("stop", "unknown option `%s`", argv[optind - 1]);
	}
	return hull_each_container(cli, "stop", optind, argc, argv, do_stop, &s, true);
}

static int do_kill(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	return engine_kill(e, c, *(int *)arg, err);
}

static int run_kill(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"signal", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct hull_error *err = NULL;
	int sig = 9, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:", options, NULL)) != -1) {
		if (c != 's')
			return hull_usage_error("kill", "unknown option `%s`", argv[optind - 1]);
		if (signal_parse(optarg, &sig, &err) < 0) {
			hull_error_wrap(&err, "kill");
			return cli_fail(&err);
		}
	}
	return hull_each_container(cli, "kill", optind, argc, argv, do_kill, &sig, true);
}

struct rm_args {
	bool force, volumes;
};

static int do_rm(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	struct rm_args *a = arg;

	if (engine_remove(e, c, a->force, err) < 0)
		return -1;
	if (a->volumes)
		engine_remove_anonymous_volumes(e, c);
	return 0;
}

static int run_rm(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"volumes", no_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	struct rm_args a = {0};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fv", options, NULL)) != -1) {
		if (c == 'f')
			a.force = true;
		else if (c == 'v')
			a.volumes = true;
		else
			return hull_usage_error("rm", "unknown option `%s`", argv[optind - 1]);
	}
	return hull_each_container(cli, "rm", optind, argc, argv, do_rm, &a, true);
}

static int do_logs(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	fflush(stdout);
	return engine_logs(e, c, arg, 1, 2, err);
}

static int run_logs(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"timestamps", no_argument, NULL, 't'},
	    {"tail", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	struct logs_options o = {.tail = -1};
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ftn:", options, NULL)) != -1) {
		if (c == 'f')
			o.follow = true;
		else if (c == 't')
			o.timestamps = true;
		else if (c == 'n' && strcmp(optarg, "all") == 0)
			o.tail = -1;
		else if (c == 'n') {
			o.tail = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || o.tail < 0)
				return hull_usage_error("logs", "--tail: `%s` is not a number", optarg);
		} else
			return hull_usage_error("logs", "unknown option `%s`", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return hull_usage_error("logs", "takes one container");
	return hull_each_container(cli, "logs", optind, argc, argv, do_logs, &o, false);
}

static int do_cleanup(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	return engine_cleanup(e, c, err);
}

static int run_container(struct hull_cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "cleanup") == 0)
		return hull_each_container(cli, "container cleanup", 2, argc, argv, do_cleanup, NULL, false);
	if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
		return run_ps(cli, argc - 1, argv + 1);
	if (strcmp(sub, "rm") == 0)
		return run_rm(cli, argc - 1, argv + 1);
	if (strcmp(sub, "stop") == 0)
		return run_stop(cli, argc - 1, argv + 1);
	if (strcmp(sub, "logs") == 0)
		return run_logs(cli, argc - 1, argv + 1);
	if (strcmp(sub, "prune") == 0)
		return hull_container_prune(cli, argc - 1, argv + 1);
	return hull_usage_error("container", "expected ls, rm, stop, logs, prune or cleanup");
}

const struct hull_command cmd_ps = {
    .name = "ps",
    .run = run_ps,
    .summary = "list containers",
    .help = "Usage: hull ps [-a] [-q] [--no-trunc] [--format json]\n\n"
	    "Running containers (all with -a): id, image, command, age, status, name.  -q prints ids only;\n"
	    "--format json one object per line.\n",
};

const struct hull_command cmd_stop = {
    .name = "stop",
    .run = run_stop,
    .summary = "stop running containers",
    .help = "Usage: hull stop [-t SECONDS] [-s SIGNAL] CONTAINER...\n\n"
	    "Sends the image's StopSignal (SIGTERM by default; -s another), then SIGKILL after -t seconds\n"
	    "(10), and returns once the container has ended.\n",
};

const struct hull_command cmd_kill = {
    .name = "kill",
    .run = run_kill,
    .summary = "send a signal to running containers",
    .help = "Usage: hull kill [-s SIGNAL] CONTAINER...\n\nSends SIGNAL (SIGKILL by default) to the "
	    "container's first process.\n",
};

const struct hull_command cmd_rm = {
    .name = "rm",
    .run = run_rm,
    .summary = "remove containers",
    .help = "Usage: hull rm [-f] [-v] CONTAINER...\n\n"
	    "Removes stopped containers: record, log, writable layer, network.  -f kills a running one\n"
	    "first; -v removes its anonymous volumes too.\n",
};

const struct hull_command cmd_logs = {
    .name = "logs",
    .run = run_logs,
    .summary = "print a container's output",
    .help = "Usage: hull logs [-f] [-t] [-n N|--tail N] CONTAINER\n\n"
	    "Prints what the container wrote to stdout and stderr, each to ours.  -f follows until it\n"
	    "ends, -t prefixes each line with its time, --tail N prints the last N lines.\n",
};

const struct hull_command cmd_container = {
    .name = "container",
    .run = run_container,
    .summary = "ls, rm, stop, logs and prune, as `hull container ls`",
    .help = "Usage: hull container ls|rm|stop|logs|prune ...\n\nThe same as hull ps, rm, stop and logs; "
	    "prune removes every ended container.\n",
};
