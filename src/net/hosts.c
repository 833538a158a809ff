#include "net/hosts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "util/cleanup.h"
#include "util/log.h"

struct peers {
	FILE *out;
	const char *self;
	const char *network; /* as net_record_network() names it */
};

static int add_peer(const char *dir, const char *id, void *data, struct hull_error **err)
{
	struct peers *p = data;
	struct net_record r;
	char address[INET_ADDRSTRLEN];

	if (net_record_read(dir, id, &r, NULL) < 0)
		return 0;
	char network[128];

	net_record_network(&r, network, sizeof(network));
	/* Neighbours on the same network, which the container reaches directly. */
	if (network[0] && strcmp(network, p->network) == 0 && r.name[0] && strcmp(r.name, p->self) != 0 &&
	    net_record_alive(&r))
		fprintf(p->out, "%s\t%s\n", inet_ntop(AF_INET, &r.address, address, sizeof(address)), r.name);
	net_record_free(&r);
	return 0;
}

int net_hosts_build(const char *dir, const char *name, const struct in_addr *self, const struct in_addr *host,
		    const char *network, char **out, struct hull_error **err)
{
	char address[INET_ADDRSTRLEN];
	struct peers p = {.self = name ? name : "", .network = network ? network : ""};
	size_t len = 0;
	int ret = 0;

	*out = NULL;
	if ((p.out = open_memstream(out, &len)) == NULL)
		return hull_error_set(err, ENOMEM, "/etc/hosts");
	fputs("# Written by hull for this container.\n"
	      "127.0.0.1\tlocalhost\n"
	      "::1\tlocalhost ip6-localhost ip6-loopback\n",
	      p.out);
	if (name && *name)
		fprintf(p.out, "%s\t%s\n",
			self ? inet_ntop(AF_INET, self, address, sizeof(address)) : "127.0.1.1", name);
	if (host && host->s_addr)
		fprintf(p.out, "%s\thost\n", inet_ntop(AF_INET, host, address, sizeof(address)));
	if (self && p.network[0])
		ret = net_records_each(dir, add_peer, &p, err);
	if (fclose(p.out) != 0 && ret >= 0)
		ret = hull_error_set(err, ENOMEM, "/etc/hosts");
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

static int refresh_one(const char *dir, const char *id, void *data, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	struct hull_error *e = NULL;
	struct net_record r;

	if (net_record_read(dir, id, &r, NULL) < 0)
		return 0;
	/* Only running containers: a stopped one's root may be gone or reused. */
	char network[128];

	net_record_network(&r, network, sizeof(network));
	if (network[0] && r.root && net_record_alive(&r) &&
	    (net_hosts_build(dir, r.name, &r.address, &r.host, network, &text, &e) < 0 ||
	     net_root_write_etc(r.root, "hosts", text, &e) < 0)) {
		hull_log_warning("update /etc/hosts of `%s`: %s", id, e->message);
		hull_error_free(&e);
	}
	net_record_free(&r);
	return 0;
}

void net_hosts_refresh(const char *dir)
{
	net_records_each(dir, refresh_one, NULL, NULL);
}
