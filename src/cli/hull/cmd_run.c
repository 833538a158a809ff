/* hull run, create and start: Docker's flags parsed into a run_config for the engine. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "engine/mount_spec.h"
#include "engine/volumes.h"
#include "image/local_image.h"
#include "net/hosts.h"
#include "net/ports.h"
#include "net/setup.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/units.h"

/* Docker's exit statuses for a failed run: hull's own failure, a command that cannot be invoked, one that
 * is not there. */
#define EXIT_HULL	125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND	127
#define MAX_LIST	256
#define PULL_FAILED	(-2000)

struct run_args {
	struct run_config c;
	const char *env[MAX_LIST], *volumes[MAX_LIST], *publish[MAX_LIST], *tmpfs[MAX_LIST];
	const char *cap_add[MAX_LIST], *cap_drop[MAX_LIST], *labels[MAX_LIST], *network_args[MAX_LIST];
	char *env_files[MAX_LIST]; /* lines read from --env-file, kept for env[] */
	size_t n_env_files;
	char *mounts[MAX_LIST]; /* --mount rewritten as -v or --tmpfs specs, kept for volumes[] and tmpfs[] */
	size_t n_mounts;
	const char *pull; /* missing, always, never */
	bool detach;
};

static void run_args_free(struct run_args *a)
{
	for (size_t i = 0; i < a->n_env_files; i++)
		free(a->env_files[i]);
	for (size_t i = 0; i < a->n_mounts; i++)
		free(a->mounts[i]);
}

static int add(const char *command, const char **list, size_t *n, const char *value)
{
	if (*n >= MAX_LIST)
		return hull_usage_error(command, "too many options of one kind (at most %d)", MAX_LIST);
	list[(*n)++] = value;
	return 0;
}

/* --env-file: K=V lines, # comments and blank lines skipped, as Docker reads them. */
static int read_env_file(const char *command, struct run_args *a, const char *path)
{
	struct hull_error *err = NULL;
	char *text, *save = NULL;

	if (fs_read_file(AT_FDCWD, path, &text, NULL, &err) < 0) {
		hull_error_wrap(&err, "%s: --env-file", command);
		return cli_fail(&err);
	}
	if (a->n_env_files >= MAX_LIST) {
		free(text);
		return hull_usage_error(command, "too many --env-file options");
	}
	a->env_files[a->n_env_files++] = text;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (add(command, a->env, &a->c.n_env, line))
			return 1;
	}
	return 0;
}

enum {
	OPT_RM = 1000,
	OPT_NAME,
	OPT_ENV_FILE,
	OPT_ENTRYPOINT,
	OPT_NETWORK,
	OPT_HOSTNAME,
	OPT_PULL,
	OPT_CGROUP_PARENT,
	OPT_CPUS,
	OPT_PIDS_LIMIT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_READ_ONLY,
	OPT_SECURITY_OPT,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_LOG_OPT,
	OPT_TMPFS,
	OPT_MOUNT,
	OPT_USERNS,
	OPT_UIDMAP,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_ADD_HOST,
	OPT_RESTART,
	OPT_INIT,
};

/* --security-opt: seccomp=unconfined|FILE, no-new-privileges[=true|false] (also with ':' as Docker once
 * spelled it), label/apparmor=unconfined (nothing to undo: hull sets no label or profile). */
static int security_opt(const char *command, struct run_args *a, const char *opt)
{
	if (strncmp(opt, "seccomp=", 8) == 0 || strncmp(opt, "seccomp:", 8) == 0) {
		a->c.seccomp = opt + 8;
		return 0;
	}
	if (strcmp(opt, "no-new-privileges") == 0 || strcmp(opt, "no-new-privileges=true") == 0 ||
	    strcmp(opt, "no-new-privileges:true") == 0) {
		a->c.no_new_privileges = true;
		return 0;
	}
	if (strcmp(opt, "no-new-privileges=false") == 0 || strcmp(opt, "no-new-privileges:false") == 0) {
		a->c.no_new_privileges = false;
		return 0;
	}
	if (strcmp(opt, "apparmor=unconfined") == 0 || strcmp(opt, "label=disable") == 0 ||
	    strcmp(opt, "label:disable") == 0)
		return 0;
	return hull_usage_error(
	    command, "--security-opt: `%s` is not seccomp=, no-new-privileges or label=disable", opt);
}

/* --log-opt max-size=SIZE|max-file=N (json-file's options). */
static int log_opt(const char *command, struct run_args *a, const char *opt)
{
	char *end;

	if (strncmp(opt, "max-size=", 9) == 0) {
		int64_t size;
		if (units_parse_size(opt + 9, &size) < 0 || size <= 0)
			return hull_usage_error(command, "--log-opt: `%s` is not a size", opt + 9);
		a->c.log_max_size = (uint64_t)size;
		return 0;
	}
	if (strncmp(opt, "max-file=", 9) == 0) {
		unsigned long n = strtoul(opt + 9, &end, 10);
		if (opt[9] == '\0' || *end || n < 1 || n > 64)
			return hull_usage_error(
			    command, "--log-opt: max-file `%s` is not a number from 1 to 64", opt + 9);
		a->c.log_max_files = (unsigned)n;
		return 0;
	}
	return hull_usage_error(command, "--log-opt: `%s` is not max-size= or max-file=", opt);
}

/* Parses argv (from the command's name on) up to IMAGE; returns 0 with optind at IMAGE. */
static int parse(const char *command, int argc, char **argv, struct run_args *a, bool allow_detach)
{
	static const struct option options[] = {
	    {"detach", no_argument, NULL, 'd'},
	    {"rm", no_argument, NULL, OPT_RM},
	    {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"env", required_argument, NULL, 'e'},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
	    {"volume", required_argument, NULL, 'v'},
	    {"network", required_argument, NULL, OPT_NETWORK},
	    {"net", required_argument, NULL, OPT_NETWORK},
	    {"publish", required_argument, NULL, 'p'},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"pull", required_argument, NULL, OPT_PULL},
	    {"cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT},
	    {"memory", required_argument, NULL, 'm'},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
	    {"read-only", no_argument, NULL, OPT_READ_ONLY},
	    {"security-opt", required_argument, NULL, OPT_SECURITY_OPT},
	    {"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
	    {"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	    {"label", required_argument, NULL, 'l'},
	    {"log-opt", required_argument, NULL, OPT_LOG_OPT},
	    {"tmpfs", required_argument, NULL, OPT_TMPFS},
	    {"mount", required_argument, NULL, OPT_MOUNT},
	    {"userns", required_argument, NULL, OPT_USERNS},
	    {"uidmap", required_argument, NULL, OPT_UIDMAP},
	    {"dns", required_argument, NULL, OPT_DNS},
	    {"dns-search", required_argument, NULL, OPT_DNS_SEARCH},
	    {"dns-option", required_argument, NULL, OPT_DNS_OPTION},
	    {"add-host", required_argument, NULL, OPT_ADD_HOST},
	    {"restart", required_argument, NULL, OPT_RESTART},
	    {"init", no_argument, NULL, OPT_INIT},
	    {NULL, 0, NULL, 0},
	};
	struct hull_error *err = NULL;
	int c;

	a->pull = "missing";
	a->c.stop_timeout = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+dite:w:u:v:p:h:m:l:", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!allow_detach)
				return hull_usage_error(command, "unknown option `-d`");
			a->detach = true;
			break;
		case OPT_RM:
			a->c.rm = true;
			break;
		case 'i':
			a->c.interactive = true;
			break;
		case 't':
			a->c.tty = true;
			break;
		case OPT_NAME:
			a->c.name = optarg;
			break;
		case 'e':
			if (add(command, a->env, &a->c.n_env, optarg))
				return 1;
			break;
		case OPT_ENV_FILE:
			if (read_env_file(command, a, optarg))
				return 1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return hull_usage_error(command, "--workdir: `%s` is not an absolute path",
							optarg);
			a->c.workdir = optarg;
			break;
		case 'u':
			a->c.user = optarg;
			break;
		case OPT_ENTRYPOINT:
			a->c.entrypoint = optarg;
			break;
		case 'v':
			if (add(command, a->volumes, &a->c.n_volumes, optarg))
				return 1;
			break;
		case OPT_NETWORK:
			if (strcmp(optarg, "bridge") == 0)
				optarg = "local"; /* Docker's name for it */
			/* container:NAME is the engine's: the other container is looked up at create. */
			if (strncmp(optarg, "container:", 10) != 0 && net_mode_check(optarg, &err) < 0) {
				hull_error_wrap(&err, "%s", command);
				return cli_fail(&err);
			}
			a->c.network = optarg;
			break;
		case 'p': {
			struct net_ports check = {0};
			int ret = net_ports_parse(&check, optarg, &err);
			net_ports_free(&check);
			if (ret < 0) {
				hull_error_wrap(&err, "%s", command);
				return cli_fail(&err);
			}
			if (add(command, a->publish, &a->c.n_publish, optarg))
				return 1;
			break;
		}
		case 'h':
		case OPT_HOSTNAME:
			a->c.hostname = optarg;
			break;
		case OPT_CGROUP_PARENT:
			a->c.cgroup_parent = optarg;
			break;
		case 'm': {
			int64_t size;
			if (units_parse_size(optarg, &size) < 0 || size < 6 * 1024 * 1024)
				return hull_usage_error(
				    command, "--memory: `%s` is not a size of at least 6m", optarg);
			a->c.memory = size;
			break;
		}
		case OPT_CPUS: {
			char *end;
			double cpus = strtod(optarg, &end);
			if (*optarg == '\0' || *end || cpus <= 0 || cpus > 4096)
				return hull_usage_error(command, "--cpus: `%s` is not a number of CPUs",
							optarg);
			a->c.cpus = cpus;
			break;
		}
		case OPT_PIDS_LIMIT: {
			char *end;
			long long n = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end || n < -1 || n == 0)
				return hull_usage_error(
				    command, "--pids-limit: `%s` is not a positive number or -1", optarg);
			a->c.pids_limit = n;
			break;
		}
		case OPT_CAP_ADD:
			if (add(command, a->cap_add, &a->c.n_cap_add, optarg))
				return 1;
			break;
		case OPT_CAP_DROP:
			if (add(command, a->cap_drop, &a->c.n_cap_drop, optarg))
				return 1;
			break;
		case OPT_PRIVILEGED:
			a->c.privileged = true;
			break;
		case OPT_READ_ONLY:
			a->c.read_only = true;
			break;
		case OPT_SECURITY_OPT:
			if (security_opt(command, a, optarg))
				return 1;
			break;
		case OPT_STOP_SIGNAL: {
			int sig;
			if (signal_parse(optarg, &sig, &err) < 0) {
				hull_error_wrap(&err, "%s: --stop-signal", command);
				return cli_fail(&err);
			}
			a->c.stop_signal = optarg;
			break;
		}
		case OPT_STOP_TIMEOUT: {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || t < 0 || t > 86400)
				return hull_usage_error(
				    command, "--stop-timeout: `%s` is not a number of seconds", optarg);
			a->c.stop_timeout = (int)t;
			break;
		}
		case 'l':
			if (add(command, a->labels, &a->c.n_labels, optarg))
				return 1;
			break;
		case OPT_LOG_OPT:
			if (log_opt(command, a, optarg))
				return 1;
			break;
		case OPT_TMPFS:
			if (add(command, a->tmpfs, &a->c.n_tmpfs, optarg))
				return 1;
			break;
		case OPT_USERNS:
			if (strcmp(optarg, "host") != 0 && strcmp(optarg, "auto") != 0)
				return hull_usage_error(command, "--userns: `%s` is not host or auto",
							optarg);
			a->c.userns = optarg;
			break;
		case OPT_UIDMAP:
			a->c.uidmap = optarg;
			break;
		case OPT_MOUNT: {
			char *volume, *tmpfs;
			if (a->n_mounts >= MAX_LIST)
				return hull_usage_error(command, "too many --mount options (at most %d)",
							MAX_LIST);
			if (engine_mount_translate(optarg, &volume, &tmpfs, &err) < 0) {
				hull_error_wrap(&err, "%s", command);
				return cli_fail(&err);
			}
			a->mounts[a->n_mounts++] = volume ? volume : tmpfs;
			if (volume ? add(command, a->volumes, &a->c.n_volumes, volume)
				   : add(command, a->tmpfs, &a->c.n_tmpfs, tmpfs))
				return 1;
			break;
		}
		case OPT_DNS:
		case OPT_DNS_SEARCH:
		case OPT_DNS_OPTION:
		case OPT_ADD_HOST:
			if (c == OPT_ADD_HOST && net_extra_host_check(optarg, &err) < 0) {
				hull_error_wrap(&err, "%s", command);
				return cli_fail(&err);
			}
			if (add(command, a->network_args, &a->c.n_network_args,
				c == OPT_DNS	      ? "--dns"
				: c == OPT_DNS_SEARCH ? "--dns-search"
				: c == OPT_DNS_OPTION ? "--dns-option"
						      : "--add-host") ||
			    add(command, a->network_args, &a->c.n_network_args, optarg))
				return 1;
			break;
		case OPT_INIT:
			a->c.init = true;
			break;
		case OPT_RESTART: {
			char name[32];
			int max;
			if (engine_restart_policy_parse(optarg, name, sizeof(name), &max, &err) < 0) {
				hull_error_wrap(&err, "%s", command);
				return cli_fail(&err);
			}
			a->c.restart = optarg;
			break;
		}
		case OPT_PULL:
			if (strcmp(optarg, "missing") && strcmp(optarg, "always") && strcmp(optarg, "never"))
				return hull_usage_error(
				    command, "--pull: `%s` is not missing, always or never", optarg);
			a->pull = optarg;
			break;
		default:
			return hull_usage_error(command, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return hull_usage_error(command, "missing the image");
	if (a->c.rm && a->c.restart && strcmp(a->c.restart, "no") != 0)
		return hull_usage_error(command, "--rm and --restart %s cannot go together", a->c.restart);
	if (a->c.n_publish && a->c.network && strcmp(a->c.network, "local") != 0 &&
	    strncmp(a->c.network, "lan", 3) != 0 && strcmp(a->c.network, "slirp4netns") != 0)
		return hull_usage_error(command,
					"-p needs the local network (--network bridge) or slirp4netns");
	a->c.image = argv[optind];
	if (optind + 1 < argc) {
		a->c.cmd = (const char *const *)argv + optind + 1;
		a->c.n_cmd = (size_t)(argc - optind - 1);
	}
	a->c.env = a->env;
	a->c.volumes = a->volumes;
	a->c.publish = a->publish;
	a->c.tmpfs = a->tmpfs;
	a->c.cap_add = a->cap_add;
	a->c.cap_drop = a->cap_drop;
	a->c.labels = a->labels;
	a->c.network_args = a->network_args;
	return 0;
}

/* run -it on a terminal: ours is raw while attached, so that every key (^C, ^P^Q) reaches the monitor and
 * through it the container's pty, whose own line discipline acts on them. */
struct raw_terminal {
	bool active;
	struct termios saved;
};

static void raw_terminal_enter(struct raw_terminal *r, bool wanted)
{
	struct termios raw;

	r->active = false;
	if (!wanted || !isatty(0) || tcgetattr(0, &r->saved) < 0)
		return;
	raw = r->saved;
	cfmakeraw(&raw);
	r->active = tcsetattr(0, TCSANOW, &raw) == 0;
}

static void raw_terminal_leave(struct raw_terminal *r)
{
	if (r->active)
		tcsetattr(0, TCSANOW, &r->saved);
	r->active = false;
}

/* The image, pulled first when it is missing (or always, as --pull says), by hull-image. */
static int ensure_image(struct hull_cli *cli, struct engine *e, const char *image, const char *policy,
			struct hull_error **err)
{
	char digest[DIGEST_MAX];

	if (strcmp(policy, "always") != 0 && local_image_find(e->store, image, digest, NULL) == 0)
		return 0;
	if (strcmp(policy, "never") == 0)
		return local_image_find(e->store, image, digest, err);
	return hull_image_helper_pull(cli, image) < 0 ? PULL_FAILED : 0;
}

static int start_status(struct hull_error **err)
{
	int code = hull_error_code(*err);

	cli_fail(err);
	return code == -ENOENT ? EXIT_NOT_FOUND : code == -EACCES ? EXIT_CANNOT_RUN : EXIT_HULL;
}

static int run_or_create(struct hull_cli *cli, int argc, char **argv, bool start)
{
	const char *command = start ? "run" : "create";
	struct run_args a = {0};
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	char id[ENGINE_ID_LEN + 1];
	int ret = 0;

	if (parse(command, argc, argv, &a, start)) {
		run_args_free(&a);
		return EXIT_HULL;
	}
	if (hull_open_engine(cli, &store, &e, &err) < 0 ||
	    (ret = ensure_image(cli, &e, a.c.image, a.pull, &err)) < 0 ||
	    engine_create(&e, &a.c, id, &err) < 0) {
		/* A failed pull has said why in its own line. */
		if (ret != PULL_FAILED) {
			hull_error_wrap(&err, "%s", command);
			cli_fail(&err);
		}
		ret = EXIT_HULL;
		goto out;
	}
	if (!start) {
		printf("%s\n", id);
		goto out;
	}
	{
		struct app_container c;
		struct start_io io = {.attach = !a.detach, .stdin_in = a.c.interactive};
		struct raw_terminal raw;
		if (engine_find(&e, id, &c, &err) < 0) {
			ret = (cli_fail(&err), EXIT_HULL);
			goto out;
		}
		raw_terminal_enter(&raw, a.c.tty && io.attach && io.stdin_in);
		ret = engine_start(&e, &c, &io, &err);
		raw_terminal_leave(&raw);
		if (ret < 0) {
			/* A container that never ran is not kept: no record, mount or network. */
			engine_remove(&e, &c, true, NULL);
			engine_remove_anonymous_volumes(&e, &c);
			hull_error_wrap(&err, "run");
			ret = start_status(&err);
		} else if (a.detach)
			printf("%s\n", id);
		else
			ret = io.exit_code;
		app_container_free(&c);
	}
out:
	if (store)
		engine_close(&e);
	run_args_free(&a);
	return ret;
}

static int run_run(struct hull_cli *cli, int argc, char **argv)
{
	return run_or_create(cli, argc, argv, true);
}

static int run_create(struct hull_cli *cli, int argc, char **argv)
{
	return run_or_create(cli, argc, argv, false);
}

static int run_start(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"attach", no_argument, NULL, 'a'},
	    {"interactive", no_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	struct start_io io = {0};
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ai", options, NULL)) != -1) {
		if (c == 'a')
			io.attach = true;
		else if (c == 'i')
			io.stdin_in = true;
		else
			return hull_usage_error("start", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind >= argc)
		return hull_usage_error("start", "missing the container");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	for (int i = optind; i < argc; i++) {
		struct app_container ct;
		if (engine_find(&e, argv[i], &ct, &err) < 0) {
			hull_error_wrap(&err, "start");
			ret = cli_fail(&err);
			continue;
		}
		if (engine_start(&e, &ct, &io, &err) < 0)
			ret = start_status(&err);
		else if (io.attach)
			ret = io.exit_code;
		else
			printf("%s\n", argv[i]);
		app_container_free(&ct);
	}
	engine_close(&e);
	return ret;
}

static bool config_flag(const struct app_container *c, const char *key)
{
	json_object *config = NULL, *v = NULL;

	json_object_object_get_ex(c->doc, "Config", &config);
	return json_object_object_get_ex(config, key, &v) && json_object_get_boolean(v);
}

static int run_attach(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"no-stdin", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	struct app_container ct;
	struct raw_terminal raw;
	bool no_stdin = false;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (c != 'n')
			return hull_usage_error("attach", "unknown option `%s`", argv[optind - 1]);
		no_stdin = true;
	}
	if (optind + 1 != argc)
		return hull_usage_error("attach", "needs one container");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	if (engine_find(&e, argv[optind], &ct, &err) < 0) {
		hull_error_wrap(&err, "attach");
		engine_close(&e);
		return cli_fail(&err);
	}
	{
		/* Docker's rule: stdin goes along when the container was made with -i. */
		struct start_io io = {.attach = true, .stdin_in = !no_stdin && config_flag(&ct, "OpenStdin")};
		raw_terminal_enter(&raw, io.stdin_in && config_flag(&ct, "Tty"));
		ret = engine_attach(&e, &ct, &io, &err);
		raw_terminal_leave(&raw);
		ret = ret < 0 ? cli_fail(&err) : io.exit_code;
	}
	app_container_free(&ct);
	engine_close(&e);
	return ret;
}

#define RUN_OPTIONS                                                                                          \
	"  -d, --detach             run in the background and print the id (run only)\n"                     \
	"  --rm                     remove the container when it ends\n"                                     \
	"  -i, --interactive        keep stdin open: ours is the container's\n"                              \
	"  --name NAME              a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*); one is made up otherwise\n"         \
	"  -e, --env K=V|K          set a variable (K alone: our value); --env-file FILE of K=V lines\n"     \
	"  -w, --workdir DIR        the working directory; -u, --user USER[:GROUP] the user\n"               \
	"  --entrypoint CMD         replaces the image's Entrypoint (and clears its Cmd)\n"                  \
	"  -v, --volume SRC:DST[:ro|rw]  a host directory or a named volume of the store\n"                  \
	"  --mount type=bind|volume|tmpfs,source=,target=[,readonly][,tmpfs-size=,tmpfs-mode=]  the same\n"  \
	"  --userns auto|host; --uidmap 0:HOSTID:SIZE  a user namespace of its own: a free range of 65536\n" \
	"                           host ids (auto), or the one given; host (the default): none\n"           \
	"  --network MODE           none, host, bridge (hull's local network, the default), or a mode of\n"  \
	"                           `hull network --help`, or container:NAME (that one's network);\n"        \
	"                           -p, --publish [IP:]HOST:CONTAINER[/PROTO]\n"                             \
	"  -h, --hostname NAME      the host name (default: the id's first 12 digits)\n"                     \
	"  --pull missing|always|never  when to pull the image (default missing)\n"                          \
	"  --cgroup-parent PATH     the container's cgroup is PATH/ID (relative: to hull's own cgroup)\n"    \
	"  -m, --memory SIZE; --cpus N; --pids-limit N   resource limits\n"                                  \
	"  --cap-add CAP, --cap-drop CAP   over Docker's 14 default capabilities (ALL: every one)\n"         \
	"  --privileged             every capability and device, no seccomp, no masked paths\n"              \
	"  --read-only              the root file system read-only; --tmpfs DST[:OPTIONS] a tmpfs\n"         \
	"  --security-opt seccomp=unconfined|FILE, no-new-privileges\n"                                      \
	"  --stop-signal SIG, --stop-timeout N   how `hull stop` stops it\n"                                 \
	"  -l, --label K=V          a label; --log-opt max-size=SIZE, max-file=N  log rotation\n"            \
	"  --dns IP, --dns-search DOMAIN, --dns-option OPT   the container's resolv.conf\n"                  \
	"  --add-host NAME:IP       a line of its /etc/hosts (IP may be host-gateway: the host's address)\n" \
	"  --restart no|on-failure[:N]|always|unless-stopped  start it again when it ends (Docker's "        \
	"back-off);\n"                                                                                       \
	"                           `hull system boot` starts always and unless-stopped ones at boot\n"      \
	"  --init                   hull-init as PID 1: signals passed on, orphans reaped\n"

const struct hull_command cmd_run = {
    .name = "run",
    .run = run_run,
    .summary = "run a command in a new container",
    .help = "Usage: hull run [options] IMAGE [COMMAND [ARG...]]\n\n"
	    "Creates a container from IMAGE (pulled when missing) and starts it.  In the foreground its\n"
	    "output is shown, signals are passed to it and hull exits with its exit status; 125 when hull\n"
	    "fails, 126 when the command cannot be run, 127 when it is not found.  With -d hull-monitor\n"
	    "keeps it and its log (`hull logs`).\n\n" RUN_OPTIONS,
};

const struct hull_command cmd_create = {
    .name = "create",
    .run = run_create,
    .summary = "create a container without starting it",
    .help = "Usage: hull create [options] IMAGE [COMMAND [ARG...]]\n\n"
	    "As `hull run` without starting; prints the id.  `hull start` starts it.\n\n" RUN_OPTIONS,
};

const struct hull_command cmd_attach = {
    .name = "attach",
    .run = run_attach,
    .summary = "join a running container's terminal or output",
    .help = "Usage: hull attach [--no-stdin] CONTAINER\n\n"
	    "Shows the container's output as it comes and, when it was made with -i, passes our input to it\n"
	    "(its terminal with -t).  ctrl-p ctrl-q detaches and leaves it running; otherwise hull exits\n"
	    "with its status when it ends.  One terminal at a time.\n\n"
	    "  --no-stdin   output only\n",
};

const struct hull_command cmd_start = {
    .name = "start",
    .run = run_start,
    .summary = "start created or stopped containers",
    .help = "Usage: hull start [-a] [-i] CONTAINER...\n\n"
	    "  -a, --attach       show the output and wait for the end; exit with the container's status\n"
	    "  -i, --interactive  our stdin is the container's\n",
};
