/* A container's network, by mode, set up and torn down by id: what `hull network setup` and `teardown`
 * do, also as OCI hooks (createRuntime and poststop) of a bundle any runtime runs.
 *
 * Modes: `none`/`private` (the container's own namespace with loopback up), `host`/`shared` (the host's
 * namespace: nothing to do), `local`/`bridge` and `local.X` (the local network, see net/local.h), with
 * published ports (net/nat.h).  Setup records what it made (net/state.h) and teardown releases exactly
 * that; both hold the state directory's lock, so concurrent containers never interleave their changes to
 * the shared bridge, table and leases. */
#ifndef HULL_NET_SETUP_H
#define HULL_NET_SETUP_H

#include <sys/types.h>

#include "net/dns.h"
#include "net/netlink.h"
#include "net/ports.h"
#include "net/state.h"
#include "util/error.h"

struct net_setup {
	const char *state_dir;
	const char *id;
	const char *mode;
	pid_t pid;    /* the container's first process, recorded so prune can tell it is gone */
	int netns_fd; /* the container's network namespace; -1: setup opens the pid's, if the mode needs it */
	struct net_ports ports; /* to publish (local network only) */
	const char *name;	/* in /etc/hosts, its own and the other containers'; NULL: the id */
	const char *root;	/* the container's root on the host; NULL: hull writes no /etc files */
	struct net_dns_options dns;
	const char *uplink; /* LAN mode: the host's interface on the LAN; NULL: the default route's */
	enum net_lan_driver lan_driver;
	const char *cni_conf_dir; /* cni:NAME: where its configuration is; NULL: /etc/cni/net.d */
	const char *cni_path;	  /* cni:NAME: the plugin directories; NULL: /usr/lib/cni:/opt/cni/bin */
	const char *const *extra_hosts; /* --add-host NAME:IP, in /etc/hosts (net_extra_hosts_text) */
	size_t n_extra_hosts;
};

/* The root filesystem of a bundle, from its config.json (root.path, relative to the bundle). */
int net_bundle_root(const char *bundle, char **root, struct hull_error **err);

int net_setup(struct net_setup *s, struct hull_error **err);

/* Whether mode is one setup knows. */
int net_mode_check(const char *mode, struct hull_error **err);

/* Releases what setup recorded for id; nothing recorded is not an error (teardown runs once per stop). */
int net_teardown(const char *state_dir, const char *id, struct hull_error **err);

/* Releases what a record holds, with the lock already taken (teardown and prune). */
int net_release_record(const char *state_dir, struct net_record *r, struct hull_error **err);

#endif
