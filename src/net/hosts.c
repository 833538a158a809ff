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
	char *extra; /* its --add-host lines */
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
		*e = (struct neighbour){
		    .address = r.address, .host = r.host, .root = r.root, .extra = r.extra_hosts};
		r.root = r.extra_hosts = NULL;
		snprintf(e->id, sizeof(e->id), "%s", r.id);
		snprintf(e->name, sizeof(e->name), "%s", r.name);
		snprintf(e->network, sizeof(e->network), "%s", network);
	}
	net_record_free(&r);
	return 0;
}

static void neighbours_free(struct neighbours *n)
{
	for (size_t i = 0; i < n->count; i++) {
		free(n->items[i].root);
		free(n->items[i].extra);
	}
	free(n->items);
	*n = (struct neighbours){0};
}

static int build(const struct neighbours *n, const char *name, const struct in_addr *self,
		 const struct in_addr *host, const char *network, const char *extra, char **out,
		 struct hull_error **err)
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
	if (extra)
		fputs(extra, f);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return hull_error_set(err, ENOMEM, "/etc/hosts");
	}
	return 0;
}

int net_hosts_build(const char *dir, const char *name, const struct in_addr *self, const struct in_addr *host,
		    const char *network, const char *extra, char **out, struct hull_error **err)
{
	struct neighbours n = {0};
	int ret = 0;

	if (self && network && *network)
		ret = net_records_each(dir, add_neighbour, &n, err);
	if (ret >= 0)
		ret = build(&n, name, self, host, network, extra, out, err);
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
		if (build(&n, e->name, &e->address, &e->host, e->network, e->extra, &text, &err) < 0 ||
		    net_root_write_etc(e->root, "hosts", text, &err) < 0) {
			hull_log_warning("update /etc/hosts of `%s`: %s", e->id, err->message);
			hull_error_free(&err);
		}
	}
	neighbours_free(&n);
}

/* NAME and the address (canonical text in address[INET6_ADDRSTRLEN]; "" for host-gateway). */
static int parse_extra_host(const char *spec, char *name, size_t name_size, char *address,
			    struct hull_error **err)
{
	const char *sep = strpbrk(spec, ":=");
	char ip[INET6_ADDRSTRLEN + 2];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t len;

	if (sep == NULL || (size_t)(sep - spec) >= name_size)
		return hull_error_invalid(err, "--add-host `%.80s`: not NAME:IP", spec);
	memcpy(name, spec, (size_t)(sep - spec));
	name[sep - spec] = '\0';
	if (!net_name_valid(name, NET_HOSTNAME_MAX))
		return hull_error_invalid(err, "--add-host `%.80s`: `%s` is not a host name", spec, name);
	/* An IPv6 address may come in brackets, as in a URL. */
	len = strlen(sep + 1);
	if (len >= 2 && sep[1] == '[' && sep[len] == ']' && len - 2 < sizeof(ip))
		snprintf(ip, sizeof(ip), "%.*s", (int)(len - 2), sep + 2);
	else if (len < sizeof(ip))
		snprintf(ip, sizeof(ip), "%s", sep + 1);
	else
		return hull_error_invalid(err, "--add-host `%.80s`: the address is too long", spec);
	if (strcmp(ip, "host-gateway") == 0) {
		address[0] = '\0';
		return 0;
	}
	if (inet_pton(AF_INET, ip, bin) == 1)
		inet_ntop(AF_INET, bin, address, INET6_ADDRSTRLEN);
	else if (inet_pton(AF_INET6, ip, bin) == 1)
		inet_ntop(AF_INET6, bin, address, INET6_ADDRSTRLEN);
	else
		return hull_error_invalid(
		    err, "--add-host `%.80s`: `%s` is not an IP address or host-gateway", spec, ip);
	return 0;
}

int net_extra_host_check(const char *spec, struct hull_error **err)
{
	char name[NET_HOSTNAME_MAX + 1], address[INET6_ADDRSTRLEN];

	return parse_extra_host(spec, name, sizeof(name), address, err);
}

int net_extra_hosts_text(const char *const *specs, size_t n, const struct in_addr *host, char **out,
			 struct hull_error **err)
{
	size_t len = 0;
	FILE *f;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((f = open_memstream(out, &len)) == NULL)
		return hull_error_set(err, ENOMEM, "--add-host");
	for (size_t i = 0; i < n; i++) {
		char name[NET_HOSTNAME_MAX + 1], address[INET6_ADDRSTRLEN];
		if (parse_extra_host(specs[i], name, sizeof(name), address, err) < 0) {
			fclose(f);
			free(*out);
			*out = NULL;
			return -EINVAL;
		}
		if (address[0] == '\0' && (host == NULL || host->s_addr == 0)) {
			fclose(f);
			free(*out);
			*out = NULL;
			return hull_error_invalid(
			    err,
			    "--add-host `%.80s`: host-gateway: this network gives no address of the host",
			    specs[i]);
		}
		if (address[0] == '\0')
			inet_ntop(AF_INET, host, address, sizeof(address));
		fprintf(f, "%s\t%s\n", address, name);
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return hull_error_set(err, ENOMEM, "--add-host");
	}
	return 0;
}

bool net_extra_hosts_valid(const char *text)
{
	while (*text) {
		const char *tab = strchr(text, '\t'), *nl = tab ? strchr(tab, '\n') : NULL;
		char address[INET6_ADDRSTRLEN], name[NET_HOSTNAME_MAX + 1];
		unsigned char bin[sizeof(struct in6_addr)];
		if (nl == NULL || (size_t)(tab - text) >= sizeof(address) ||
		    (size_t)(nl - tab - 1) >= sizeof(name))
			return false;
		snprintf(address, sizeof(address), "%.*s", (int)(tab - text), text);
		snprintf(name, sizeof(name), "%.*s", (int)(nl - tab - 1), tab + 1);
		if ((inet_pton(AF_INET, address, bin) != 1 && inet_pton(AF_INET6, address, bin) != 1) ||
		    !net_name_valid(name, NET_HOSTNAME_MAX))
			return false;
		text = nl + 1;
	}
	return true;
}
