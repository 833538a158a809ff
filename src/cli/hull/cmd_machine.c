/* hull machine: the subcommands of machines (src/machine/), each one entry of a table. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "cli/hull/machine_cli.h"
#include "engine/engine.h"
#include "machine/machine.h"
#include "machine/unit.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timefmt.h"

/* What the options of the verbs that take machines by name said. */
struct verb_args {
	int timeout;   /* stop, restart: -t (-1: 10 s) */
	int signal;    /* kill: -s */
	bool force;    /* rm: -f */
	bool follow;   /* logs: -f */
	struct machine_start_options start;
};

/* machine shell NAME [CMD...]: a root shell (or CMD) in the machine, running or not, with a pty of its
 * own when ours is a terminal. */
static int shell_cmd(struct engine *e, int argc, char **argv)
{
	static char *shell[] = {"/bin/sh", "-l", NULL};
	struct app_container c;
	struct exec_options o = {0};
	struct hull_error *err = NULL;
	struct app_state st;
	int code = 0;

	if (argc < 2)
		return hull_usage_error("machine shell", "takes a machine");
	if (machine_find(e, argv[1], &c, &err) < 0)
		return hull_error_wrap(&err, "machine shell"), cli_fail(&err);
	o.args = argc > 2 ? argv + 2 : shell;
	o.n_args = argc > 2 ? argc - 2 : 2;
	o.tty = isatty(0) && isatty(1);
	engine_state(e, &c, &st);
	/* Stopped: the command runs on its root alone, as a one-off container. */
	if (st.status != APP_RUNNING && st.status != APP_PAUSED) {
		if (engine_oneoff(e, &c, o.args, (size_t)o.n_args, o.tty, &code, &err) < 0) {
			hull_error_wrap(&err, "machine");
			code = cli_fail(&err);
		}
	} else if (engine_exec(e, &c, &o, &code, &err) < 0) {
		hull_error_wrap(&err, "machine shell `%s`", argv[1]);
		code = cli_fail(&err);
	}
	app_container_free(&c);
	return code;
}

/* machine login NAME: the root's login(1) on a pty of its own in the running machine, as a getty would
 * run it: it asks for the user and password and starts that user's session. */
static int login_cmd(struct engine *e, int argc, char **argv)
{
	static char *login[] = {"/bin/login", NULL};
	struct app_container c;
	struct exec_options o = {.args = login, .n_args = 1, .tty = true};
	struct hull_error *err = NULL;
	struct app_state st;
	int code = 0;

	if (argc != 2)
		return hull_usage_error("machine login", "takes one machine");
	if (!isatty(0) || !isatty(1)) {
		hull_error_fail(&err, ENOTTY, "machine login `%s`: a login needs a terminal (for a command, use "
					      "machine shell)",
				argv[1]);
		return cli_fail(&err);
	}
	if (machine_find(e, argv[1], &c, &err) < 0)
		return hull_error_wrap(&err, "machine login"), cli_fail(&err);
	engine_state(e, &c, &st);
	if (st.status != APP_RUNNING)
		code = (hull_error_fail(&err, EINVAL, "machine login `%s`: it is not running (machine start it)",
					argv[1]),
			cli_fail(&err));
	else if (engine_exec(e, &c, &o, &code, &err) < 0)
		code = (hull_error_wrap(&err, "machine login `%s`", argv[1]), cli_fail(&err));
	app_container_free(&c);
	return code;
}

static void uptime_text(const char *since, char *buf, size_t size)
{
	long long s = timefmt_seconds_since(since);

	if (s < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
}

/* One line per machine (list), or one machine in detail (status). */
static int show(struct engine *e, const char *only)
{
	struct hull_error *err = NULL;
	struct app_container *list;
	size_t n;
	bool found = false;

	if (engine_list(e, &list, &n, &err) < 0)
		return cli_fail(&err);
	if (only == NULL)
		printf("%-20s  %-10s  %-9s  %-15s  %s\n", "NAME", "STATE", "INIT", "ADDRESS", "UPTIME");
	for (size_t i = 0; i < n; i++) {
		struct app_state st;
		json_object *doc, *settings = NULL;
		char up[32] = "-", memory[32] = "-";
		const char *address;
		if (!machine_is(&list[i]) || (only && strcmp(only, app_container_name(&list[i])) != 0 &&
					      strncmp(list[i].id, only, strlen(only)) != 0))
			continue;
		found = true;
		engine_state(e, &list[i], &st);
		doc = engine_inspect(e, &list[i]);
		json_object_object_get_ex(doc, "NetworkSettings", &settings);
		address = json_get_string(settings, "IPAddress", "");
		if (st.status == APP_RUNNING)
			uptime_text(st.started_at, up, sizeof(up));
		if (only == NULL) {
			printf("%-20s  %-10s  %-9s  %-15s  %s\n", app_container_name(&list[i]),
			       app_status_name(st.status), machine_init_of(&list[i]),
			       *address ? address : "-", up);
		} else {
			json_object *stats = NULL, *mem = NULL, *usage = NULL, *v = NULL;
			struct hull_error *ignored = NULL;
			if (st.status == APP_RUNNING && engine_stats(e, &list[i], &stats, &ignored) == 0 &&
			    json_object_object_get_ex(stats, "memory", &mem) &&
			    json_object_object_get_ex(mem, "usage", &usage) &&
			    json_object_object_get_ex(usage, "usage", &v))
				snprintf(memory, sizeof(memory), "%.1f MiB",
					 (double)json_object_get_int64(v) / 1048576.0);
			hull_error_free(&ignored);
			json_object_put(stats);
			cleanup_free char *path = machine_settings_path(e, app_container_name(&list[i]));
			printf("Name:      %s\nId:        %s\nState:     %s\nInit:      %s\nPid:       %d\n"
			       "Address:   %s\nUptime:    %s\nMemory:    %s\nEphemeral: %s\nSettings:  %s\n",
			       app_container_name(&list[i]), list[i].id, app_status_name(st.status),
			       machine_init_of(&list[i]), st.status == APP_RUNNING ? (int)st.pid : 0,
			       *address ? address : "-", up, memory, engine_ephemeral(e, &list[i]) ? "yes" : "no",
			       path ? path : "");
		}
		json_object_put(doc);
	}
	for (size_t i = 0; i < n; i++)
		app_container_free(&list[i]);
	free(list);
	if (only && !found) {
		hull_error_fail(&err, 2, "machine status: no such machine: `%.80s`", only);
		return cli_fail(&err);
	}
	return 0;
}

static int start_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		     struct hull_error **err)
{
	return machine_start(e, c, &a->start, err);
}

static int stop_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		    struct hull_error **err)
{
	return machine_stop(e, c, a->timeout, err);
}

static int restart_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		       struct hull_error **err)
{
	struct app_container again;
	int ret;

	if (machine_stop(e, c, a->timeout, err) < 0)
		return -1;
	/* The records change under stop: found again before the start. */
	if (machine_find(e, c->id, &again, err) < 0)
		return -1;
	ret = machine_start(e, &again, &a->start, err);
	app_container_free(&again);
	return ret;
}

static int kill_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		    struct hull_error **err)
{
	return engine_kill(e, c, a->signal, err);
}

static int rm_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		  struct hull_error **err)
{
	return machine_remove(e, c, a->force, err);
}

static int logs_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		    struct hull_error **err)
{
	struct logs_options lo = {.follow = a->follow, .tail = -1};
	return engine_logs(e, c, &lo, 1, 2, err);
}

static int enable_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		      struct hull_error **err)
{
	(void)a;
	return machine_enable(e, c, true, err);
}

static int disable_one(struct engine *e, struct app_container *c, const struct verb_args *a,
		       struct hull_error **err)
{
	(void)a;
	return machine_enable(e, c, false, err);
}

/* The verbs that act on each machine named; opts are the options each takes (getopt letters). */
static const struct each_verb {
	const char *name;
	const char *opts;
	int (*one)(struct engine *e, struct app_container *c, const struct verb_args *a, struct hull_error **err);
} each_verbs[] = {
    {"start", "NSE", start_one}, {"stop", "t", stop_one},     {"restart", "tNSE", restart_one},
    {"kill", "s", kill_one},	 {"rm", "f", rm_one},	      {"logs", "f", logs_one},
    {"enable", "", enable_one},	 {"disable", "", disable_one}, {NULL, NULL, NULL},
};

static int parse_each(const struct each_verb *v, int argc, char **argv, struct verb_args *a)
{
	static const struct option options[] = {
	    {"time", required_argument, NULL, 't'},    {"signal", required_argument, NULL, 's'},
	    {"force", no_argument, NULL, 'f'},	       {"follow", no_argument, NULL, 'f'},
	    {"network", required_argument, NULL, 'N'}, {"single-user", no_argument, NULL, 'S'},
	    {"ephemeral", no_argument, NULL, 'E'},     {NULL, 0, NULL, 0},
	};
	char command[64];
	struct hull_error *bad = NULL;
	int c;

	snprintf(command, sizeof(command), "machine %s", v->name);
	*a = (struct verb_args){.timeout = -1, .signal = SIGTERM};
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:s:f", options, NULL)) != -1) {
		char *end;
		long t;
		if (c == '?' || c == ':' || strchr(v->opts, c) == NULL)
			return hull_usage_error(command, "unknown option `%s`", argv[optind - 1]);
		switch (c) {
		case 't':
			t = strtol(optarg, &end, 10);
			if (!*optarg || *end || t < 0 || t > 3600)
				return hull_usage_error(command, "-t: `%s` is not a number of seconds", optarg);
			a->timeout = (int)t;
			break;
		case 's':
			if (signal_parse(optarg, &a->signal, &bad) < 0)
				return hull_error_wrap(&bad, "%s", command), cli_fail(&bad);
			break;
		case 'f':
			a->force = a->follow = true;
			break;
		case 'N':
			a->start.network = strcmp(optarg, "bridge") == 0 ? "local" : optarg;
			break;
		case 'S':
			a->start.single_user = true;
			break;
		case 'E':
			a->start.ephemeral = true;
			break;
		}
	}
	if (optind >= argc)
		return hull_usage_error(command, "takes a machine");
	return 0;
}

static int run_each(struct engine *e, const struct each_verb *v, int argc, char **argv)
{
	struct hull_error *err = NULL;
	struct verb_args a;
	int ret = parse_each(v, argc, argv, &a);

	for (int i = optind; i < argc && ret == 0; i++) {
		struct app_container c;
		if (machine_find(e, argv[i], &c, &err) < 0) {
			hull_error_wrap(&err, "machine %s", v->name);
			return cli_fail(&err);
		}
		if (v->one(e, &c, &a, &err) < 0) {
			hull_error_wrap(&err, "machine %s", v->name);
			ret = cli_fail(&err);
		}
		app_container_free(&c);
	}
	return ret;
}

/* What an init script or rc.local runs at boot: every machine set to start then that is not running. */
static int autostart_cmd(struct engine *e, int argc, char **argv)
{
	struct hull_error *err = NULL;
	struct app_container *list;
	size_t n;
	int ret = 0;

	(void)argv;
	if (argc != 1)
		return hull_usage_error("machine autostart", "takes no arguments");
	if (engine_list(e, &list, &n, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n; i++) {
		if (machine_is(&list[i]) && engine_autostart(e, &list[i]) &&
		    machine_start(e, &list[i], NULL, &err) < 0) {
			hull_error_wrap(&err, "machine autostart");
			ret = cli_fail(&err);
		}
		app_container_free(&list[i]);
	}
	free(list);
	return ret;
}

static int unit_cmd(struct engine *e, int argc, char **argv)
{
	struct hull_error *err = NULL;
	struct app_container c;

	if (argc != 2)
		return hull_usage_error("machine unit", "takes one machine");
	if (machine_find(e, argv[1], &c, &err) < 0)
		return hull_error_wrap(&err, "machine unit"), cli_fail(&err);
	cleanup_free char *text = machine_unit_text(e, app_container_name(&c));
	fputs(text ? text : "", stdout);
	app_container_free(&c);
	return 0;
}

static int clone_cmd(struct engine *e, int argc, char **argv)
{
	struct hull_error *err = NULL;
	struct app_container c;
	char id[ENGINE_ID_LEN + 1];
	int ret = 0;

	if (argc != 3)
		return hull_usage_error("machine clone", "takes a machine and the clone's name");
	if (machine_find(e, argv[1], &c, &err) < 0)
		return hull_error_wrap(&err, "machine clone"), cli_fail(&err);
	if (machine_clone(e, &c, argv[2], id, &err) < 0)
		ret = cli_fail(&err);
	else
		printf("%s\n", id);
	app_container_free(&c);
	return ret;
}

static int rename_cmd(struct engine *e, int argc, char **argv)
{
	struct hull_error *err = NULL;
	struct app_container c;
	int ret = 0;

	if (argc != 3)
		return hull_usage_error("machine rename", "takes a machine and its new name");
	if (machine_find(e, argv[1], &c, &err) < 0)
		return hull_error_wrap(&err, "machine rename"), cli_fail(&err);
	if (machine_rename(e, &c, argv[2], &err) < 0)
		ret = (hull_error_wrap(&err, "machine rename"), cli_fail(&err));
	app_container_free(&c);
	return ret;
}

static int list_cmd(struct engine *e, int argc, char **argv)
{
	(void)argv;
	return argc > 1 ? hull_usage_error("machine list", "takes no arguments") : show(e, NULL);
}

static int status_cmd(struct engine *e, int argc, char **argv)
{
	return argc != 2 ? hull_usage_error("machine status", "takes one machine") : show(e, argv[1]);
}

/* The verbs with arguments of their own, on an open engine (argv[0] is the verb). */
static const struct engine_verb {
	const char *name;
	int (*run)(struct engine *e, int argc, char **argv);
} engine_verbs[] = {
    {"shell", shell_cmd}, {"login", login_cmd},	  {"autostart", autostart_cmd},
    {"unit", unit_cmd},	  {"clone", clone_cmd},	  {"rename", rename_cmd},
    {"list", list_cmd},	  {"ls", list_cmd},	  {"status", status_cmd},
    {NULL, NULL},
};

/* machine attach NAME: the console, as `hull attach` gives it, once the name is known to be a
 * machine's (the store is let go first: attach opens its own). */
static int attach_cmd(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	struct app_container c;
	struct engine e;
	char *args[] = {"attach", argc == 2 ? argv[1] : NULL, NULL};
	int ret;

	if (argc != 2)
		return hull_usage_error("machine attach", "takes one machine");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	ret = machine_find(&e, argv[1], &c, &err);
	engine_close(&e);
	store_free(&store);
	if (ret < 0)
		return hull_error_wrap(&err, "machine attach"), cli_fail(&err);
	app_container_free(&c);
	return cmd_attach.run(cli, 2, args);
}

/* The verbs that open the store themselves. */
static const struct cli_verb {
	const char *name;
	int (*run)(struct hull_cli *cli, int argc, char **argv);
} cli_verbs[] = {
    {"create", machine_create_cmd},
    {"bootstrap", machine_bootstrap_cmd},
    {"attach", attach_cmd},
    {NULL, NULL},
};

static int run_machine(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	const char *sub = argc > 1 ? argv[1] : "";
	struct hull_error *err = NULL;
	struct engine e;
	int ret = -1;

	for (const struct cli_verb *v = cli_verbs; v->name; v++)
		if (strcmp(sub, v->name) == 0)
			return v->run(cli, argc - 1, argv + 1);
	const struct engine_verb *ev = engine_verbs;
	while (ev->name && strcmp(sub, ev->name) != 0)
		ev++;
	const struct each_verb *each = each_verbs;
	while (each->name && strcmp(sub, each->name) != 0)
		each++;
	if (ev->name == NULL && each->name == NULL)
		return hull_usage_error("machine",
					"expected create, bootstrap, start, stop, restart, kill, shell, login, "
					"attach, list, status, logs, rename, clone, rm, enable, disable, "
					"autostart or unit");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	ret = ev->name ? ev->run(&e, argc - 1, argv + 1) : run_each(&e, each, argc - 1, argv + 1);
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_machine = {
    .name = "machine",
    .run = run_machine,
    .summary = "machines: whole distributions that boot their own init in the background",
    .help =
	"Usage: hull machine create NAME --from IMAGE|DIR|TARBALL [SETTINGS]\n"
	"       hull machine bootstrap NAME SUITE [--variant V] [--include PKG,...] [SETTINGS]\n"
	"       hull machine start|restart [--network MODE] [--single-user] [--ephemeral] NAME...\n"
	"       hull machine stop [-t SECONDS] | kill [-s SIGNAL] | rm [-f] | logs [-f] NAME...\n"
	"       hull machine rename NAME NEWNAME | clone NAME NEWNAME\n"
	"       hull machine enable|disable NAME... | autostart | unit NAME\n"
	"       hull machine shell NAME [COMMAND...] | login NAME | attach NAME\n"
	"       hull machine list | status NAME\n"
	"SETTINGS: --network MODE, --single-user, --bind HOST:MACHINE[:ro], --memory SIZE, --cpus N,\n"
	"          --pids-limit N, --ephemeral\n\n"
	"A machine boots the init of its root (systemd, sysvinit or busybox; a shell with\n"
	"--single-user) as PID 1 under hull's monitor, its console a pty whose output is the log; stop\n"
	"asks the init to power off by its own signal (SIGRTMIN+3, SIGPWR, SIGUSR2) and kills it after\n"
	"the timeout (10 s).  Its settings are the file STORE/machines/NAME.yaml, written at create\n"
	"and read at each start, whose flags override it for that start; a changed setting makes the\n"
	"machine's container anew, its root's changes kept.  --ephemeral: the changes of a run go when\n"
	"it stops.  shell runs a login shell, or COMMAND, in the running machine (or on the root of a\n"
	"stopped one); login asks for a user and password on a pty of its own; attach connects to its\n"
	"console (ctrl-p ctrl-q lets go).  A directory or a tarball given to --from is imported as the\n"
	"image localhost/hull-machine/NAME:latest.  enable starts it at the host's boot: a unit\n"
	"hull-machine-NAME.service in /etc/systemd/system (enabled when systemd runs the host;\n"
	"$HULL_UNIT_DIR elsewhere), and a mark that `hull system boot` and `machine autostart` (for an\n"
	"init script or rc.local) honour; unit prints the unit.\n",
};
