/* A container's network, by mode, set up and torn down by id: what `hull network setup` and `teardown`
 * do, also as OCI hooks (createRuntime and poststop) of a bundle any runtime runs.
 *
 * Modes: `none`/`private` (the container's own namespace with loopback up), `host`/`shared` (the host's
 * namespace: nothing to do), `local`/`bridge` and `local.X` (the local network, see net/local.h).  What
 * setup made is recorded in containers/ID.json under the state directory, so that teardown, which may
 * run after the container's processes and namespace are gone, releases exactly that. */
#ifndef HULL_NET_SETUP_H
#define HULL_NET_SETUP_H

#include "util/error.h"

/* The default state directory, /run/hull/network, unless $HULL_NETWORK_STATE says otherwise. */
const char *net_default_state_dir(void);

struct net_setup {
	const char *state_dir;
	const char *id;
	const char *mode;
	int netns_fd; /* the container's network namespace */
};

int net_setup(const struct net_setup *s, struct hull_error **err);

/* Releases what setup recorded for id; nothing recorded is not an error (teardown runs once per stop). */
int net_teardown(const char *state_dir, const char *id, struct hull_error **err);

#endif
