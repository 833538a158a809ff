#include "net/nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/nft.h"
#include "net/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static int write_sysctl(const char *path, const char *value, struct hull_error **err)
{
	/* /proc/sys/net is the namespace of the process that opens it: the host's here. */
	return fs_write_file(AT_FDCWD, path, value, strlen(value), err);
}

int net_nat_ensure(const struct net_nat_network *n, struct hull_error **err)
{
	char subnet[INET_ADDRSTRLEN], masquerade[160] = "", isolate[256] = "", path[128];
	cleanup_free char *commands = NULL;
	bool exists;
	int ret;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", n->bridge);
	if ((ret = write_sysctl(path, "1", err)) < 0)
		return hull_error_wrap(err, "let `%s` carry published ports of 127.0.0.1", n->bridge);
	if (n->forwarding && (ret = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1", err)) < 0)
		return hull_error_wrap(err, "turn on IPv4 forwarding");
	if ((ret = net_nft_table_exists(&exists, err)) < 0 || exists)
		return ret;
	inet_ntop(AF_INET, &n->subnet, subnet, sizeof(subnet));
	/* Forwarding off: the network is the host's and its own, whatever else has turned ip_forward on;
	 * published ports (DNATed) still come in. */
	if (!n->forwarding)
		snprintf(isolate, sizeof(isolate),
			 "    ct status dnat accept\n"
			 "    iifname \"%s\" oifname != \"%s\" drop\n"
			 "    oifname \"%s\" iifname != \"%s\" drop\n",
			 n->bridge, n->bridge, n->bridge, n->bridge);
	if (n->forwarding)
		snprintf(masquerade, sizeof(masquerade), "ip saddr %s/%u ip daddr != %s/%u masquerade\n",
			 subnet, n->prefix, subnet, n->prefix);
	if (asprintf(&commands,
		     "table ip " NET_NFT_TABLE " {\n"
		     "  map tcp_any { type inet_service : ipv4_addr . inet_service; }\n"
		     "  map tcp_ip { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
		     "  map udp_any { type inet_service : ipv4_addr . inet_service; }\n"
		     "  map udp_ip { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
		     "  chain ports {\n"
		     "    dnat ip to ip daddr . tcp dport map @tcp_ip\n"
		     "    dnat ip to tcp dport map @tcp_any\n"
		     "    dnat ip to ip daddr . udp dport map @udp_ip\n"
		     "    dnat ip to udp dport map @udp_any\n"
		     "  }\n"
		     "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;"
		     " fib daddr type local jump ports; }\n"
		     "  chain output { type nat hook output priority -100; policy accept;"
		     " fib daddr type local jump ports; }\n"
		     "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
		     "    %s"
		     "    ct status dnat oifname \"%s\" ip saddr { 127.0.0.0/8, %s/%u } masquerade\n"
		     "  }\n"
		     "  chain forward { type filter hook forward priority filter; policy accept;\n"
		     "%s"
		     "  }\n"
		     "}\n",
		     masquerade, n->bridge, subnet, n->prefix, isolate) < 0)
		return hull_error_set(err, ENOMEM, "nftables");
	return net_nft_run(commands, err);
}

static const char *map_name(const struct net_port *p)
{
	if (p->proto == NET_UDP)
		return p->host_ip.s_addr == INADDR_ANY ? "udp_any" : "udp_ip";
	return p->host_ip.s_addr == INADDR_ANY ? "tcp_any" : "tcp_ip";
}

/* The map key: "PORT" or "ADDRESS . PORT". */
static void element_key(const struct net_port *p, char *out, size_t size)
{
	char ip[INET_ADDRSTRLEN];

	if (p->host_ip.s_addr == INADDR_ANY) {
		snprintf(out, size, "%u", p->host_port);
		return;
	}
	inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
	snprintf(out, size, "%s . %u", ip, p->host_port);
}

static void lease_path(const char *dir, const struct net_port *p, struct in_addr ip, char *out, size_t size)
{
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &ip, text, sizeof(text));
	snprintf(out, size, "%s/ports/%s-%s-%u", dir, net_proto_name(p->proto), text, p->host_port);
}

/* A host process listening on the port would be shadowed by the DNAT without a word: refuse instead.
 * Binding also proves a specific host address is one of the host's. */
static int check_host_port(const struct net_port *p, struct hull_error **err)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons((uint16_t)p->host_port), .sin_addr = p->host_ip};
	cleanup_close int fd =
	    socket(AF_INET, (p->proto == NET_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return hull_error_errno(err, "socket");
	/* A connection of the past in TIME_WAIT is no listener. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EADDRINUSE)
			return hull_error_fail(err, EADDRINUSE, "a process of the host already uses it");
		if (errno == EADDRNOTAVAIL)
			return hull_error_fail(err, EADDRNOTAVAIL, "the host has no such address");
		return hull_error_errno(err, "bind");
	}
	return 0;
}

/* A free host port, as the kernel hands out ephemeral ones. */
static int pick_host_port(struct net_port *p, struct hull_error **err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = p->host_ip};
	socklen_t len = sizeof(sa);
	cleanup_close int fd =
	    socket(AF_INET, (p->proto == NET_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return hull_error_errno(err, "choose a free host port");
	p->host_port = ntohs(sa.sin_port);
	return 0;
}

/* STATE/ports/PROTO-ADDRESS-PORT, made with O_EXCL, is the port's allocation.  A port on every address
 * and the same port on one address exclude each other, as they would for sockets. */
static int take_port_lease(const char *dir, const char *id, const struct net_port *p, struct hull_error **err)
{
	char path[4096], other[4096];
	struct stat st;
	int ret;

	lease_path(dir, p, p->host_ip, path, sizeof(path));
	if (p->host_ip.s_addr != INADDR_ANY) {
		lease_path(dir, p, (struct in_addr){INADDR_ANY}, other, sizeof(other));
		if (stat(other, &st) == 0)
			return hull_error_fail(err, EADDRINUSE,
					       "another container publishes it on every address");
	} else {
		cleanup_closedir DIR *d = NULL;
		char suffix[32];
		struct dirent *e;
		size_t plen = strlen(net_proto_name(p->proto));
		snprintf(other, sizeof(other), "%s/ports", dir);
		snprintf(suffix, sizeof(suffix), "-%u", p->host_port);
		if ((d = opendir(other)) != NULL)
			while ((e = readdir(d)) != NULL) {
				size_t n = strlen(e->d_name), s = strlen(suffix);
				if (n > s && strcmp(e->d_name + n - s, suffix) == 0 &&
				    strncmp(e->d_name, net_proto_name(p->proto), plen) == 0 &&
				    e->d_name[plen] == '-')
					return hull_error_fail(
					    err, EADDRINUSE, "another container publishes it on an address");
			}
	}
	ret = net_lease_create(path, id, err);
	if (ret == -EEXIST)
		return hull_error_fail(err, EADDRINUSE, "another container publishes it");
	return ret;
}

static void drop_port_lease(const char *dir, const struct net_port *p)
{
	char path[4096];

	lease_path(dir, p, p->host_ip, path, sizeof(path));
	unlink(path);
}

static void describe(const struct net_port *p, char *out, size_t size)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
	snprintf(out, size, "%s%s%u/%s", p->host_ip.s_addr == INADDR_ANY ? "" : ip,
		 p->host_ip.s_addr == INADDR_ANY ? "" : ":", p->host_port, net_proto_name(p->proto));
}

/* "add element ip hull MAP { KEY : TARGET . PORT }" (or delete, without the value) for each port. */
static char *element_commands(const struct net_port *items, size_t count, const char *verb,
			      const struct in_addr *target)
{
	char key[64], to[INET_ADDRSTRLEN], line[192];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	if (target)
		inet_ntop(AF_INET, target, to, sizeof(to));
	for (size_t i = 0; i < count; i++) {
		const struct net_port *p = &items[i];
		element_key(p, key, sizeof(key));
		if (target)
			snprintf(line, sizeof(line), "%s element ip " NET_NFT_TABLE " %s { %s : %s . %u }\n",
				 verb, map_name(p), key, to, p->port);
		else
			snprintf(line, sizeof(line), "%s element ip " NET_NFT_TABLE " %s { %s }\n", verb,
				 map_name(p), key);
		fputs(line, f);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int net_nat_publish(const char *dir, const char *id, struct net_ports *ports, struct in_addr target,
		    struct hull_error **err)
{
	cleanup_free char *leases = NULL, *commands = NULL;
	char what[64];
	size_t leased = 0;
	int ret = 0;

	if (ports->count == 0)
		return 0;
	if (asprintf(&leases, "%s/ports", dir) < 0)
		return hull_error_set(err, ENOMEM, "publish ports");
	if (mkdir(leases, 0700) < 0 && errno != EEXIST)
		return hull_error_errno(err, "`%s`", leases);
	for (; leased < ports->count; leased++) {
		struct net_port *p = &ports->items[leased];
		bool chosen = p->host_port == 0;
		/* A port hull chooses may have been chosen for another container a moment ago: choose again.
		 */
		describe(p, what, sizeof(what));
		for (int tries = 0; tries < 16; tries++) {
			if (chosen && (ret = pick_host_port(p, err)) < 0)
				break;
			describe(p, what, sizeof(what));
			if ((ret = check_host_port(p, err)) >= 0 &&
			    (ret = take_port_lease(dir, id, p, err)) >= 0)
				break;
			if (!chosen || ret != -EADDRINUSE || tries == 15)
				break;
			hull_error_free(err);
		}
		if (ret < 0) {
			hull_error_wrap(err, "publish port %s", what);
			goto fail;
		}
	}
	if ((commands = element_commands(ports->items, ports->count, "add", &target)) == NULL) {
		ret = hull_error_set(err, ENOMEM, "publish ports");
		goto fail;
	}
	if ((ret = net_nft_run(commands, err)) < 0) {
		hull_error_wrap(err, "publish ports");
		goto fail;
	}
	return 0;
fail:
	for (size_t i = 0; i < leased; i++)
		drop_port_lease(dir, &ports->items[i]);
	return ret;
}

void net_nat_unpublish(const char *dir, const struct net_ports *ports)
{
	cleanup_free char *commands = NULL;
	struct hull_error *err = NULL;
	bool exists = false;

	if (ports->count == 0)
		return;
	if (net_nft_table_exists(&exists, &err) >= 0 && exists &&
	    (commands = element_commands(ports->items, ports->count, "delete", NULL)) != NULL &&
	    net_nft_run(commands, &err) < 0) {
		/* One element already gone fails the whole batch: delete the others one by one. */
		hull_error_free(&err);
		for (size_t i = 0; i < ports->count; i++) {
			cleanup_free char *one = element_commands(&ports->items[i], 1, "delete", NULL);
			if (one && net_nft_run(one, &err) < 0) {
				hull_log_debug("unpublish: %s", err->message);
				hull_error_free(&err);
			}
		}
	}
	hull_error_free(&err);
	for (size_t i = 0; i < ports->count; i++)
		drop_port_lease(dir, &ports->items[i]);
}
