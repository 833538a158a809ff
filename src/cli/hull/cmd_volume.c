/* hull volume create, ls, inspect, rm, prune. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/json.h"

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int run_volume(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	const char *sub = argc > 1 ? argv[1] : "";
	struct engine e;
	struct hull_error *err = NULL;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (strcmp(sub, "create") && strcmp(sub, "ls") && strcmp(sub, "list") && strcmp(sub, "inspect") &&
	    strcmp(sub, "rm") && strcmp(sub, "prune"))
		return hull_usage_error("volume", "expected create, ls, inspect, rm or prune");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	if (strcmp(sub, "create") == 0) {
		char name[ENGINE_ID_LEN + 1];
		if (argc > 3)
			ret = hull_usage_error("volume", "create takes at most a name");
		else if (engine_volume_create(&e, argc == 3 ? argv[2] : NULL, name, &err) < 0)
			ret = cli_fail(&err);
		else
			printf("%s\n", name);
	} else if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0) {
		bool quiet = argc > 2 && strcmp(argv[2], "-q") == 0;
		if (engine_volume_names(&e, &names, &n, &err) < 0)
			ret = cli_fail(&err);
		if (!quiet && ret == 0)
			printf("%-8s  %s\n", "DRIVER", "VOLUME NAME");
		for (size_t i = 0; ret == 0 && i < n; i++)
			printf(quiet ? "%.0s%s\n" : "%-8s  %s\n", "local", names[i]);
	} else if (strcmp(sub, "inspect") == 0) {
		json_object *out = json_object_new_array();
		for (int i = 2; i < argc && ret == 0; i++) {
			json_object *doc = engine_volume_doc(&e, argv[i]);
			if (doc == NULL) {
				hull_error_fail(&err, 2, "volume inspect: no such volume: `%.80s`", argv[i]);
				ret = cli_fail(&err);
			} else
				json_object_array_add(out, doc);
		}
		if (argc < 3)
			ret = hull_usage_error("volume", "inspect takes one or more volumes");
		else if (ret == 0)
			printf("%s\n", json_object_to_json_string_ext(
					   out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(out);
	} else if (strcmp(sub, "rm") == 0) {
		if (argc < 3)
			ret = hull_usage_error("volume", "rm takes one or more volumes");
		for (int i = 2; i < argc; i++)
			if (engine_volume_remove(&e, argv[i], &err) < 0)
				ret = cli_fail(&err);
			else
				printf("%s\n", argv[i]);
	} else {
		/* prune: every volume no container uses. */
		size_t removed = 0;
		if (engine_volume_names(&e, &names, &n, &err) < 0)
			ret = cli_fail(&err);
		for (size_t i = 0; ret == 0 && i < n; i++) {
			if (engine_volume_remove(&e, names[i], &err) == 0)
				removed++;
			else
				hull_error_free(&err);
		}
		printf("Removed %zu volumes\n", removed);
	}
	free_names(names, n);
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_volume = {
    .name = "volume",
    .run = run_volume,
    .summary = "create, ls, inspect, rm and prune named volumes",
    .help = "Usage: hull volume create [NAME] | ls [-q] | inspect NAME... | rm NAME... | prune\n\n"
	    "Volumes live in the store (volumes/NAME/_data).  A new one that a container mounts is filled\n"
	    "with what the image has at its mount point.  rm refuses a volume a container uses; prune\n"
	    "removes every volume no container uses.\n",
};
