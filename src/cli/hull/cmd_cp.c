/* hull cp CONTAINER:SRC DEST | SRC CONTAINER:DEST */
#include <stdio.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "util/cleanup.h"

/* "NAME:PATH" names a container's path when the colon comes before any slash (a host path may hold
 * colons further on). */
static const char *container_part(const char *arg, char *name, size_t size)
{
	const char *colon = strchr(arg, ':'), *slash = strchr(arg, '/');

	if (colon == NULL || colon == arg || (slash && slash < colon) || (size_t)(colon - arg) >= size)
		return NULL;
	snprintf(name, size, "%.*s", (int)(colon - arg), arg);
	return colon + 1;
}

static int run_cp(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct app_container c;
	struct hull_error *err = NULL;
	char from_name[256], to_name[256];
	const char *from_path, *to_path;
	int ret = 0;

	if (argc != 3)
		return hull_usage_error("cp", "takes CONTAINER:SRC DEST or SRC CONTAINER:DEST");
	from_path = container_part(argv[1], from_name, sizeof(from_name));
	to_path = container_part(argv[2], to_name, sizeof(to_name));
	if ((from_path == NULL) == (to_path == NULL))
		return hull_usage_error("cp", "one side, and one only, is CONTAINER:PATH");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	if (engine_find(&e, from_path ? from_name : to_name, &c, &err) < 0) {
		hull_error_wrap(&err, "cp");
		ret = cli_fail(&err);
	} else {
		if (from_path ? engine_cp_from(&e, &c, *from_path ? from_path : "/", argv[2], &err)
			      : engine_cp_to(&e, &c, argv[1], *to_path ? to_path : "/", &err))
			ret = cli_fail(&err);
		app_container_free(&c);
	}
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_cp = {
    .name = "cp",
    .run = run_cp,
    .summary = "copy files between a container and the host",
    .help =
	"Usage: hull cp CONTAINER:SRC DEST\n"
	"       hull cp SRC CONTAINER:DEST\n\n"
	"Copies a file or a directory tree (owners, modes and links kept).  Paths inside the container\n"
	"are resolved within its root: a symlink there means what it means inside the container and never\n"
	"leads to the host's files.  Into an existing directory, the source keeps its name.\n",
};
