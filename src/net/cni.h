/* Mode `cni:NAME`: the container's network made by CNI plugins (Debian's containernetworking-plugins, or
 * any others), as the CNI specification says.  The network configuration is the file of
 * /etc/cni/net.d (or --cni-conf-dir) whose name is NAME, a .conflist or a single-plugin .conf/.json;
 * ADD runs its plugins in order, each given the previous one's result as prevResult; published ports go
 * to plugins with the portMappings capability as runtimeConfig; DEL runs them in reverse with the cached
 * result.  The configuration as used and the result are kept in the container's record, so teardown
 * deletes exactly what was added, even when the file has changed since or the namespace is gone.  A
 * failed ADD is undone with DEL before the error is reported. */
#ifndef HULL_NET_CNI_H
#define HULL_NET_CNI_H

#include <netinet/in.h>

#include "net/ports.h"
#include "util/error.h"

#define NET_CNI_CONF_DIR "/etc/cni/net.d"
#define NET_CNI_PATH	 "/usr/lib/cni:/opt/cni/bin"

struct net_cni_network {
	char *config; /* the network configuration list as used (JSON text) */
	char *result; /* the last plugin's result (JSON text) */
	struct in_addr address, gateway;
	unsigned prefix;
};

/* Runs ADD for network name; on success n holds the configuration, the result and the first IPv4
 * address of the result. */
int net_cni_add(const char *name, const char *conf_dir, const char *path, const char *id, const char *netns,
		const struct net_ports *ports, struct net_cni_network *n, struct hull_error **err);

/* Runs DEL with a configuration and result that ADD gave. */
int net_cni_del(const char *config, const char *result, const char *path, const char *id, const char *netns,
		struct hull_error **err);

void net_cni_network_free(struct net_cni_network *n);

/* The first IPv4 address of a CNI result (0.3.0 and later). */
int net_cni_result_address(const char *result, struct in_addr *address, unsigned *prefix,
			   struct in_addr *gateway, struct hull_error **err);

#endif
