/* hull ps, stop, kill, rm, logs and `container` (the same under podman's spelling, and the monitor's
 * cleanup). */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "cli/hull/format.h"
#include "engine/engine.h"
#include "engine/filter.h"
#include "engine/volumes.h"
#include "net/ports.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timefmt.h"

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
		human_duration(timefmt_seconds_since(st->started_at), d, sizeof(d));
		snprintf(buf, size, "Up %s%s", d, st->status == APP_PAUSED ? " (Paused)" : "");
		break;
	case APP_RESTARTING:
		human_duration(timefmt_seconds_since(st->finished_at), d, sizeof(d));
		snprintf(buf, size, "Restarting (%d) %s ago", st->exit_code, d);
		break;
	case APP_EXITED:
		human_duration(timefmt_seconds_since(st->finished_at), d, sizeof(d));
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

/* Docker's "0.0.0.0:8080->80/tcp, ..." from the -p specs the container was made with. */
static json_object *ports_text(const struct app_container *c)
{
	json_object *host = NULL, *bindings = NULL;
	struct net_ports ports = {0};
	char text[512] = "";
	size_t len = 0;

	json_object_object_get_ex(c->doc, "HostConfig", &host);
	json_object_object_get_ex(host, "PortBindings", &bindings);
	for (size_t i = 0; bindings && i < json_object_array_length(bindings); i++)
		if (net_ports_parse(&ports, json_object_get_string(json_object_array_get_idx(bindings, i)),
				    NULL) < 0)
			break;
	for (size_t i = 0; i < ports.count && len + 1 < sizeof(text); i++) {
		const struct net_port *p = &ports.items[i];
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		if (p->host_port)
			len +=
			    (size_t)snprintf(text + len, sizeof(text) - len, "%s%s:%u->%u/%s", i ? ", " : "",
					     ip, p->host_port, p->port, net_proto_name(p->proto));
		else
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%u/%s", i ? ", " : "",
						p->port, net_proto_name(p->proto));
	}
	net_ports_free(&ports);
	return json_object_new_string(text);
}

/* One row of ps as its --format fields name it (Docker's names). */
static json_object *ps_row(const struct app_container *c, const struct app_state *st, bool no_trunc)
{
	json_object *o = json_object_new_object(), *config = NULL, *labels = NULL, *mounts = NULL;
	char status[96], command[256], quoted[300], created[80];

	status_text(st, status, sizeof(status));
	command_text(c, command, sizeof(command));
	human_duration(timefmt_seconds_since(json_get_string(c->doc, "Created", "")), created,
		       sizeof(created));
	strcat(created, " ago");
	if (no_trunc || strlen(command) <= 19)
		snprintf(quoted, sizeof(quoted), "\"%s\"", command);
	else
		snprintf(quoted, sizeof(quoted), "\"%.19s…\"", command);
	json_object_object_get_ex(c->doc, "Config", &config);
	json_object_object_get_ex(config, "Labels", &labels);
	json_object_object_get_ex(c->doc, "Mounts", &mounts);
	json_object_object_add(o, "ID", json_object_new_string_len(c->id, no_trunc ? ENGINE_ID_LEN : 12));
	json_object_object_add(o, "Names", json_object_new_string(app_container_name(c)));
	json_object_object_add(o, "Image", json_object_new_string(json_get_string(c->doc, "Image", "")));
	json_object_object_add(o, "Command", json_object_new_string(quoted));
	json_object_object_add(o, "CreatedAt",
			       json_object_new_string(json_get_string(c->doc, "Created", "")));
	json_object_object_add(o, "RunningFor", json_object_new_string(created));
	json_object_object_add(o, "State", json_object_new_string(app_status_name(st->status)));
	json_object_object_add(o, "Status", json_object_new_string(status));
	json_object_object_add(o, "Ports", ports_text(c));
	json_object_object_add(o, "Labels", labels ? json_object_get(labels) : json_object_new_object());
	json_object_object_add(o, "Mounts", mounts ? json_object_get(mounts) : json_object_new_array());
	return o;
}

static const struct format_column ps_columns[] = {
    {"ID", "CONTAINER ID"},	 {"Names", "NAMES"},	    {"Image", "IMAGE"},	  {"Command", "COMMAND"},
    {"CreatedAt", "CREATED AT"}, {"RunningFor", "CREATED"}, {"State", "STATE"},	  {"Status", "STATUS"},
    {"Ports", "PORTS"},		 {"Labels", "LABELS"},	    {"Mounts", "MOUNTS"},
};

static void print_table_row(json_object *row, bool header)
{
	if (header) {
		printf("%-12s  %-20s  %-22s  %-18s  %-24s  %-20s  %s\n", "CONTAINER ID", "IMAGE", "COMMAND",
		       "CREATED", "STATUS", "PORTS", "NAMES");
		return;
	}
	printf("%-12.12s  %-20s  %-22s  %-18s  %-24s  %-20s  %s\n", json_get_string(row, "ID", ""),
	       json_get_string(row, "Image", ""), json_get_string(row, "Command", ""),
	       json_get_string(row, "RunningFor", ""), json_get_string(row, "Status", ""),
	       json_get_string(row, "Ports", ""), json_get_string(row, "Names", ""));
}

static int run_ps(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"all", no_argument, NULL, 'a'},	      {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},     {"format", required_argument, NULL, 'f'},
	    {"filter", required_argument, NULL, 'F'}, {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct format_template *tmpl = NULL;
	struct engine_filters filters = {0};
	struct engine e;
	struct hull_error *err = NULL;
	struct app_container *list;
	const char *format = NULL;
	size_t n;
	bool all = false, quiet = false, no_trunc = false, json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+aqf:", options, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'T')
			no_trunc = true;
		else if (c == 'f')
			format = optarg;
		else if (c == 'F' && engine_filter_add(&filters, optarg, &err) < 0)
			return hull_error_wrap(&err, "ps"), cli_fail(&err);
		else if (c != 'F')
			return hull_usage_error("ps", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return hull_usage_error("ps", "takes no arguments");
	if (format && strcmp(format, "json") == 0)
		json = true;
	else if (format && strcmp(format, "table") != 0 &&
		 format_parse(format, ps_columns, sizeof(ps_columns) / sizeof(ps_columns[0]), &tmpl, &err) <
		     0)
		return hull_error_wrap(&err, "ps"), cli_fail(&err);
	if (hull_open_engine(cli, &store, &e, &err) < 0 || engine_list(&e, &list, &n, &err) < 0) {
		format_free(tmpl);
		return cli_fail(&err);
	}
	if (!quiet && !json && tmpl == NULL)
		print_table_row(NULL, true);
	else if (!quiet && tmpl)
		format_header(tmpl, stdout);
	for (size_t i = 0; i < n; i++) {
		struct app_state st;
		json_object *row;
		engine_state(&e, &list[i], &st);
		if (!all && !filters.status && st.status != APP_RUNNING && st.status != APP_PAUSED)
			continue;
		if (!engine_filter_match(&filters, &list[i], &st))
			continue;
		if (quiet) {
			printf("%.*s\n", no_trunc ? ENGINE_ID_LEN : 12, list[i].id);
			continue;
		}
		row = ps_row(&list[i], &st, no_trunc || json);
		if (json)
			printf("%s\n", json_object_to_json_string_ext(
					   row, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		else if (tmpl)
			format_row(tmpl, row, stdout);
		else
			print_table_row(row, false);
		json_object_put(row);
	}
	for (size_t i = 0; i < n; i++)
		app_container_free(&list[i]);
	free(list);
	format_free(tmpl);
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
	    {"follow", no_argument, NULL, 'f'},	     {"timestamps", no_argument, NULL, 't'},
	    {"tail", required_argument, NULL, 'n'},  {"since", required_argument, NULL, 'S'},
	    {"until", required_argument, NULL, 'U'}, {NULL, 0, NULL, 0},
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
		} else if (c == 'S' || c == 'U') {
			if (timefmt_parse_when(optarg, c == 'S' ? &o.since_ns : &o.until_ns) < 0)
				return hull_usage_error(
				    "logs",
				    "--%s: `%s` is not a time (RFC 3339, Unix seconds) or a "
				    "duration (10m, 1h30m)",
				    c == 'S' ? "since" : "until", optarg);
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
    .help =
	"Usage: hull ps [-a] [-q] [--no-trunc] [--filter KEY=VALUE]... [--format json|table|TEMPLATE]\n\n"
	"Running containers (all with -a): id, image, command, age, status, ports, name.  -q prints ids\n"
	"only.  --filter name=PART, id=PREFIX, status=STATUS (then stopped ones too), label=KEY[=VALUE]:\n"
	"one of a key's values, every key.  --format json: one object per line; a template as Docker's:\n"
	"{{.Field}} ({{json .Field}}, {{.Label \"KEY\"}}) of ID, Names, Image, Command, CreatedAt,\n"
	"RunningFor, State, Status, Ports, Labels, Mounts; \\t for a tab; `table ` first for a header.\n\n"
	"  hull ps -a --filter status=exited --format '{{.Names}} {{.Status}}'\n",
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
    .help = "Usage: hull logs [-f] [-t] [-n N|--tail N] [--since WHEN] [--until WHEN] CONTAINER\n\n"
	    "Prints what the container wrote to stdout and stderr, each to ours.  -f follows until it\n"
	    "ends, -t prefixes each line with its time, --tail N prints the last N lines.  --since and\n"
	    "--until keep the lines written from or up to WHEN: an RFC 3339 time, Unix seconds, or a\n"
	    "duration before now (10m, 1h30m, 2.5s).\n",
};

const struct hull_command cmd_container = {
    .name = "container",
    .run = run_container,
    .summary = "ls, rm, stop, logs and prune, as `hull container ls`",
    .help = "Usage: hull container ls|rm|stop|logs|prune ...\n\nThe same as hull ps, rm, stop and logs; "
	    "prune removes every ended container.\n",
};
