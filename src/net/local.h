/* The local network: a bridge owned by hull (hull0 unless configured) with the first address of a
 * private /24 that no route of the host uses yet, and a veth pair per container, its host end on the
 * bridge, its container end `eth0` with an address hull allocates and a default route via the bridge.
 *
 * State lives under a directory of hull's (/run/hull/network by default): local.json (the subnet and
 * bridge, chosen once), leases/ADDRESS (created with O_EXCL: the allocation itself, holding the
 * container id) and containers/ID.json (what setup made, for teardown). */
#ifndef HULL_NET_LOCAL_H
#define HULL_NET_LOCAL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "util/error.h"

struct net_local_config {
	char bridge[IFNAMSIZ];
	struct in_addr subnet; /* prefix 0: not chosen yet */
	unsigned prefix;
	bool forwarding; /* masquerade to the outside, on by default */
};

/* local.json, or the defaults (hull0, forwarding on, subnet chosen at the first attach) without one. */
int net_local_config_load(const char *state_dir, struct net_local_config *c, struct hull_error **err);
/* local.json with its subnet: chosen (and saved) now when no container has chosen it yet. */
int net_local_config_chosen(const char *state_dir, struct net_local_config *c, struct hull_error **err);
int net_local_config_save(const char *state_dir, const struct net_local_config *c, struct hull_error **err);

/* A name the kernel takes for an interface: shorter than IFNAMSIZ, no `/`, spaces or quotes. */
bool net_local_bridge_name_valid(const char *name);

/* "A.B.C.D/N" with N 8..30 and no host bits set. */
int net_local_parse_subnet(const char *text, struct in_addr *subnet, unsigned *prefix,
			   struct hull_error **err);

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
int net_local_detach(const char *state_dir, const struct net_local_attachment *a, struct hull_error **err);

/* With no address leased any more, deletes the bridge and the nftables table. */
int net_local_release_if_unused(const char *state_dir, struct hull_error **err);

#endif
