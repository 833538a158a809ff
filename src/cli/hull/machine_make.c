/* hull machine create and bootstrap: machines made from an image, a directory, a tarball or debootstrap
 * (src/machine/), their settings given as flags and written to the settings file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "cli/hull/machine_cli.h"
#include "engine/engine.h"
#include "machine/bootstrap.h"
#include "machine/machine.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/units.h"

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

/* The settings flags create and bootstrap share; 0 when the option is not one of them. */
static int settings_option(const char *command, int c, struct machine_settings *s)
{
	switch (c) {
	case 'n':
		free(s->network);
		s->network = strdup(strcmp(optarg, "bridge") == 0 ? "local" : optarg);
		return 1;
	case 's':
		s->single_user = true;
		return 1;
	case 'b':
		if (s->n_binds == MACHINE_MAX_BINDS)
			return -hull_usage_error(command, "--bind: at most %d", MACHINE_MAX_BINDS);
		if (optarg[0] != '/' || strchr(optarg, ':') == NULL)
			return -hull_usage_error(command, "--bind: `%s` is not HOST:MACHINE[:ro]", optarg);
		s->binds[s->n_binds++] = strdup(optarg);
		return 1;
	case 'm':
		if (units_parse_size(optarg, &s->memory) < 0 || s->memory < 0)
			return -hull_usage_error(command, "--memory: `%s` is not a size", optarg);
		return 1;
	case 'c': {
		char *end;
		s->cpus = strtod(optarg, &end);
		if (!*optarg || *end || !(s->cpus > 0 && s->cpus <= 4096))
			return -hull_usage_error(command, "--cpus: `%s` is not a number of CPUs", optarg);
		return 1;
	}
	case 'p': {
		char *end;
		s->pids = strtoll(optarg, &end, 10);
		if (!*optarg || *end || s->pids <= 0)
			return -hull_usage_error(command, "--pids-limit: `%s` is not a number", optarg);
		return 1;
	}
	case 'e':
		s->ephemeral = true;
		return 1;
	default:
		return 0;
	}
}

#define SETTINGS_OPTIONS                                                                                   \
	{"network", required_argument, NULL, 'n'}, {"single-user", no_argument, NULL, 's'},                \
	    {"bind", required_argument, NULL, 'b'}, {"memory", required_argument, NULL, 'm'},              \
	    {"cpus", required_argument, NULL, 'c'}, {"pids-limit", required_argument, NULL, 'p'},          \
	    {"ephemeral", no_argument, NULL, 'e'}

/* The machine made of image (imported for it when imported), its settings s. */
static int create_machine(struct hull_cli *cli, const char *name, const char *image, bool imported,
			  const struct machine_settings *s)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	char id[ENGINE_ID_LEN + 1];
	struct engine e;
	/* The store is opened only now: hull-image imports, and may remove, without it held. */
	int ret = hull_open_engine(cli, &store, &e, &err);

	if (ret >= 0) {
		ret = machine_create(&e, name, image, s, id, &err);
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
	printf("%s\n", id);
	return 0;
}

int machine_create_cmd(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"from", required_argument, NULL, 'f'},
	    SETTINGS_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	struct machine_settings s = {0};
	struct hull_error *err = NULL;
	const char *from = NULL, *name;
	char image[320];
	int c, ret = 0;

	/* Options may follow the name (permuted, as machinectl's are): 0 makes getopt start afresh, as the
	 * global options were read in order. */
	optind = 0;
	opterr = 0;
	while (ret >= 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'f')
			from = optarg;
		else if ((ret = settings_option("machine create", c, &s)) == 0)
			ret = -hull_usage_error("machine create", "unknown option `%s`", argv[optind - 1]);
	}
	if (ret < 0)
		goto out;
	if (argc - optind != 1 || from == NULL) {
		ret = hull_usage_error("machine create", "takes a name and --from IMAGE|DIR|TARBALL");
		goto out;
	}
	name = argv[optind];
	if (!engine_name_valid(name, strlen(name))) {
		hull_error_invalid(&err, "machine create: `%.80s` is not a machine name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
				   name);
		ret = cli_fail(&err);
		goto out;
	}
	switch (import_root(cli, name, from, image, sizeof(image))) {
	case 0:
		ret = create_machine(cli, name, image, true, &s);
		break;
	case 1:
		ret = create_machine(cli, name, from, false, &s);
		break;
	default:
		ret = 1;
	}
out:
	machine_settings_free(&s);
	return ret < 0 ? -ret : ret;
}

int machine_bootstrap_cmd(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"variant", required_argument, NULL, 'v'},
	    {"include", required_argument, NULL, 'i'},
	    SETTINGS_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	const char *variant = "minbase", *include = NULL, *name, *suite;
	struct machine_settings s = {0};
	struct hull_error *err = NULL;
	char dir[4200], root[4300], image[320];
	int c, ret = 0;

	optind = 0;
	opterr = 0;
	while (ret >= 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'v')
			variant = optarg;
		else if (c == 'i')
			include = optarg;
		else if ((ret = settings_option("machine bootstrap", c, &s)) == 0)
			ret = -hull_usage_error("machine bootstrap", "unknown option `%s`", argv[optind - 1]);
	}
	if (ret < 0)
		goto out;
	if (argc - optind != 2) {
		ret = hull_usage_error("machine bootstrap",
				       "takes a name and a suite (bullseye, bookworm, trixie)");
		goto out;
	}
	name = argv[optind];
	suite = argv[optind + 1];
	if (!engine_name_valid(name, strlen(name))) {
		hull_error_invalid(&err, "machine bootstrap: `%.80s` is not a machine name", name);
		ret = cli_fail(&err);
		goto out;
	}
	if (strspn(suite, "abcdefghijklmnopqrstuvwxyz-") != strlen(suite) || !*suite ||
	    strspn(variant, "abcdefghijklmnopqrstuvwxyz-") != strlen(variant) ||
	    (include && strspn(include, "abcdefghijklmnopqrstuvwxyz0123456789+-.,") != strlen(include))) {
		hull_error_invalid(&err, "machine bootstrap `%s`: the suite, variant and packages are plain Debian names",
				   name);
		ret = cli_fail(&err);
		goto out;
	}
	if (fs_mkdir_parents(cli->store_path, 0700, &err) < 0) {
		ret = (hull_error_wrap(&err, "machine bootstrap `%s`", name), cli_fail(&err));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/.bootstrap-XXXXXX", cli->store_path);
	if (mkdtemp(dir) == NULL) {
		ret = (hull_error_errno(&err, "machine bootstrap `%s`: `%s`", name, dir), cli_fail(&err));
		goto out;
	}
	snprintf(root, sizeof(root), "%s/root", dir);
	if (isatty(2))
		fprintf(stderr, "Bootstrapping Debian %s into a root for `%s` (debootstrap)...\n", suite, name);
	if (machine_debootstrap(suite, variant, include, root, &err) < 0 ||
	    machine_root_prepare(root, name, &err) < 0) {
		hull_error_wrap(&err, "machine bootstrap `%s`", name);
		ret = cli_fail(&err);
	} else if ((ret = import_root(cli, name, root, image, sizeof(image))) == 0) {
		ret = create_machine(cli, name, image, true, &s);
	}
	fs_remove_tree(AT_FDCWD, dir, NULL);
out:
	machine_settings_free(&s);
	return ret < 0 ? -ret : ret;
}
