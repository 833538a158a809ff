/* hull network: a container's network by id, from the command line or as OCI hooks, and the networks'
 * state (ls, inspect, prune, set). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/hull/cli.h"
#include "net/admin.h"
#include "net/bundle.h"
#include "net/hosts.h"
#include "net/setup.h"
#include "net/state.h"
#include "util/cleanup.h"
#include "util/json.h"

/* As a hook, the runtime writes the container's state document (id, pid, bundle) to standard input. */
static int read_state(const char **id, int *pid, const char **bundle, json_object **doc,
		      struct hull_error **err)
{
	char buf[65536];
	size_t len = fread(buf, 1, sizeof(buf) - 1, stdin);
	int64_t p = 0;
	int ret;

	buf[len] = '\0';
	if ((ret = json_parse_text(buf, len, "container state on standard input", doc, err)) < 0 ||
	    (ret = json_field_string(*doc, "state", "id", id, err)) < 0 ||
	    (ret = json_field_int64(*doc, "state", "pid", 0, 4194304, &p, err)) < 0 ||
	    (ret = json_field_string(*doc, "state", "bundle", bundle, err)) < 0)
		return ret;
	if (*id == NULL)
		return hull_error_invalid(err, "container state on standard input: no id");
	*pid = (int)p;
	return 0;
}

enum {
	OPT_STATE_DIR = 2000,
	OPT_ID,
	OPT_PID,
	OPT_MODE,
	OPT_SUBNET,
	OPT_BRIDGE,
	OPT_FORWARDING,
	OPT_FORMAT,
	OPT_NAME,
	OPT_ROOT,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_UPLINK,
	OPT_LAN_DRIVER,
	OPT_CNI_CONF_DIR,
	OPT_CNI_PATH,
	OPT_ADD_HOST,
};

#define DNS_VALUES_MAX 16

struct network_args {
	const char *sub, *mode, *id, *format;
	struct net_setup setup;
	struct net_local_settings settings;
	int pid;
	char *root; /* from the bundle of the state on stdin */
	const char *servers[DNS_VALUES_MAX + 1], *search[DNS_VALUES_MAX + 1], *options[DNS_VALUES_MAX + 1];
	size_t n_servers, n_search, n_options;
	const char *extra_hosts[DNS_VALUES_MAX];
	/* setup's options as given, for the hooks configure-bundle writes */
	const char *forward[128];
	size_t n_forward;
	const char *bundle;  /* configure-bundle's DIR */
	const char *network; /* inspect's NAME */
};

/* Keeps an option of setup to repeat in a bundle's hook. */
static int forward_option(struct network_args *a, const char *option, const char *value,
			  struct hull_error **err)
{
	if (a->n_forward + 2 > sizeof(a->forward) / sizeof(a->forward[0]))
		return hull_error_invalid(err, "network %s: too many options", a->sub);
	a->forward[a->n_forward++] = option;
	a->forward[a->n_forward++] = value;
	return 0;
}

/* Appends a --dns* value; the list stays NULL-terminated. */
static int add_dns_value(const char **list, size_t *n, const char *option, const char *value,
			 struct hull_error **err)
{
	if (*n == DNS_VALUES_MAX)
		return hull_error_invalid(err, "network setup: at most %d --%s values", DNS_VALUES_MAX,
					  option);
	if (*value == '\0' || strpbrk(value, " \t\n\r#;"))
		return hull_error_invalid(err, "network setup: --%s `%s` holds spaces or comment marks",
					  option, value);
	list[(*n)++] = value;
	return 0;
}

/* The options of setup that a bundle's hook repeats (mode and state directory have their own place). */
static const char *setup_option_name(int c)
{
	switch (c) {
	case 'p':
		return "--publish";
	case OPT_UPLINK:
		return "--uplink";
	case OPT_LAN_DRIVER:
		return "--lan-driver";
	case OPT_CNI_CONF_DIR:
		return "--cni-conf-dir";
	case OPT_CNI_PATH:
		return "--cni-path";
	case OPT_NAME:
		return "--name";
	case OPT_DNS:
		return "--dns";
	case OPT_DNS_SEARCH:
		return "--dns-search";
	case OPT_DNS_OPTION:
		return "--dns-option";
	case OPT_ADD_HOST:
		return "--add-host";
	default:
		return NULL;
	}
}

static int parse_args(struct network_args *a, int argc, char **argv, struct hull_error **err)
{
	static const struct option options[] = {
	    {"mode", required_argument, NULL, OPT_MODE},
	    {"id", required_argument, NULL, OPT_ID},
	    {"pid", required_argument, NULL, OPT_PID},
	    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
	    {"publish", required_argument, NULL, 'p'},
	    {"subnet", required_argument, NULL, OPT_SUBNET},
	    {"bridge", required_argument, NULL, OPT_BRIDGE},
	    {"forwarding", required_argument, NULL, OPT_FORWARDING},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"dns", required_argument, NULL, OPT_DNS},
	    {"dns-search", required_argument, NULL, OPT_DNS_SEARCH},
	    {"dns-option", required_argument, NULL, OPT_DNS_OPTION},
	    {"uplink", required_argument, NULL, OPT_UPLINK},
	    {"lan-driver", required_argument, NULL, OPT_LAN_DRIVER},
	    {"cni-conf-dir", required_argument, NULL, OPT_CNI_CONF_DIR},
	    {"cni-path", required_argument, NULL, OPT_CNI_PATH},
	    {"add-host", required_argument, NULL, OPT_ADD_HOST},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 2;
	if (strcmp(a->sub, "configure-bundle") == 0) {
		if (argc < 3 || argv[2][0] == '-')
			return hull_error_invalid(err,
						  "network configure-bundle: needs the bundle's DIR first");
		a->bundle = argv[2];
		optind = 3;
	}
	/* `inspect NAME`: the network's name comes first, as in podman. */
	if (strcmp(a->sub, "inspect") == 0 && argc > 2 && argv[2][0] != '-') {
		a->network = argv[2];
		optind = 3;
	}
	while ((c = getopt_long(argc, argv, "+p:", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (net_ports_parse(&a->setup.ports, optarg, err) < 0)
				return hull_error_wrap(err, "network %s", a->sub);
			break;
		case OPT_MODE:
			a->mode = optarg;
			break;
		case OPT_UPLINK:
			a->setup.uplink = optarg;
			break;
		case OPT_CNI_CONF_DIR:
			a->setup.cni_conf_dir = optarg;
			break;
		case OPT_CNI_PATH:
			a->setup.cni_path = optarg;
			break;
		case OPT_LAN_DRIVER:
			if (strcmp(optarg, "macvlan") != 0 && strcmp(optarg, "ipvlan") != 0)
				return hull_error_invalid(
				    err, "network %s: --lan-driver takes macvlan or ipvlan, not `%s`", a->sub,
				    optarg);
			a->setup.lan_driver =
			    strcmp(optarg, "ipvlan") == 0 ? NET_LAN_IPVLAN : NET_LAN_MACVLAN;
			break;
		case OPT_NAME:
			a->setup.name = optarg;
			break;
		case OPT_ROOT:
			a->setup.root = optarg;
			break;
		case OPT_DNS:
			if (net_dns_server_valid(optarg, err) < 0 ||
			    add_dns_value(a->servers, &a->n_servers, "dns", optarg, err) < 0)
				return hull_error_wrap(err, "network %s", a->sub);
			a->setup.dns.servers = a->servers;
			break;
		case OPT_DNS_SEARCH:
			if (add_dns_value(a->search, &a->n_search, "dns-search", optarg, err) < 0)
				return -1;
			a->setup.dns.search = a->search;
			break;
		case OPT_DNS_OPTION:
			if (add_dns_value(a->options, &a->n_options, "dns-option", optarg, err) < 0)
				return -1;
			a->setup.dns.options = a->options;
			break;
		case OPT_ADD_HOST:
			if (net_extra_host_check(optarg, err) < 0)
				return hull_error_wrap(err, "network %s", a->sub);
			if (a->setup.n_extra_hosts == DNS_VALUES_MAX)
				return hull_error_invalid(err, "network %s: too many --add-host options",
							  a->sub);
			a->extra_hosts[a->setup.n_extra_hosts++] = optarg;
			a->setup.extra_hosts = a->extra_hosts;
			break;
		case OPT_ID:
			a->id = optarg;
			break;
		case OPT_PID:
			a->pid = atoi(optarg);
			break;
		case OPT_STATE_DIR:
			a->setup.state_dir = optarg;
			break;
		case OPT_SUBNET:
			a->settings.subnet = optarg;
			break;
		case OPT_BRIDGE:
			a->settings.bridge = optarg;
			break;
		case OPT_FORWARDING:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return hull_error_invalid(
				    err, "network %s: --forwarding takes on or off, not `%s`", a->sub,
				    optarg);
			a->settings.forwarding = strcmp(optarg, "on") == 0;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
				return hull_error_invalid(
				    err, "network %s: --format takes json or table, not `%s`", a->sub,
				    optarg);
			a->format = optarg;
			break;
		default:
			return hull_error_invalid(
			    err, "network %s: unknown option `%s` (see `hull network --help`)", a->sub,
			    argv[optind - 1]);
		}
		if (setup_option_name(c) && forward_option(a, setup_option_name(c), optarg, err) < 0)
			return -1;
	}
	if (optind < argc)
		return hull_error_invalid(err, "network %s: unexpected argument `%s`", a->sub, argv[optind]);
	return 0;
}

static int network_setup(struct network_args *a, struct hull_error **err)
{
	if (a->pid <= 0)
		return hull_error_invalid(err,
					  "network setup: needs the container's pid (--pid, or the state on "
					  "stdin)");
	a->setup.id = a->id;
	a->setup.mode = a->mode;
	a->setup.pid = a->pid;
	return net_setup(&a->setup, err);
}

static void print_table(json_object *networks)
{
	printf("%-20s %-12s %-10s %-18s %-10s %s\n", "NAME", "DRIVER", "BRIDGE", "SUBNET", "FORWARDING",
	       "CONTAINERS");
	for (size_t i = 0; i < json_object_array_length(networks); i++) {
		json_object *n = json_object_array_get_idx(networks, i), *containers = NULL, *fwd = NULL;
		bool local = strcmp(json_get_string(n, "name", ""), "local") == 0;
		json_object_object_get_ex(n, "containers", &containers);
		json_object_object_get_ex(n, "forwarding", &fwd);
		printf("%-20s %-12s %-10s %-18s %-10s %zu\n", json_get_string(n, "name", ""),
		       json_get_string(n, "driver", ""), json_get_string(n, "bridge", "-"),
		       json_get_string(n, "subnet", local ? "(at first use)" : "-"),
		       !local			      ? "-"
		       : json_object_get_boolean(fwd) ? "on"
						      : "off",
		       containers ? json_object_array_length(containers) : 0);
	}
}

static int network_show(struct network_args *a, bool inspect, struct hull_error **err)
{
	json_object *networks = NULL, *shown = NULL;
	int ret = 0;

	if ((ret = net_inspect(a->setup.state_dir, &networks, err)) < 0)
		return hull_error_wrap(err, "network %s", a->sub);
	shown = networks;
	if (inspect) {
		const char *want = a->network ? a->network : "local";
		shown = NULL;
		for (size_t i = 0; i < json_object_array_length(networks) && !shown; i++)
			if (strcmp(json_get_string(json_object_array_get_idx(networks, i), "name", ""),
				   want) == 0)
				shown = json_object_array_get_idx(networks, i);
		if (shown == NULL)
			ret = hull_error_fail(
			    err, ENOENT, "network inspect: no network `%s` (see `hull network ls`)", want);
	}
	if (shown && (inspect || (a->format && strcmp(a->format, "json") == 0)))
		printf("%s\n", json_object_to_json_string_ext(shown, JSON_C_TO_STRING_PRETTY |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (shown)
		print_table(networks);
	json_object_put(networks);
	return ret;
}

static int configure_bundle(struct network_args *a, struct hull_error **err)
{
	char self[4096];
	struct net_bundle_network b = {.mode = a->mode, .args = a->forward, .n_args = a->n_forward};
	int ret;

	if ((ret = hull_network_hook(&b, self, sizeof(self), err)) < 0)
		return hull_error_wrap(err, "network configure-bundle");
	/* The hooks use the state directory this command was given, or the default they would find anyway. */
	if (strcmp(a->setup.state_dir, net_default_state_dir()) != 0 || getenv("HULL_NETWORK_STATE"))
		b.state_dir = a->setup.state_dir;
	if ((ret = net_mode_check(a->mode, err)) < 0)
		return hull_error_wrap(err, "network configure-bundle");
	return net_bundle_configure(a->bundle, &b, err);
}

static int run_subcommand(struct network_args *a, int argc, char **argv, struct hull_error **err)
{
	json_object *doc = NULL;
	const char *bundle = NULL;
	int ret;

	if ((ret = parse_args(a, argc, argv, err)) < 0)
		return ret;
	if (strcmp(a->sub, "ls") == 0 || strcmp(a->sub, "list") == 0)
		return network_show(a, false, err);
	if (strcmp(a->sub, "inspect") == 0)
		return network_show(a, true, err);
	if (strcmp(a->sub, "configure-bundle") == 0)
		return configure_bundle(a, err);
	if (strcmp(a->sub, "set") == 0)
		return net_local_set(a->setup.state_dir, &a->settings, err);
	if (strcmp(a->sub, "prune") == 0) {
		unsigned released = 0;
		if ((ret = net_prune(a->setup.state_dir, &released, err)) >= 0)
			printf("released the networks of %u container%s\n", released,
			       released == 1 ? "" : "s");
		return ret;
	}
	if (a->id == NULL && (ret = read_state(&a->id, &a->pid, &bundle, &doc, err)) < 0) {
		json_object_put(doc);
		return hull_error_wrap(err, "network %s", a->sub);
	}
	/* A hook's container has a bundle: its root gets hull's /etc/resolv.conf and /etc/hosts. */
	if (strcmp(a->sub, "setup") == 0 && a->setup.root == NULL && bundle) {
		if ((ret = net_bundle_root(bundle, &a->root, err)) < 0) {
			json_object_put(doc);
			return hull_error_wrap(err, "network setup");
		}
		a->setup.root = a->root;
	}
	if (strcmp(a->sub, "teardown") == 0)
		ret = net_teardown(a->setup.state_dir, a->id, err);
	else
		ret = network_setup(a, err);
	json_object_put(doc);
	return ret;
}

static int run_network(struct hull_cli *cli, int argc, char **argv)
{
	static const char *const subs[] = {"setup",   "teardown", "ls",	 "list",
					   "inspect", "prune",	  "set", "configure-bundle"};
	struct network_args a = {
	    .sub = argc > 1 ? argv[1] : "",
	    .mode = "local",
	    .setup = {.state_dir = net_default_state_dir(), .netns_fd = -1},
	    .settings = {.forwarding = -1},
	};
	struct hull_error *err = NULL;
	bool known = false;
	int ret;

	(void)cli;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		known = known || strcmp(a.sub, subs[i]) == 0;
	if (!known)
		return hull_usage_error(
		    "network", "expected setup, teardown, ls, inspect, prune, set or configure-bundle");
	ret = run_subcommand(&a, argc, argv, &err) < 0 ? cli_fail(&err) : 0;
	net_ports_free(&a.setup.ports);
	free(a.root);
	return ret;
}

const struct hull_command cmd_network = {
    .name = "network",
    .run = run_network,
    .summary = "set up or tear down a container's network; list, inspect, prune and set networks",
    .help =
	"Usage: hull network setup [--mode MODE] [-p PORT]... [--name NAME] [--dns IP]...\n"
	"                          [--dns-search D]... [--dns-option OPT]... [--add-host NAME:IP]...\n"
	"                          [--uplink IF]\n"
	"                          [--lan-driver macvlan|ipvlan] [--cni-conf-dir DIR] [--cni-path DIRS]\n"
	"                          [--root DIR] [--state-dir DIR] [--id ID --pid PID]\n"
	"       hull network teardown [--state-dir DIR] [--id ID]\n"
	"       hull network ls [--format table|json]\n"
	"       hull network inspect [NAME]\n"
	"       hull network prune\n"
	"       hull network set [--subnet A.B.C.D/N|auto] [--forwarding on|off] [--bridge NAME]\n"
	"       hull network configure-bundle DIR [--mode MODE] [setup's options]\n\n"
	"Without --id, the container's state document is read from standard input, as an OCI hook\n"
	"gets it: setup as a createRuntime hook, teardown as a poststop hook.  MODE is none or\n"
	"private (loopback only), host or shared (nothing to do), local or bridge (the local\n"
	"network: bridge hull0, a private /24, an address per container, masquerade to the outside\n"
	"while forwarding is on), local.N (that host number), A.B.C.D[/N] (that address on the host's\n"
	"LAN, on a macvlan or ipvlan link of the uplink: --uplink, default the default route's device;\n"
	"the prefix defaults to the uplink's subnet, the gateway to the host's), switch:NAME (a tap on\n"
	"`hull switch run NAME`), cni:NAME (the CNI plugins of the network NAME in --cni-conf-dir,\n"
	"default /etc/cni/net.d, found in --cni-path, default /usr/lib/cni:/opt/cni/bin), ns:PATH\n"
	"(the namespace the runtime joined).\n\n"
	"-p, --publish [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp], or PORT alone for a free host\n"
	"port: published by DNAT on every address of the host (or HOSTIP), 127.0.0.1 included, and\n"
	"to other containers.  A port a host process holds or another container publishes is refused.\n\n"
	"The container's /etc/resolv.conf (the host's servers; a loopback stub such as systemd-resolved's\n"
	"is replaced by its upstream servers unless the container shares the host's network) and\n"
	"/etc/hosts (localhost, NAME, `host`, the other containers of the local network by name) are\n"
	"written into its root: the bundle's, or DIR with --root.  NAME defaults to the id.\n\n"
	"configure-bundle writes into DIR/config.json the hooks below, with MODE and the options\n"
	"given, and the network namespace MODE needs: its own, the host's (host, shared) or the one\n"
	"at PATH (ns:PATH).  Run again, it replaces the hooks it wrote.\n\n"
	"prune releases what containers that are gone still hold; set changes the local network\n"
	"while no container uses it.  State: DIR, default $HULL_NETWORK_STATE or /run/hull/network.\n\n"
	"Example (config.json hooks):\n"
	"  \"createRuntime\": [{\"path\": \"/usr/local/bin/hull\", \"args\": [\"hull\", \"network\", "
	"\"setup\", \"-p\", \"8080:80\"]}],\n"
	"  \"poststop\": [{\"path\": \"/usr/local/bin/hull\", \"args\": [\"hull\", \"network\", "
	"\"teardown\"]}]\n",
};
