/* hull switch run: the userspace L2 switch, in the foreground. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "net/state.h"
#include "net/switch.h"

#define SWITCH_VALUES_MAX 16

static int add_value(const char **list, size_t *n, const char *option, const char *value)
{
	if (*n == SWITCH_VALUES_MAX)
		return hull_usage_error("switch", "at most %d --%s", SWITCH_VALUES_MAX, option);
	list[(*n)++] = value;
	return 0;
}

static int run_switch(struct hull_cli *cli, int argc, char **argv)
{
	enum {
		OPT_SUBNET = 3000,
		OPT_POOL,
		OPT_GATEWAY,
		OPT_MTU,
		OPT_LISTEN,
		OPT_PEER,
		OPT_ALLOW,
		OPT_STATE_DIR
	};
	static const struct option options[] = {
	    {"subnet", required_argument, NULL, OPT_SUBNET},
	    {"pool", required_argument, NULL, OPT_POOL},
	    {"gateway", required_argument, NULL, OPT_GATEWAY},
	    {"mtu", required_argument, NULL, OPT_MTU},
	    {"listen", required_argument, NULL, OPT_LISTEN},
	    {"peer", required_argument, NULL, OPT_PEER},
	    {"allow", required_argument, NULL, OPT_ALLOW},
	    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
	    {NULL, 0, NULL, 0},
	};
	const char *listen[SWITCH_VALUES_MAX], *peers[SWITCH_VALUES_MAX], *allow[SWITCH_VALUES_MAX];
	struct net_switch_options o = {
	    .state_dir = net_default_state_dir(), .listen = listen, .peers = peers, .allow = allow};
	struct hull_error *err = NULL;
	char *end;
	int c;

	(void)cli;
	if (argc < 3 || strcmp(argv[1], "run") != 0 || argv[2][0] == '-')
		return hull_usage_error("switch", "expected `run NAME`");
	o.name = argv[2];
	optind = 3;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		int ret = 0;
		switch (c) {
		case OPT_SUBNET:
			o.subnet = optarg;
			break;
		case OPT_POOL:
			o.pool = optarg;
			break;
		case OPT_GATEWAY:
			o.gateway = optarg;
			break;
		case OPT_MTU:
			o.mtu = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.mtu == 0)
				return hull_usage_error("switch", "--mtu `%s` is not a number", optarg);
			break;
		case OPT_LISTEN:
			ret = add_value(listen, &o.n_listen, "listen", optarg);
			break;
		case OPT_PEER:
			ret = add_value(peers, &o.n_peers, "peer", optarg);
			break;
		case OPT_ALLOW:
			ret = add_value(allow, &o.n_allow, "allow", optarg);
			break;
		case OPT_STATE_DIR:
			o.state_dir = optarg;
			break;
		default:
			return hull_usage_error("switch", "unknown option `%s`", argv[optind - 1]);
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return hull_usage_error("switch", "unexpected argument `%s`", argv[optind]);
	return net_switch_run(&o, &err) < 0 ? cli_fail(&err) : 0;
}

const struct hull_command cmd_switch = {
    .name = "switch",
    .run = run_switch,
    .summary = "run a userspace L2 switch for containers (mode switch:NAME)",
    .help = "Usage: hull switch run NAME [--subnet A.B.C.D/N] [--pool FIRST-LAST] [--gateway IP] [--mtu N]\n"
	    "                        [--listen udp:ADDR:PORT|tcp:ADDR:PORT]... [--peer "
	    "udp:ADDR:PORT|tcp:ADDR:PORT]...\n"
	    "                        [--allow ADDR]... [--state-dir DIR]\n\n"
	    "Runs in the foreground until SIGTERM or SIGINT.  Containers set up with --mode switch:NAME get\n"
	    "a tap eth0 whose descriptor the switch holds, and an address from the pool (default the whole\n"
	    "subnet, 10.90.0.0/24, from .2); the gateway, when given, is their default route.  Links join\n"
	    "switches on other hosts into one L2 segment: UDP (both sides --listen and --peer each other;\n"
	    "datagrams from anyone else are dropped) or TCP (one side --listen and --allow the other's\n"
	    "address, the other --peer it; it reconnects by itself).  Frames from a link never go out on\n"
	    "another link, so links form a full mesh and cannot loop.  Nothing on the host changes: no\n"
	    "device, route or firewall rule.  MTU: 65520 alone (fewer, larger frames to move), 1450 with\n"
	    "links, so that a frame in UDP fits a 1500-byte path.\n\n"
	    "Example (two hosts, 192.0.2.1 and 192.0.2.2):\n"
	    "  host1$ hull switch run lab --pool 10.90.0.10-10.90.0.99 --listen udp:192.0.2.1:4790 --peer "
	    "udp:192.0.2.2:4790\n"
	    "  host2$ hull switch run lab --pool 10.90.0.100-10.90.0.199 --listen udp:192.0.2.2:4790 --peer "
	    "udp:192.0.2.1:4790\n"
	    "  hull network setup --mode switch:lab (as the containers' hook)\n",
};
