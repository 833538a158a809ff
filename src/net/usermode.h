/* User-mode networking (mode `slirp4netns`), for containers whose users may not make
 * devices, routes or firewall rules on the host: a helper process of the user's own joins the container's
 * user and network namespaces, gives it a tap, and carries its traffic through ordinary sockets of the
 * host, published ports too.  The helper runs detached, in a session of its own, and is recorded by pid
 * and start time so that teardown (and prune) stop that very process.
 * slirp4netns gives eth0 10.0.2.100/24, gateway 10.0.2.2 and DNS through 10.0.2.3; the host's loopback
 * stays unreachable; ports go through its API socket (add_hostfwd). */
#ifndef HULL_NET_USERMODE_H
#define HULL_NET_USERMODE_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/ports.h"
#include "util/error.h"

struct net_usermode_attachment {
	pid_t helper;
	uint64_t helper_start;
	struct in_addr address, gateway, dns; /* 0.0.0.0 where the helper does not say */
	unsigned prefix;
};

int net_usermode_attach(const char *state_dir, const char *id, pid_t container, const struct net_ports *ports,
			struct net_usermode_attachment *out, struct hull_error **err);

/* Stops the helper if it is still the one recorded. */
void net_usermode_detach(const char *state_dir, const char *id, const struct net_usermode_attachment *a);

#endif
