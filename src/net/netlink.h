/* rtnetlink through libmnl: the links, addresses and routes hull's networks are made of.
 *
 * A netlink socket belongs to the network namespace it was opened in, whatever the process does later;
 * net_nl_open() takes a namespace descriptor, enters it just long enough to open the socket and returns,
 * so one process can configure the host's side and the container's side of a veth pair.  (setns changes
 * the calling thread only: callers are single-threaded.) */
#ifndef HULL_NET_NETLINK_H
#define HULL_NET_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct net_nl {
	struct mnl_socket *sock;
	unsigned seq;
	unsigned portid;
};

/* netns_fd -1: the current namespace. */
int net_nl_open(struct net_nl *nl, int netns_fd, struct hull_error **err);
void net_nl_close(struct net_nl *nl);

/* The index of a link by name; 0 when there is none. */
int net_link_index(struct net_nl *nl, const char *name, int *index, struct hull_error **err);

int net_bridge_create(struct net_nl *nl, const char *name, struct hull_error **err);

/* A veth pair: name here, peer in the namespace peer_netns_fd (-1: here). */
int net_veth_create(struct net_nl *nl, const char *name, const char *peer, int peer_netns_fd,
		    struct hull_error **err);

/* Sets a link up and, when master > 0, enslaves it to that bridge. */
int net_link_up(struct net_nl *nl, int index, int master, struct hull_error **err);

/* Deletes a link; a link that is already gone is not an error. */
int net_link_delete(struct net_nl *nl, const char *name, struct hull_error **err);

int net_addr_add(struct net_nl *nl, int index, struct in_addr addr, unsigned prefix, struct hull_error **err);

int net_route_default(struct net_nl *nl, struct in_addr gateway, struct hull_error **err);
/* A route dst/prefix via gateway (prefix 0: the default route); an existing one is an error. */
int net_route_via(struct net_nl *nl, struct in_addr dst, unsigned prefix, struct in_addr gateway,
		  struct hull_error **err);

/* Whether any IPv4 route of the main table overlaps net/prefix (so a subnet is not already in use). */
int net_route_overlaps(struct net_nl *nl, struct in_addr net, unsigned prefix, bool *overlaps,
		       struct hull_error **err);

/* In the namespace netns_fd: lo up, then ifname up with address/prefix and, unless gateway is 0.0.0.0, a
 * default route via gateway. */
int net_container_configure(int netns_fd, const char *ifname, struct in_addr address, unsigned prefix,
			    struct in_addr gateway, struct hull_error **err);

int net_link_set_mtu(struct net_nl *nl, int index, unsigned mtu, struct hull_error **err);

/* The name of link index. */
int net_link_name(struct net_nl *nl, int index, char name[IFNAMSIZ], struct hull_error **err);

enum net_lan_driver { NET_LAN_MACVLAN, NET_LAN_IPVLAN };

/* A macvlan (bridge mode) or ipvlan (L2) link on lower, created in netns_fd (-1: here). */
int net_lan_link_create(struct net_nl *nl, const char *name, enum net_lan_driver driver, int lower,
			int netns_fd, struct hull_error **err);

/* A link-scope route dst/prefix dev oif; adding an existing one fails, deleting a missing one does not. */
int net_route_link_add(struct net_nl *nl, struct in_addr dst, unsigned prefix, int oif,
		       struct hull_error **err);
int net_route_link_delete(struct net_nl *nl, struct in_addr dst, unsigned prefix, int oif,
			  struct hull_error **err);

/* The main table's IPv4 default route: its device (0 when there is none) and gateway (0.0.0.0: none). */
int net_route_get_default(struct net_nl *nl, int *oif, struct in_addr *gateway, struct hull_error **err);

/* The IPv4 address of link index in the same subnet as within (any address: within 0.0.0.0);
 * -ENOENT, with no error set, when there is none. */
int net_addr_find(struct net_nl *nl, int index, struct in_addr within, struct in_addr *address,
		  unsigned *prefix, struct hull_error **err);

#endif
