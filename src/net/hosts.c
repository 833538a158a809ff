#include "net/hosts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "util/cleanup.h"
#include "util/log.h"

/* The running containers with an address on some network, read once for all the files written. */
struct neighbour {
	char id[256], name[254], network[128];
	struct in_addr address, host;
	char *root;
};

struct neighbours {
	struct neighbour *items;
	size_t count;
};

static int add_neighbour(const char *dir, const char *id, void *data, struct hull_error **err)
{
	struct neighbours *n = data;
	struct neighbour *grown, *e;
	struct net_record r;
	char network[128];

	if (net_record_read(dir, id, &r, NULL) < 0)
		return 0;
	net_record_network(&r, network, sizeof(network));
	/* Only running containers: a stopped one's root may be gone or reused. */
	if (network[0] && net_record_alive(&r) &&
	    (grown = realloc(n->items, (n->count + 1) * sizeof(*grown)))) {
		n->items = grown;
		e = &n->items[n->count++];
		*e = (struct neighbour){.address = r.address, .host = r.host, .root = r.root};
		r.root = NULL;
		snprintf(e->id, sizeof(e->id), "%s", r.id);
		snprintf(e->name, sizeof(e->name), "%s", r.name);
		snprintf(e->network, sizeof(e->network), "%s", network);
	}
	net_record_free(&r);
	return 0;
}

static void neighbours_free(struct neighbours *n)
{
	for (size_t i = 0; i < n->count; i++)
		free(n->items[i].root);
	free(n->items);
	*n = (struct neighbours){0};
}

static int build(const struct neighbours *n, const char *name, const struct in_addr *self,
		 const struct in_addr *host, const char *network, char **out, struct hull_error **err)
{
	char address[INET_ADDRSTRLEN];
	size_t len = 0;
	FILE *f;

	*out = NULL;
	if ((f = open_memstream(out, &len)) == NULL)
		return hull_error_set(err, ENOMEM, "/etc/hosts");
	fputs("# Written by hull for this container.\n"
	      "127.0.0.1\tlocalhost\n"
	      "::1\tlocalhost ip6-localhost ip6-loopback\n",
	      f);
	if (name && *name)
		fprintf(f, "%s\t%s\n",
			self ? inet_ntop(AF_INET, self, address, sizeof(address)) : "127.0.1.1", name);
	if (host && host->s_addr)
		fprintf(f, "%s\thost\n", inet_ntop(AF_INET, host, address, sizeof(address)));
	/* Neighbours on the same network, which the container reaches directly. */
	for (size_t i = 0; self && network && *network && i < n->count; i++)
		if (strcmp(n->items[i].network, network) == 0 && n->items[i].name[0] &&
		    strcmp(n->items[i].name, name ? name : "") != 0)
			fprintf(f, "%s\t%s\n",
				inet_ntop(AF_INET, &n->items[i].address, address, sizeof(address)),
				n->items[i].name);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return hull_error_set(err, ENOMEM, "/etc/hosts");
	}
	return 0;
}

int net_hosts_build(const char *dir, const char *name, const struct in_addr *self, const struct in_addr *host,
		    const char *network, char **out, struct hull_error **err)
{
	struct neighbours n = {0};
	int ret = 0;

	if (self && network && *network)
		ret = net_records_each(dir, add_neighbour, &n, err);
	if (ret >= 0)
		ret = build(&n, name, self, host, network, out, err);
	neighbours_free(&n);
	return ret;
}

void net_hosts_refresh(const char *dir, const char *except)
{
	struct neighbours n = {0};

	net_records_each(dir, add_neighbour, &n, NULL);
	for (size_t i = 0; i < n.count; i++) {
		const struct neighbour *e = &n.items[i];
		cleanup_free char *text = NULL;
		struct hull_error *err = NULL;
		if (e->root == NULL || (except && strcmp(e->id, except) == 0))
			continue;
		if (build(&n, e->name, &e->address, &e->host, e->network, &text, &err) < 0 ||
		    net_root_write_etc(e->root, "hosts", text, &err) < 0) {
			hull_log_warning("update /etc/hosts of `%s`: %s", e->id, err->message);
			hull_error_free(&err);
		}
	}
	neighbours_free(&n);
}
