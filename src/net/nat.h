/* The local network's firewall: masquerade to the outside and published ports, in table `ip hull`.
 *
 * The table holds four maps, {tcp,udp}_{any,ip}, from a host port (and, for _ip, a host address) to a
 * container's address and port; one rule per map DNATs traffic to a local address through it, from
 * other hosts (prerouting) and from the host itself (output, so 127.0.0.1 works too).  Publishing and
 * releasing a port is adding and deleting a map element, never a rule, so containers come and go without
 * rule handles or reordering.  Postrouting masquerades what leaves the subnet (when forwarding is on),
 * and DNATed traffic from the host's loopback or from the subnet itself (hairpin: a container reaching
 * a published port of its own network), whose replies would otherwise not come back through the host.
 * With forwarding off, a forward chain drops what crosses between the bridge and other links (published
 * ports excepted): the host's ip_forward may be on for reasons of its own. */
#ifndef HULL_NET_NAT_H
#define HULL_NET_NAT_H

#include <netinet/in.h>
#include <stdbool.h>

#include "net/ports.h"
#include "util/error.h"

struct net_nat_network {
	const char *bridge;
	struct in_addr subnet;
	unsigned prefix;
	bool forwarding;
};

/* Creates the table when it is missing, turns on IPv4 forwarding when asked, and lets the bridge carry
 * DNATed loopback traffic (route_localnet). */
int net_nat_ensure(const struct net_nat_network *n, struct hull_error **err);

/* Publishes ports to target: picks free host ports for those without one, refuses a port that another
 * container publishes or a host process holds, leases each under STATE/ports/ and adds the map elements;
 * on failure nothing stays.  Ports are updated with the host ports chosen. */
int net_nat_publish(const char *state_dir, const char *id, struct net_ports *ports, struct in_addr target,
		    struct hull_error **err);

/* Deletes the map elements and leases of ports; what is already gone is skipped. */
void net_nat_unpublish(const char *state_dir, const struct net_ports *ports);

#endif
