/* The local network: a bridge owned by hull (hull0 unless configured) with the first address of a
 * private /24 that no route of the host uses yet, and a veth pair per container, its host end on the
 * bridge, its container end `eth0` with an address hull allocates and a default route via the bridge.
 *
 * State lives under a directory of hull's (/run/hull/network by default): local.json (the subnet and
 * bridge, chosen once), leases/ADDRESS (created with O_EXCL: the allocation itself, holding the
 * container id) and containers/ID.json (what setup made, for teardown). */
#ifndef HULL_NET_LOCAL_H
#define HULL_NET_LOCAL_H

#include <netinet/in.h>

#include "util/error.h"

struct net_local_attachment {
	char veth[16];
	struct in_addr address, gateway;
	unsigned prefix;
};

/* Attaches the container (its network namespace netns_fd) to the local network; pinned is the host part
 * asked for with local.X (0: any free one). */
int net_local_attach(const char *state_dir, const char *id, int netns_fd, unsigned pinned,
		     struct net_local_attachment *out, struct hull_error **err);

/* Releases what attach made: the veth pair (if the namespace still holds it) and the lease. */
int net_local_detach(const char *state_dir, const char *id, const struct net_local_attachment *a,
		     struct hull_error **err);

#endif
