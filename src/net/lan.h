/* A dedicated address on the host's LAN (mode `A.B.C.D[/N]`): the container's eth0 is a macvlan
 * (bridge mode) or, where the kernel has it, an ipvlan (L2) link on the host's uplink, so other hosts of
 * the LAN reach it directly at that address, and its default route is the LAN's gateway.
 *
 * A macvlan child and its parent cannot talk to each other: the parent's stack never sees its
 * children's frames.  So the host gets a helper link of the same kind on the uplink (`hl` and a hash of
 * the uplink's name), holding the host's own uplink address as a /32, and a route to each container's
 * address through it; the container reaches the host at that address.  The helper goes with the last
 * container of its uplink.
 *
 * An address is leased as STATE/lan/UPLINK/ADDRESS (O_EXCL), so two containers of this host never get
 * the same one; hull cannot know what other hosts of the LAN use, as no LAN tool can without asking. */
#ifndef HULL_NET_LAN_H
#define HULL_NET_LAN_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "net/netlink.h"
#include "util/error.h"

struct net_lan_request {
	struct in_addr address;
	unsigned prefix;    /* 0: the subnet of the uplink's address that holds it */
	const char *uplink; /* NULL: the device of the host's default route */
	enum net_lan_driver driver;
};

struct net_lan_attachment {
	char uplink[IFNAMSIZ], helper[IFNAMSIZ];
	enum net_lan_driver driver;
	struct in_addr address, gateway, host; /* host: the host's address the container reaches (0: none) */
	unsigned prefix;
};

/* Whether mode is A.B.C.D or A.B.C.D/N; *is_lan false (and nothing else set) for other modes. */
int net_lan_parse_mode(const char *mode, bool *is_lan, struct net_lan_request *req, struct hull_error **err);

int net_lan_attach(const char *state_dir, const char *id, int netns_fd, const struct net_lan_request *req,
		   struct net_lan_attachment *out, struct hull_error **err);

/* Releases the route, the lease and, with its uplink's last container, the helper. */
int net_lan_detach(const char *state_dir, const struct net_lan_attachment *a, struct hull_error **err);

#endif
