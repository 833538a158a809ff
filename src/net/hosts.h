/* /etc/hosts of containers: localhost, the container's own name, `host` (an address of the host that
 * the container reaches: the local network's gateway) and every other container of the local network by
 * name (on a LAN or a switch: the other containers there).  The files of all containers on the local
 * network are rewritten whenever one joins or leaves, so names stay current without a DNS server. */
#ifndef HULL_NET_HOSTS_H
#define HULL_NET_HOSTS_H

#include <netinet/in.h>

#include "net/state.h"
#include "util/error.h"

/* The text for one container; self and host may be NULL (no address of its own, no host entry).  Its
 * neighbours are the running containers of the same network, as net_record_network() names it (NULL:
 * none). */
int net_hosts_build(const char *state_dir, const char *name, const struct in_addr *self,
		    const struct in_addr *host, const char *network, char **out, struct hull_error **err);

/* Rewrites /etc/hosts of every running container with a network whose root hull writes, but except
 * (NULL: none), whose file its setup has just written.  The records are read once for all of them. */
void net_hosts_refresh(const char *state_dir, const char *except);

#endif
