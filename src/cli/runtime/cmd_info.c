/* list, spec, features. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "oci/default.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int run_list(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'}, {NULL, 0, NULL, 0}};
	struct hull_error *err = NULL;
	cleanup_strv char **ids = NULL;
	bool quiet = false, json = false;
	json_object *array;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:q", options, NULL)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			json = strcmp(optarg, "json") == 0;
		else if (c == 'f')
			return cli_usage_error("list", "--format: `%s` is not table or json", optarg);
		else
			return cli_usage_error("list", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument `%s`", argv[optind]);
	if (state_list_ids(cli->rt.state_root, &ids, &err) < 0) {
		hull_error_wrap(&err, "list");
		return cli_fail(&err);
	}
	array = json_object_new_array();
	if (!quiet && !json)
		printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
		       "OWNER");
	for (char **id = ids; *id; id++) {
		struct container_state s;
		if (runtime_state(&cli->rt, *id, &s, NULL) < 0)
			continue; /* deleted meanwhile, or being created */
		if (quiet)
			printf("%s\n", s.id);
		else if (json) {
			json_object_array_add(array, state_to_runc_json(&s));
		} else
			printf("%-20s %-8d %-10s %-40s %-31s %s\n", s.id,
			       s.status == STATUS_STOPPED ? 0 : s.pid, state_status_name(s.status), s.bundle,
			       s.created, s.owner);
		state_free(&s);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(array);
	return 0;
}

static int run_spec(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"bundle", required_argument, NULL, 'b'},
						{"rootless", no_argument, NULL, 'r'},
						{NULL, 0, NULL, 0}};
	struct hull_error *err = NULL;
	const char *bundle = ".";
	bool rootless = false;
	cleanup_close int dirfd = -1;
	json_object *config;
	const char *text;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+b:", options, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return cli_usage_error("spec", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("spec", "unexpected argument `%s`", argv[optind]);
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		hull_error_errno(&err, "spec: bundle `%s`", bundle);
		return cli_fail(&err);
	}
	/* As runc: never overwrite a config the user may have edited. */
	if (faccessat(dirfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		hull_error_set(&err, EEXIST, "spec: `%s/config.json` already exists (remove it first)",
			       bundle);
		return cli_fail(&err);
	}
	config = oci_default_config(rootless);
	text = json_object_to_json_string_ext(config, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = fs_write_file_atomic(dirfd, "config.json", text, strlen(text), 0644, &err);
	json_object_put(config);
	if (ret < 0) {
		hull_error_wrap(&err, "spec");
		return cli_fail(&err);
	}
	return 0;
}

static int run_features(struct cli *cli, int argc, char **argv)
{
	json_object *doc;

	if (argc > 1)
		return cli_usage_error("features", "unexpected argument `%s`", argv[1]);
	doc = oci_features_document();
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return 0;
}

const struct cli_command cmd_list = {"list", run_list, "list the containers",
				     "Usage: hull-runtime list [--format table|json] [--quiet]\n\n"
				     "  -f, --format F   table (default) or json\n"
				     "  -q, --quiet      print only the ids\n\n"
				     "Example:\n  hull-runtime list --format json\n"};

const struct cli_command cmd_spec = {
    "spec", run_spec, "write a default config.json",
    "Usage: hull-runtime spec [--bundle DIR] [--rootless]\n\n"
    "  -b, --bundle DIR   where to write config.json (default: the current directory)\n"
    "      --rootless     a config an unprivileged user can run\n\n"
    "Example:\n  mkdir -p demo/rootfs && hull-runtime spec --bundle demo\n"};

const struct cli_command cmd_features = {
    "features", run_features, "print the OCI features document",
    "Usage: hull-runtime features\n\nExample:\n  hull-runtime features | jq .linux.namespaces\n"};
