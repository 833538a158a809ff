/* DNS and names inside a container: its /etc/resolv.conf as the host resolves, and its /etc/hosts.
 *
 * resolv.conf: the host's /etc/resolv.conf, except that a local stub (systemd-resolved's 127.0.0.53,
 * dnsmasq on 127.x, anything on loopback) is unreachable from a container with its own network, so its
 * servers are replaced by the upstream ones the stub uses: /run/systemd/resolve/resolv.conf, else
 * NetworkManager's /run/NetworkManager/no-stub-resolv.conf.  A container sharing the host's network
 * keeps the stub.  --dns, --dns-search and --dns-option replace the corresponding lines.
 *
 * The files are written into the container's root (its /etc resolved inside the root, then a temporary
 * file renamed over the name), as systemd-nspawn's copy mode does: it works for any runtime whatever the
 * order of its hooks and mounts, and a symlink or hard link at /etc/resolv.conf is replaced, never
 * written through. */
#ifndef HULL_NET_DNS_H
#define HULL_NET_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct net_dns_options {
	const char **servers; /* --dns; NULL-terminated, or NULL */
	const char **search;  /* --dns-search */
	const char **options; /* --dns-option */
};

/* resolv.conf text from the host's file and the stub's upstream file (either may be NULL).  With
 * keep_loopback false, loopback servers are replaced by the upstream ones, and dropped when there are
 * none; *servers counts the nameserver lines written. */
int net_resolv_conf_build(const char *host, const char *upstream, bool keep_loopback,
			  const struct net_dns_options *o, char **out, size_t *servers,
			  struct hull_error **err);

/* Reads the host's files and builds the container's resolv.conf. */
int net_resolv_conf_for_container(bool keep_loopback, const struct net_dns_options *o, char **out,
				  size_t *servers, struct hull_error **err);

/* Checks an address given with --dns. */
int net_dns_server_valid(const char *server, struct hull_error **err);

/* Writes /etc/NAME of the root at root_path, mode 0644, replacing whatever is there. */
int net_root_write_etc(const char *root_path, const char *name, const char *text, struct hull_error **err);

#endif
