/* What `hull network ls`, `inspect`, `prune` and `set` do: read the networks' state, release what
 * containers that are gone still hold (after a crash of hull or of a runtime that never ran poststop),
 * and change the local network's settings while no container uses it. */
#ifndef HULL_NET_ADMIN_H
#define HULL_NET_ADMIN_H

#include <json-c/json.h>

#include "util/error.h"

/* [{"name": "local", "bridge", "subnet", "forwarding", "containers": [records]}] */
int net_inspect(const char *state_dir, json_object **out, struct hull_error **err);

/* Releases the records of containers whose first process is gone, leases no record explains, and the
 * bridge and table once nothing uses them; *released counts the records. */
int net_prune(const char *state_dir, unsigned *released, struct hull_error **err);

struct net_local_settings {
	const char *subnet; /* NULL: unchanged; "auto": chosen again at the next attach */
	const char *bridge; /* NULL: unchanged */
	int forwarding;	    /* -1: unchanged */
};

int net_local_set(const char *state_dir, const struct net_local_settings *s, struct hull_error **err);

#endif
