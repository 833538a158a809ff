/* hull network: a container's network by id, from the command line or as OCI hooks. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/hull/cli.h"
#include "net/setup.h"
#include "util/cleanup.h"
#include "util/json.h"

/* As a hook, the runtime writes the container's state document (id, pid) to standard input. */
static int read_state(const char **id, int *pid, json_object **doc, struct hull_error **err)
{
	char buf[65536];
	size_t len = fread(buf, 1, sizeof(buf) - 1, stdin);
	int64_t p = 0;
	int ret;

	buf[len] = '\0';
	if ((ret = json_parse_text(buf, len, "container state on standard input", doc, err)) < 0 ||
	    (ret = json_field_string(*doc, "state", "id", id, err)) < 0 ||
	    (ret = json_field_int64(*doc, "state", "pid", 0, 4194304, &p, err)) < 0)
		return ret;
	if (*id == NULL)
		return hull_error_invalid(err, "container state on standard input: no id");
	*pid = (int)p;
	return 0;
}

static int run_network(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"id", required_argument, NULL, 'i'},
	    {"pid", required_argument, NULL, 'p'},
	    {"state-dir", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *sub = argc > 1 ? argv[1] : "", *mode = "local", *id = NULL;
	struct net_setup s = {.state_dir = net_default_state_dir(), .netns_fd = -1};
	struct hull_error *err = NULL;
	json_object *doc = NULL;
	cleanup_close int netns = -1;
	int pid = 0, c, ret;

	(void)cli;
	if (strcmp(sub, "setup") != 0 && strcmp(sub, "teardown") != 0)
		return hull_usage_error("network", "expected setup or teardown");
	optind = 2;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (c == 'm')
			mode = optarg;
		else if (c == 'i')
			id = optarg;
		else if (c == 'p')
			pid = atoi(optarg);
		else if (c == 's')
			s.state_dir = optarg;
		else
			return hull_usage_error("network", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return hull_usage_error("network", "unexpected argument `%s`", argv[optind]);
	if (id == NULL && read_state(&id, &pid, &doc, &err) < 0) {
		hull_error_wrap(&err, "network %s", sub);
		ret = cli_fail(&err);
		goto out;
	}
	if (strcmp(sub, "teardown") == 0) {
		ret = net_teardown(s.state_dir, id, &err) < 0 ? cli_fail(&err) : 0;
		goto out;
	}
	if (pid <= 0) {
		ret = hull_usage_error("network",
				       "setup needs the container's pid (--pid, or the state on stdin)");
		goto out;
	}
	{
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		netns = open(path, O_RDONLY | O_CLOEXEC);
		if (netns < 0) {
			hull_error_errno(&err, "network setup `%s`: open `%s`", id, path);
			ret = cli_fail(&err);
			goto out;
		}
	}
	s.id = id;
	s.mode = mode;
	s.netns_fd = netns;
	ret = net_setup(&s, &err) < 0 ? cli_fail(&err) : 0;
out:
	if (doc)
		json_object_put(doc);
	return ret;
}

const struct hull_command cmd_network = {
    .name = "network",
    .run = run_network,
    .summary = "set up or tear down a container's network",
    .help = "Usage: hull network setup [--mode MODE] [--state-dir DIR] [--id ID --pid PID]\n"
	    "       hull network teardown [--state-dir DIR] [--id ID]\n\n"
	    "Without --id, the container's state document is read from standard input, as an OCI hook\n"
	    "gets it: setup as a createRuntime hook, teardown as a poststop hook.  MODE is none or\n"
	    "private (loopback only), host or shared (nothing to do), local or bridge (the local\n"
	    "network: bridge hull0, a private /24, an address per container), local.N (that host\n"
	    "number).  State: DIR, default $HULL_NETWORK_STATE or /run/hull/network.\n\n"
	    "Example (config.json hooks):\n"
	    "  \"createRuntime\": [{\"path\": \"/usr/local/bin/hull\", \"args\": [\"hull\", \"network\", "
	    "\"setup\"]}],\n"
	    "  \"poststop\": [{\"path\": \"/usr/local/bin/hull\", \"args\": [\"hull\", \"network\", "
	    "\"teardown\"]}]\n",
};
