/* The container's side of the userspace switch (mode `switch:NAME`): a tap `eth0` made in the
 * container's namespace, its descriptor handed to the running switch, an address from the switch's pool
 * (lease STATE/switches/NAME/leases/ADDRESS), the switch's MTU and, when it has one, its gateway as the
 * default route.  The host gets nothing: no device, no route, no rule. */
#ifndef HULL_NET_SWITCH_ATTACH_H
#define HULL_NET_SWITCH_ATTACH_H

#include <netinet/in.h>
#include <stdbool.h>

#include "util/error.h"

struct net_switch_attachment {
	char name[65];
	struct in_addr address, gateway;
	unsigned prefix;
};

/* Whether mode is switch:NAME (*name then points into mode). */
int net_switch_parse_mode(const char *mode, bool *is_switch, const char **name, struct hull_error **err);

int net_switch_attach(const char *state_dir, const char *id, int netns_fd, const char *name,
		      struct net_switch_attachment *out, struct hull_error **err);

/* Tells the switch to let go of the container's tap (when it still runs) and drops the lease. */
void net_switch_detach(const char *state_dir, const char *id, const struct net_switch_attachment *a);

#endif
