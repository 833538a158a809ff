/* /etc/hosts of containers: localhost, the container's own name, `host` (an address of the host that
 * the container reaches: the local network's gateway) and every other container of the local network by
 * name (on a LAN or a switch: the other containers there).  The files of all containers on the local
 * network are rewritten whenever one joins or leaves, so names stay current without a DNS server. */
#ifndef HULL_NET_HOSTS_H
#define HULL_NET_HOSTS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/state.h"
#include "util/error.h"

/* The text for one container; self and host may be NULL (no address of its own, no host entry).  Its
 * neighbours are the running containers of the same network, as net_record_network() names it (NULL:
 * none); extra (NULL: none) is net_extra_hosts_text's, added at the end. */
int net_hosts_build(const char *state_dir, const char *name, const struct in_addr *self,
		    const struct in_addr *host, const char *network, const char *extra, char **out,
		    struct hull_error **err);

/* --add-host NAME:IP (or NAME=IP): a host name and an IPv4 or IPv6 address, or `host-gateway` for the
 * host's address as the container reaches it.  Checked alone (host NULL: host-gateway is taken on
 * trust), or made into /etc/hosts lines ("ADDRESS\tNAME\n" each) for a container whose host address is
 * host (NULL or 0: it has none, and host-gateway is refused). */
int net_extra_host_check(const char *spec, struct hull_error **err);
int net_extra_hosts_text(const char *const *specs, size_t n, const struct in_addr *host, char **out,
			 struct hull_error **err);
/* Whether text is lines as net_extra_hosts_text writes them (a record is read as carefully as input). */
bool net_extra_hosts_valid(const char *text);

/* Rewrites /etc/hosts of every running container with a network whose root hull writes, but except
 * (NULL: none), whose file its setup has just written.  The records are read once for all of them. */
void net_hosts_refresh(const char *state_dir, const char *except);

#endif
