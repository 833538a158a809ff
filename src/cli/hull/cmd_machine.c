/* hull machine: create, start, stop, shell, list, status, logs, rm of machines (src/machine/). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "machine/machine.h"
#include "runtime/runtime.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/timefmt.h"

/* --from a tarball or a directory: imported as the image localhost/hull-machine/NAME:latest (by
 * hull-image, which has libarchive; a directory goes through tar). */
static int import_root(struct hull_cli *cli, const char *name, const char *from, char *image, size_t size)
{
	struct hull_error *err = NULL;
	struct stat st;
	int ret;

	snprintf(image, size, "localhost/hull-machine/%s:latest", name);
	if (stat(from, &st) < 0)
		return 1; /* not a path: an image name */
	if (S_ISREG(st.st_mode)) {
		const char *args[] = {"import", from, image, NULL};
		ret = hull_image_helper_run(cli, args, -1, true);
	} else if (S_ISDIR(st.st_mode)) {
		const char *args[] = {"import", "-", image, NULL};
		int pipe_fds[2], status;
		pid_t tar;
		if (pipe2(pipe_fds, O_CLOEXEC) < 0)
			return hull_error_errno(&err, "machine create `%s`: pipe", name), cli_fail(&err), -1;
		tar = fork();
		if (tar == 0) {
			dup2(pipe_fds[1], 1);
			execlp("tar", "tar", "-C", from, "--numeric-owner", "--xattrs", "-cf", "-", ".",
			       (char *)NULL);
			_exit(127);
		}
		close(pipe_fds[1]);
		ret = tar < 0 ? -errno : hull_image_helper_run(cli, args, pipe_fds[0], true);
		close(pipe_fds[0]);
		if (tar > 0 &&
		    (waitpid(tar, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
			ret = ret < 0 ? ret : -EIO;
	} else {
		hull_error_fail(&err, EINVAL,
				"machine create `%s`: `%s` is neither a directory nor a tarball", name, from);
		return cli_fail(&err), -1;
	}
	if (ret < 0) {
		hull_error_fail(&err, -ret, "machine create `%s`: importing `%s` failed", name, from);
		return cli_fail(&err), -1;
	}
	return 0;
}

/* machine create NAME --from IMAGE|DIR|TARBALL [--network MODE] [--single-user] */
static int machine_create_cmd(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"network", required_argument, NULL, 'n'},
	    {"single-user", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct machine_options o = {0};
	struct hull_error *err = NULL;
	char id[ENGINE_ID_LEN + 1], image[320];
	bool imported = false;
	int c;

	/* Options may follow the name (permuted, as machinectl's are): 0 makes getopt start afresh, as the
	 * global options were read in order. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'f')
			o.image = optarg;
		else if (c == 'n')
			o.network = strcmp(optarg, "bridge") == 0 ? "local" : optarg;
		else if (c == 's')
			o.single_user = true;
		else
			return hull_usage_error("machine create", "unknown option `%s`", argv[optind - 1]);
	}
	if (argc - optind != 1 || o.image == NULL)
		return hull_usage_error("machine create", "takes a name and --from IMAGE|DIR|TARBALL");
	o.name = argv[optind];
	if (!engine_name_valid(o.name, strlen(o.name)))
		return hull_error_invalid(
			   &err, "machine create: `%.80s` is not a machine name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
			   o.name),
		       cli_fail(&err);
	switch (import_root(cli, o.name, o.image, image, sizeof(image))) {
	case 0:
		o.image = image;
		imported = true;
		break;
	case 1:
		break;
	default:
		return 1;
	}
	{
		/* The store is opened only now: hull-image imports, and may remove, without it held. */
		cleanup_store struct store *store = NULL;
		struct engine e;
		int ret = hull_open_engine(cli, &store, &e, &err);
		if (ret >= 0) {
			ret = machine_create(&e, &o, id, &err);
			engine_close(&e);
			store_free(&store);
		}
		if (ret < 0) {
			/* An image made for it goes with the machine that was not made. */
			if (imported) {
				const char *args[] = {"rmi", image, NULL};
				hull_image_helper_run(cli, args, -1, true);
			}
			return cli_fail(&err);
		}
	}
	printf("%s\n", id);
	return 0;
}

/* The mirror apt uses (deb822 sources of Debian 12 on), else Debian's own. */
static void debian_mirror(char *out, size_t size)
{
	FILE *f = fopen("/etc/apt/sources.list.d/debian.sources", "re");
	char line[512];

	snprintf(out, size, "http://deb.debian.org/debian");
	while (f && fgets(line, sizeof(line), f)) {
		char uri[400];
		if (sscanf(line, "URIs: %399s", uri) == 1 && strncmp(uri, "http", 4) == 0 &&
		    strlen(uri) > 7 && strcmp(uri + strlen(uri) - 7, "/debian") == 0) {
			snprintf(out, size, "%s", uri);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* debootstrap into dir, in a mount namespace of its own (it mounts /proc and /sys in the new root); its
 * log in dir.log, whose last line says why it failed. */
static int run_debootstrap(const char *suite, const char *variant, const char *include, const char *dir,
			   char *why, size_t why_size)
{
	char mirror[512], packages[1024], log[4400], variant_arg[128];
	int status;
	pid_t pid;

	debian_mirror(mirror, sizeof(mirror));
	snprintf(packages, sizeof(packages), "--include=systemd-sysv,dbus,iproute2,procps%s%s",
		 include ? "," : "", include ? include : "");
	snprintf(variant_arg, sizeof(variant_arg), "--variant=%s", variant);
	snprintf(log, sizeof(log), "%s.log", dir);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(126);
		execlp("debootstrap", "debootstrap", variant_arg, packages, suite, dir, mirror, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(why, why_size, "%s",
		 WIFEXITED(status) && WEXITSTATUS(status) == 127
		     ? "debootstrap is not installed (apt-get install debootstrap)"
		     : "debootstrap failed");
	{
		/* Its last line of output, when it said something. */
		FILE *f = fopen(log, "re");
		char line[512], last[512] = "";
		while (f && fgets(line, sizeof(line), f))
			if (line[0] != '\n')
				snprintf(last, sizeof(last), "%s", line);
		if (f)
			fclose(f);
		last[strcspn(last, "\n")] = '\0';
		if (*last && !(WIFEXITED(status) && WEXITSTATUS(status) == 127))
			snprintf(why, why_size, "debootstrap: %.400s", last);
	}
	return -EIO;
}

/* machine bootstrap NAME SUITE [--variant V] [--include PKG,...] [--network MODE] [--single-user]: a Debian
 * root made with debootstrap (systemd as its init), its host name the machine's, then made a machine of as
 * a directory is. */
static int machine_bootstrap_cmd(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"variant", required_argument, NULL, 'v'},
	    {"include", required_argument, NULL, 'i'},
	    {"network", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const char *variant = "minbase", *include = NULL, *network = NULL, *name, *suite;
	struct hull_error *err = NULL;
	char dir[4200], root[4300], hostname[4400], why[600];
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'v')
			variant = optarg;
		else if (c == 'i')
			include = optarg;
		else if (c == 'n')
			network = optarg;
		else
			return hull_usage_error("machine bootstrap", "unknown option `%s`", argv[optind - 1]);
	}
	if (argc - optind != 2)
		return hull_usage_error("machine bootstrap",
					"takes a name and a suite (bullseye, bookworm, trixie)");
	name = argv[optind];
	suite = argv[optind + 1];
	if (!engine_name_valid(name, strlen(name)))
		return hull_error_invalid(&err, "machine bootstrap: `%.80s` is not a machine name", name),
		       cli_fail(&err);
	if (strspn(suite, "abcdefghijklmnopqrstuvwxyz-") != strlen(suite) || !*suite ||
	    strspn(variant, "abcdefghijklmnopqrstuvwxyz-") != strlen(variant) ||
	    (include && strspn(include, "abcdefghijklmnopqrstuvwxyz0123456789+-.,") != strlen(include)))
		return hull_error_invalid(&err,
					  "machine bootstrap `%s`: the suite, variant and packages are plain "
					  "Debian names",
					  name),
		       cli_fail(&err);
	if (fs_mkdir_parents(cli->store_path, 0700, &err) < 0)
		return hull_error_wrap(&err, "machine bootstrap `%s`", name), cli_fail(&err);
	snprintf(dir, sizeof(dir), "%s/.bootstrap-XXXXXX", cli->store_path);
	if (mkdtemp(dir) == NULL)
		return hull_error_errno(&err, "machine bootstrap `%s`: `%s`", name, dir), cli_fail(&err);
	snprintf(root, sizeof(root), "%s/root", dir);
	if (isatty(2))
		fprintf(stderr, "Bootstrapping Debian %s into a root for `%s` (debootstrap)...\n", suite,
			name);
	if ((ret = run_debootstrap(suite, variant, include, root, why, sizeof(why))) < 0) {
		hull_error_fail(&err, -ret, "machine bootstrap `%s`: %s", name, why);
		ret = cli_fail(&err);
	} else {
		char *args[] = {"create",	 (char *)name, "--from", root, network ? "--network" : NULL,
				(char *)network, NULL};
		/* Its own name, and a root login on the console, as a machine is entered. */
		FILE *f;
		snprintf(hostname, sizeof(hostname), "%s/etc/hostname", root);
		if ((f = fopen(hostname, "we")) != NULL) {
			fprintf(f, "%s\n", name);
			fclose(f);
		}
		ret = machine_create_cmd(cli, network ? 6 : 4, args);
	}
	fs_remove_tree(AT_FDCWD, dir, NULL);
	return ret;
}

/* The unit `machine enable` writes: the machine started at boot, stopped at shutdown, by this hull on this
 * store. */
static char *machine_unit(const struct engine *e, const struct hull_cli *cli, const char *name)
{
	char *text = NULL;

	if (asprintf(&text,
		     "# hull machine %s, started at the host's boot (hull machine enable %s)\n"
		     "[Unit]\n"
		     "Description=hull machine %s\n"
		     "Documentation=man:hull(1)\n"
		     "Wants=network-online.target\n"
		     "After=network-online.target local-fs.target\n\n"
		     "[Service]\n"
		     "Type=oneshot\n"
		     "RemainAfterExit=yes\n"
		     "ExecStart=%s --store %s --runroot %s machine start %s\n"
		     "ExecStop=%s --store %s --runroot %s machine stop %s\n"
		     "# The machine's monitor outlives this unit's process: it is not the unit's to kill.\n"
		     "KillMode=none\n\n"
		     "[Install]\n"
		     "WantedBy=multi-user.target\n",
		     name, name, name, e->self, cli->store_path, cli->runroot, name, e->self, cli->store_path,
		     cli->runroot, name) < 0)
		return NULL;
	return text;
}

static int systemctl(const char *verb, const char *unit)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("systemctl", "systemctl", "--quiet", verb, unit,
		       (char *)NULL); /* unit NULL ends the list */
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* enable: the autostart mark (for `hull system boot` or `machine autostart` from an init script), and on
 * a host with systemd a unit of its own; disable undoes both. */
static int machine_enable(struct engine *e, const struct hull_cli *cli, struct app_container *c, bool on,
			  struct hull_error **err)
{
	const char *dir = getenv("HULL_UNIT_DIR") ? getenv("HULL_UNIT_DIR") : "/etc/systemd/system";
	bool systemd_pid1 = access("/run/systemd/system", F_OK) == 0 && getenv("HULL_UNIT_DIR") == NULL;
	char unit[512], path[4700];
	struct stat st;

	snprintf(unit, sizeof(unit), "hull-machine-%s.service", app_container_name(c));
	snprintf(path, sizeof(path), "%s/%s", dir, unit);
	if (engine_set_autostart(e, c, on, err) < 0)
		return -1;
	if (!on) {
		if (systemd_pid1)
			systemctl("disable", unit);
		if (unlink(path) < 0 && errno != ENOENT)
			return hull_error_errno(err, "`%s`", path);
		return 0;
	}
	/* Without systemd's unit directory the mark alone does it (hull's init script runs system boot). */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	{
		cleanup_free char *text = machine_unit(e, cli, app_container_name(c));
		if (text == NULL)
			return hull_error_set(err, ENOMEM, "unit");
		if (fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644, err) < 0) {
			engine_set_autostart(e, c, false, NULL);
			return -1;
		}
	}
	if (systemd_pid1 && (systemctl("daemon-reload", NULL) < 0 || systemctl("enable", unit) < 0)) {
		unlink(path);
		engine_set_autostart(e, c, false, NULL);
		return hull_error_fail(err, EIO, "systemctl enable `%s` failed", unit);
	}
	return 0;
}

/* machine shell NAME [CMD...]: a root shell (or CMD) in the machine, running or not, with a pty of its
 * own when ours is a terminal. */
static int machine_shell_cmd(struct engine *e, int argc, char **argv)
{
	static char *shell[] = {"/bin/sh", "-l", NULL};
	struct app_container c;
	struct exec_options o = {0};
	struct hull_error *err = NULL;
	int code = 0;

	if (argc < 2)
		return hull_usage_error("machine shell", "takes a machine");
	if (machine_find(e, argv[1], &c, &err) < 0)
		return hull_error_wrap(&err, "machine shell"), cli_fail(&err);
	o.args = argc > 2 ? argv + 2 : shell;
	o.n_args = argc > 2 ? argc - 2 : 2;
	o.tty = isatty(0) && isatty(1);
	{
		struct app_state st;
		engine_state(e, &c, &st);
		/* Stopped: the command runs on its root alone, as a one-off container. */
		if (st.status != APP_RUNNING && st.status != APP_PAUSED) {
			if (engine_oneoff(e, &c, o.args, (size_t)o.n_args, o.tty, &code, &err) < 0) {
				hull_error_wrap(&err, "machine");
				code = cli_fail(&err);
			}
			app_container_free(&c);
			return code;
		}
	}
	if (engine_exec(e, &c, &o, &code, &err) < 0) {
		hull_error_wrap(&err, "machine shell `%s`", argv[1]);
		code = cli_fail(&err);
	}
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
static int machine_show(struct engine *e, const char *only)
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
			printf("Name:    %s\nId:      %s\nState:   %s\nInit:    %s\nPid:     %d\nAddress: "
			       "%s\nUptime:  "
			       "%s\nMemory:  %s\n",
			       app_container_name(&list[i]), list[i].id, app_status_name(st.status),
			       machine_init_of(&list[i]), st.status == APP_RUNNING ? (int)st.pid : 0,
			       *address ? address : "-", up, memory);
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

static int parse_timeout(const char *command, int argc, char **argv, int *first, int *timeout)
{
	*first = 2;
	*timeout = -1;
	if (argc > 3 && (strcmp(argv[2], "-t") == 0 || strcmp(argv[2], "--time") == 0)) {
		char *end;
		long t = strtol(argv[3], &end, 10);
		if (*argv[3] == '\0' || *end || t < 0 || t > 3600)
			return hull_usage_error(command, "-t: `%s` is not a number of seconds", argv[3]);
		*timeout = (int)t;
		*first = 4;
	}
	return 0;
}

static int run_machine(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	const char *sub = argc > 1 ? argv[1] : "";
	struct hull_error *err = NULL;
	struct engine e;
	int ret = 0;

	static const char *const subs[] = {"create",  "bootstrap", "start",  "stop",  "restart",
					   "kill",    "shell",	   "attach", "list",  "ls",
					   "status",  "logs",	   "rename", "rm",    "enable",
					   "disable", "autostart", "unit",   "clone", NULL};
	bool known = false;

	for (size_t i = 0; subs[i]; i++)
		known |= strcmp(sub, subs[i]) == 0;
	if (!known)
		return hull_usage_error("machine",
					"expected create, bootstrap, start, stop, restart, kill, shell, "
					"attach, list, status, logs, rename, clone, rm, enable, disable, "
					"autostart or unit");
	if (strcmp(sub, "create") == 0)
		return machine_create_cmd(cli, argc - 1, argv + 1);
	if (strcmp(sub, "bootstrap") == 0)
		return machine_bootstrap_cmd(cli, argc - 1, argv + 1);
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	if (strcmp(sub, "attach") == 0) {
		/* The console, as `hull attach` gives it, once the name is known to be a machine's. */
		struct app_container c;
		char *args[] = {"attach", argc == 3 ? argv[2] : NULL, NULL};
		if (argc != 3) {
			engine_close(&e);
			return hull_usage_error("machine attach", "takes one machine");
		}
		ret = machine_find(&e, argv[2], &c, &err);
		engine_close(&e);
		if (ret < 0)
			return hull_error_wrap(&err, "machine attach"), cli_fail(&err);
		app_container_free(&c);
		store_free(&store);
		return cmd_attach.run(cli, 2, args);
	}
	if (strcmp(sub, "autostart") == 0) {
		/* What an init script or rc.local runs at boot: every enabled machine that is not running. */
		struct app_container *list;
		size_t n;
		if (engine_list(&e, &list, &n, &err) < 0)
			ret = cli_fail(&err);
		else {
			for (size_t i = 0; i < n; i++) {
				struct app_state st;
				engine_state(&e, &list[i], &st);
				if (machine_is(&list[i]) && engine_autostart(&e, &list[i]) &&
				    st.status != APP_RUNNING && st.status != APP_PAUSED &&
				    machine_start(&e, &list[i], &err) < 0) {
					hull_error_wrap(&err, "machine autostart");
					ret = cli_fail(&err);
				}
				app_container_free(&list[i]);
			}
			free(list);
		}
	} else if (strcmp(sub, "unit") == 0) {
		struct app_container c;
		if (argc != 3)
			ret = hull_usage_error("machine unit", "takes one machine");
		else if (machine_find(&e, argv[2], &c, &err) < 0)
			ret = (hull_error_wrap(&err, "machine unit"), cli_fail(&err));
		else {
			cleanup_free char *text = machine_unit(&e, cli, app_container_name(&c));
			fputs(text ? text : "", stdout);
			app_container_free(&c);
		}
	} else if (strcmp(sub, "clone") == 0) {
		struct app_container c;
		char id[ENGINE_ID_LEN + 1];
		if (argc != 4)
			ret = hull_usage_error("machine clone", "takes a machine and the clone's name");
		else if (machine_find(&e, argv[2], &c, &err) < 0)
			ret = (hull_error_wrap(&err, "machine clone"), cli_fail(&err));
		else {
			if (machine_clone(&e, &c, argv[3], id, &err) < 0)
				ret = cli_fail(&err);
			else
				printf("%s\n", id);
			app_container_free(&c);
		}
	} else if (strcmp(sub, "rename") == 0) {
		struct app_container c;
		if (argc != 4)
			ret = hull_usage_error("machine rename", "takes a machine and its new name");
		else if (machine_find(&e, argv[2], &c, &err) < 0)
			ret = (hull_error_wrap(&err, "machine rename"), cli_fail(&err));
		else {
			if (engine_rename(&e, &c, argv[3], &err) < 0)
				ret = (hull_error_wrap(&err, "machine rename"), cli_fail(&err));
			app_container_free(&c);
		}
	} else if (strcmp(sub, "shell") == 0) {
		ret = machine_shell_cmd(&e, argc - 1, argv + 1);
	} else if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0) {
		ret = argc > 2 ? hull_usage_error("machine list", "takes no arguments")
			       : machine_show(&e, NULL);
	} else if (strcmp(sub, "status") == 0) {
		ret = argc != 3 ? hull_usage_error("machine status", "takes one machine")
				: machine_show(&e, argv[2]);
	} else {
		int first = 2, timeout = -1;
		bool force = false, follow = false;
		if ((strcmp(sub, "stop") == 0 || strcmp(sub, "restart") == 0) &&
		    parse_timeout("machine stop", argc, argv, &first, &timeout) != 0) {
			engine_close(&e);
			return 1;
		}
		int sig = SIGTERM;
		if (strcmp(sub, "kill") == 0 && argc > 3 && strcmp(argv[2], "-s") == 0) {
			struct hull_error *bad = NULL;
			if (signal_parse(argv[3], &sig, &bad) < 0) {
				engine_close(&e);
				return hull_error_wrap(&bad, "machine kill"), cli_fail(&bad);
			}
			first = 4;
		}
		if (strcmp(sub, "rm") == 0 && argc > 2 && strcmp(argv[2], "-f") == 0)
			force = true, first = 3;
		if (strcmp(sub, "logs") == 0 && argc > 2 && strcmp(argv[2], "-f") == 0)
			follow = true, first = 3;
		if (first >= argc)
			ret = hull_usage_error("machine", "%s takes a machine", sub);
		for (int i = first; i < argc && ret == 0; i++) {
			struct app_container c;
			struct logs_options lo = {.follow = follow, .tail = -1};
			int r;
			if (machine_find(&e, argv[i], &c, &err) < 0) {
				hull_error_wrap(&err, "machine %s", sub);
				ret = cli_fail(&err);
				break;
			}
			if (strcmp(sub, "start") == 0)
				r = machine_start(&e, &c, &err);
			else if (strcmp(sub, "stop") == 0)
				r = machine_stop(&e, &c, timeout, &err);
			else if (strcmp(sub, "kill") == 0)
				r = engine_kill(&e, &c, sig, &err);
			else if (strcmp(sub, "enable") == 0 || strcmp(sub, "disable") == 0)
				r = machine_enable(&e, cli, &c, strcmp(sub, "enable") == 0, &err);
			else if (strcmp(sub, "restart") == 0) {
				/* The records change under stop: found again before the start. */
				struct app_container again;
				r = machine_stop(&e, &c, timeout, &err);
				if (r >= 0 && (r = machine_find(&e, c.id, &again, &err)) >= 0) {
					r = machine_start(&e, &again, &err);
					app_container_free(&again);
				}
			} else if (strcmp(sub, "logs") == 0)
				r = engine_logs(&e, &c, &lo, 1, 2, &err);
			else
				r = engine_remove(&e, &c, force, &err);
			if (r < 0) {
				hull_error_wrap(&err, "machine %s", sub);
				ret = cli_fail(&err);
			}
			app_container_free(&c);
		}
	}
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_machine = {
    .name = "machine",
    .run = run_machine,
    .summary = "machines: whole distributions that boot their own init in the background",
    .help =
	"Usage: hull machine create NAME --from IMAGE|DIR|TARBALL [--network MODE] [--single-user]\n"
	"       hull machine bootstrap NAME SUITE [--variant V] [--include PKG,...] [--network MODE]\n"
	"       hull machine start|stop [-t SECONDS]|restart [-t SECONDS]|kill [-s SIGNAL]|rm [-f]|logs "
	"[-f]\n"
	"            NAME...\n"
	"       hull machine rename NAME NEWNAME | enable|disable NAME... | autostart | unit NAME\n"
	"       hull machine shell NAME [COMMAND...] | attach NAME\n"
	"       hull machine list | status NAME\n\n"
	"A machine boots the init of its root (systemd, sysvinit or busybox init; a shell with\n"
	"--single-user) as PID 1 under hull's monitor, its console a pty whose output is the log; stop\n"
	"asks the init to power off by its own signal (SIGRTMIN+3, SIGPWR, SIGUSR2) and kills it after\n"
	"the timeout (10 s).  shell runs a login shell, or COMMAND, in the running machine; attach\n"
	"connects to its console (ctrl-p ctrl-q lets go).  A directory or a tarball given to --from is\n"
	"imported as the image localhost/hull-machine/NAME:latest.  enable starts it at the host's boot:\n"
	"a unit hull-machine-NAME.service in /etc/systemd/system (enabled when systemd runs the host;\n"
	"$HULL_UNIT_DIR elsewhere), and a mark that `hull system boot` and `machine autostart` (for an\n"
	"init script or rc.local) honour; unit prints the unit.\n",
};
