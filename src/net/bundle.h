/* Gives an OCI bundle its network from hull: `hull network configure-bundle` (and `hull bundle create
 * --network`) write into DIR/config.json a createRuntime hook that runs `hull network setup` with the
 * mode and options, a poststop hook that runs `hull network teardown`, and the network namespace the mode
 * needs: a new one, none (host/shared), or the one at PATH (ns:PATH).  Hooks hull wrote before are
 * replaced, so running it again changes the network instead of adding a second one. */
#ifndef HULL_NET_BUNDLE_H
#define HULL_NET_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct net_bundle_network {
	const char *hull;  /* the executable the hooks run (absolute): hull-network, or hull */
	bool hull_network; /* it is hull-network, which takes `setup` where hull takes `network setup` */
	const char *mode;
	const char *state_dir;	 /* NULL: the hooks use the default */
	const char *const *args; /* further `hull network setup` options, as given */
	size_t n_args;
};

int net_bundle_configure(const char *bundle, const struct net_bundle_network *n, struct hull_error **err);

#endif
