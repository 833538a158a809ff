/* Published ports: `-p [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|udp]` and `-p PORT[/proto]` (a free host
 * port chosen by hull), as Docker spells them.  A range publishes each port of it; both sides of a range
 * must be as long.  Parsing is pure so that it can be tested alone; choosing a free port and checking that
 * no host process holds one are in net/nat.c, where the host's namespace is. */
#ifndef HULL_NET_PORTS_H
#define HULL_NET_PORTS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* A container publishes at most this many ports, ranges counted port by port. */
#define NET_PORTS_MAX 1024

enum net_proto { NET_TCP, NET_UDP };

struct net_port {
	enum net_proto proto;
	struct in_addr host_ip; /* INADDR_ANY: every address of the host */
	unsigned host_port;	/* 0: hull picks a free one at setup */
	unsigned port;		/* in the container */
};

struct net_ports {
	struct net_port *items;
	size_t count;
};

/* Appends the ports one -p argument names; on refusal nothing is appended. */
int net_ports_parse(struct net_ports *ports, const char *spec, struct hull_error **err);

void net_ports_free(struct net_ports *ports);

const char *net_proto_name(enum net_proto proto);

#endif
