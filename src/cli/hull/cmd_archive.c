/* save and load: images as tar archives, as docker and podman trade them. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "image/archive.h"
#include "image/import_export.h"
#include "util/cleanup.h"

/* What save and export write, given the open store and the descriptor to write to. */
typedef int (*output_writer)(struct store *s, int fd, void *arg, struct hull_error **err);

/* Runs write into a temporary file next to path, renamed into place when complete, so a failure leaves
 * nothing; or into standard output when there is no path (never into a terminal). */
static int write_output(struct hull_cli *cli, const char *command, const char *path, output_writer write,
			void *arg)
{
	cleanup_store struct store *store = NULL;
	cleanup_free char *tmp = NULL;
	struct hull_error *err = NULL;
	int fd = STDOUT_FILENO, ret;

	if (path == NULL && isatty(STDOUT_FILENO))
		return hull_usage_error(command, "will not write a tar archive to a terminal: use -o FILE");
	if (path && (asprintf(&tmp, "%s.hull-XXXXXX", path) < 0 || (fd = mkostemp(tmp, O_CLOEXEC)) < 0)) {
		hull_error_errno(&err, "%s: create `%s`", command, path);
		return cli_fail(&err);
	}
	if (path && fchmod(fd, 0644) < 0) {
		/* mkostemp made it 0600; readable by others is only a courtesy */
	}
	ret = hull_open_store(cli, false, &store, &err);
	if (ret >= 0)
		ret = write(store, fd, arg, &err);
	if (path) {
		if (ret >= 0 && (fsync(fd) < 0 || rename(tmp, path) < 0))
			ret = hull_error_errno(&err, "%s: `%s`", command, path);
		close(fd);
		if (ret < 0)
			unlink(tmp);
	}
	return ret < 0 ? cli_fail(&err) : 0;
}

struct save_args {
	const char *const *images;
	size_t n;
	enum archive_format format;
};

static int save_to(struct store *s, int fd, void *arg, struct hull_error **err)
{
	struct save_args *a = arg;
	return image_save(s, a->images, a->n, a->format, fd, err);
}

static int export_to(struct store *s, int fd, void *arg, struct hull_error **err)
{
	return image_export(s, arg, fd, err);
}

static int run_save(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	enum archive_format format = ARCHIVE_DOCKER;
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:", options, NULL)) != -1) {
		if (c == 'o')
			output = optarg;
		else if (c == 'f' && strcmp(optarg, "docker-archive") == 0)
			format = ARCHIVE_DOCKER;
		else if (c == 'f' && strcmp(optarg, "oci-archive") == 0)
			format = ARCHIVE_OCI;
		else if (c == 'f')
			return hull_usage_error("save", "--format: `%s` is not docker-archive or oci-archive",
						optarg);
		else
			return hull_usage_error("save", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind >= argc)
		return hull_usage_error("save", "missing the image");
	struct save_args a = {(const char *const *)argv + optind, (size_t)(argc - optind), format};
	return write_output(cli, "save", output, save_to, &a);
}

const struct hull_command cmd_save = {
    .name = "save",
    .run = run_save,
    .summary = "write images to a tar archive",
    .help = "Usage: hull save [-o FILE] [--format docker-archive|oci-archive] IMAGE...\n\n"
	    "oci-archive is an OCI image layout; docker-archive (the default) is the same layout with\n"
	    "Docker's manifest.json, as `docker save` writes it since Docker 25, so `docker load`,\n"
	    "`podman load` and `hull load` take it.  Without -o the archive goes to standard output.\n\n"
	    "Example:\n"
	    "  hull save -o busybox.tar busybox\n",
};

static void on_loaded(void *arg, const char *name, const char *digest)
{
	(void)arg;
	if (name)
		printf("Loaded image: %s\n", name);
	else
		printf("Loaded image: %s\n", digest);
}

static int run_load(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"input", required_argument, NULL, 'i'}, {NULL, 0, NULL, 0}};
	cleanup_store struct store *store = NULL;
	cleanup_close int fd = -1;
	struct hull_error *err = NULL;
	const char *input = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:", options, NULL)) != -1) {
		if (c != 'i')
			return hull_usage_error("load", "unknown option `%s`", argv[optind - 1]);
		input = optarg;
	}
	if (optind < argc)
		return hull_usage_error("load", "unexpected argument `%s`", argv[optind]);
	if (input && (fd = open(input, O_RDONLY | O_CLOEXEC)) < 0) {
		hull_error_errno(&err, "load: open `%s`", input);
		return cli_fail(&err);
	}
	if (hull_open_store(cli, false, &store, &err) < 0 ||
	    image_load(store, input ? fd : STDIN_FILENO, on_loaded, NULL, &err) < 0)
		return cli_fail(&err);
	return 0;
}

const struct hull_command cmd_load = {
    .name = "load",
    .run = run_load,
    .summary = "read images from a tar archive",
    .help = "Usage: hull load [-i FILE]\n\n"
	    "Takes what `hull save`, `docker save` (old and new layouts), `podman save` and\n"
	    "`skopeo copy ... oci-archive:` write, plain or compressed; reads standard input without -i.\n"
	    "Every blob is checked against its digest and every layer against its diff id.\n\n"
	    "Example:\n"
	    "  hull load -i busybox.tar\n",
};

static int run_import(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	cleanup_close int fd = -1;
	struct hull_error *err = NULL;
	char digest[DIGEST_MAX];
	const char *file;

	optind = 1;
	if (getopt(argc, argv, "+") != -1)
		return hull_usage_error("import", "unknown option `%s`", argv[optind - 1]);
	if (optind >= argc || argc - optind > 2)
		return hull_usage_error("import", "expected FILE (or -) and, optionally, a NAME");
	file = argv[optind];
	if (strcmp(file, "-") != 0 && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		hull_error_errno(&err, "import: open `%s`", file);
		return cli_fail(&err);
	}
	if (hull_open_store(cli, false, &store, &err) < 0 ||
	    image_import(store, fd >= 0 ? fd : STDIN_FILENO, optind + 1 < argc ? argv[optind + 1] : NULL,
			 digest, &err) < 0)
		return cli_fail(&err);
	printf("%s\n", digest);
	return 0;
}

const struct hull_command cmd_import = {
    .name = "import",
    .run = run_import,
    .summary = "make a one-layer image of a root filesystem tarball",
    .help = "Usage: hull import FILE|- [NAME]\n\n"
	    "The tarball (plain, gzip or zstd) becomes the image's only layer, unchanged; the image\n"
	    "config has the host's platform, a PATH and nothing to run (give the bundle a command).\n"
	    "The manifest digest is printed.\n\n"
	    "Example:\n"
	    "  tar -C rootfs -c . | hull import - localhost/mybase:1\n",
};

static int run_export(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:", options, NULL)) != -1) {
		if (c != 'o')
			return hull_usage_error("export", "unknown option `%s`", argv[optind - 1]);
		output = optarg;
	}
	if (argc - optind != 1)
		return hull_usage_error("export", "expected one IMAGE");
	return write_output(cli, "export", output, export_to, argv[optind]);
}

const struct hull_command cmd_export = {
    .name = "export",
    .run = run_export,
    .summary = "write an image's root filesystem as a tarball",
    .help = "Usage: hull export [-o FILE] IMAGE\n\n"
	    "The image's layers applied in order (whiteouts removing what they hide), as one tar with\n"
	    "numeric owners, modes, xattrs and hard links kept.  Without -o it goes to standard output.\n\n"
	    "Example:\n"
	    "  hull export -o rootfs.tar busybox\n",
};
