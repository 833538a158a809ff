#include "net/local.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/nat.h"
#include "net/netlink.h"
#include "net/nft.h"
#include "net/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define DEFAULT_BRIDGE "hull0"

/* The first 10.88.N.0/24 (N from 0) that no route of the host touches. */
static int choose_subnet(struct net_nl *host, struct net_local_config *c, struct hull_error **err)
{
	for (unsigned n = 0; n < 256; n++) {
		bool used;
		int ret;
		c->subnet.s_addr = htonl((10u << 24) | (88u << 16) | (n << 8));
		c->prefix = 24;
		if ((ret = net_route_overlaps(host, c->subnet, c->prefix, &used, err)) < 0)
			return ret;
		if (!used)
			return 0;
	}
	return hull_error_fail(
	    err, EADDRINUSE,
	    "local network: every 10.88.N.0/24 is already routed on the host; set one with "
	    "`hull network set --subnet`");
}

int net_local_parse_subnet(const char *text, struct in_addr *subnet, unsigned *prefix,
			   struct hull_error **err)
{
	char buf[32], *slash, *end;
	unsigned long p;
	uint32_t mask;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf) || (slash = strchr(buf, '/')) == NULL)
		return hull_error_invalid(err, "subnet `%s`: expected A.B.C.D/N", text);
	*slash = '\0';
	errno = 0;
	p = strtoul(slash + 1, &end, 10);
	if (inet_pton(AF_INET, buf, subnet) != 1 || errno || *end || end == slash + 1 || p < 8 || p > 30)
		return hull_error_invalid(err, "subnet `%s`: expected A.B.C.D/N with N from 8 to 30", text);
	*prefix = (unsigned)p;
	mask = htonl(~(0xffffffffu >> p));
	if ((subnet->s_addr & ~mask) != 0)
		return hull_error_invalid(
		    err, "subnet `%s`: host bits are set (the network is %s/%lu)", text,
		    inet_ntop(AF_INET, &(struct in_addr){subnet->s_addr & mask}, buf, sizeof(buf)), p);
	return 0;
}

bool net_local_bridge_name_valid(const char *name)
{
	/* What the kernel takes as an interface name, and nothing nft's rule text would need to quote. */
	return *name && strlen(name) < IFNAMSIZ && strcspn(name, "/ \t\n\"':\\") == strlen(name) &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static char *config_path(const char *dir)
{
	char *path = NULL;
	return asprintf(&path, "%s/local.json", dir) < 0 ? NULL : path;
}

int net_local_config_load(const char *dir, struct net_local_config *c, struct hull_error **err)
{
	cleanup_free char *path = config_path(dir), *text = NULL;
	json_object *doc = NULL;
	const char *bridge = NULL, *subnet = NULL;
	int ret;

	*c = (struct net_local_config){.forwarding = true};
	snprintf(c->bridge, sizeof(c->bridge), DEFAULT_BRIDGE);
	if (path == NULL)
		return hull_error_set(err, ENOMEM, "local network");
	if (fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0)
		return 0;
	if ((ret = json_parse_text(text, strlen(text), path, &doc, err)) < 0)
		return ret;
	if ((ret = json_field_string(doc, path, "bridge", &bridge, err)) >= 0 &&
	    (ret = json_field_string(doc, path, "subnet", &subnet, err)) >= 0 &&
	    (ret = json_field_bool(doc, path, "forwarding", &c->forwarding, err)) >= 0) {
		if (bridge && !net_local_bridge_name_valid(bridge))
			ret = hull_error_invalid(err, "`%s`: bridge `%s` is not an interface name", path,
						 bridge);
		else if (bridge)
			snprintf(c->bridge, sizeof(c->bridge), "%s", bridge);
		if (ret >= 0 && subnet &&
		    (ret = net_local_parse_subnet(subnet, &c->subnet, &c->prefix, err)) < 0)
			hull_error_wrap(err, "`%s`", path);
	}
	json_object_put(doc);
	return ret;
}

int net_local_config_save(const char *dir, const struct net_local_config *c, struct hull_error **err)
{
	cleanup_free char *path = config_path(dir), *text = NULL;
	char address[INET_ADDRSTRLEN], subnet[INET_ADDRSTRLEN + 4] = "";
	int ret;

	if (c->prefix) {
		inet_ntop(AF_INET, &c->subnet, address, sizeof(address));
		snprintf(subnet, sizeof(subnet), "%s/%u", address, c->prefix);
	}
	if (path == NULL || asprintf(&text, "{\"bridge\": \"%s\"%s%s%s, \"forwarding\": %s}\n", c->bridge,
				     *subnet ? ", \"subnet\": \"" : "", subnet, *subnet ? "\"" : "",
				     c->forwarding ? "true" : "false") < 0)
		return hull_error_set(err, ENOMEM, "local network");
	if ((ret = fs_mkdir_parents(dir, 0700, err)) < 0)
		return ret;
	return fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644, err);
}

/* local.json: the subnet is chosen once, so every container of the network agrees on it. */
static int load_config(const char *dir, struct net_nl *host, struct net_local_config *c,
		       struct hull_error **err)
{
	int ret;

	if ((ret = net_local_config_load(dir, c, err)) < 0 || c->prefix)
		return ret;
	if ((ret = choose_subnet(host, c, err)) < 0)
		return ret;
	return net_local_config_save(dir, c, err);
}

int net_local_config_chosen(const char *dir, struct net_local_config *c, struct hull_error **err)
{
	struct net_nl host;
	int ret;

	if ((ret = fs_mkdir_parents(dir, 0700, err)) < 0 || (ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	ret = load_config(dir, &host, c, err);
	net_nl_close(&host);
	return ret;
}

static struct in_addr host_address(const struct net_local_config *c, uint32_t host)
{
	return (struct in_addr){htonl(ntohl(c->subnet.s_addr) + host)};
}

/* The bridge with the network's first address, up; made when missing. */
static int ensure_bridge(struct net_nl *host, const struct net_local_config *c, int *index,
			 struct hull_error **err)
{
	int ret;

	if ((ret = net_link_index(host, c->bridge, index, err)) < 0)
		return ret;
	if (*index == 0) {
		if ((ret = net_bridge_create(host, c->bridge, err)) < 0 && ret != -EEXIST)
			return ret;
		hull_error_free(err);
		if ((ret = net_link_index(host, c->bridge, index, err)) < 0)
			return ret;
	}
	if ((ret = net_addr_add(host, *index, host_address(c, 1), c->prefix, err)) < 0)
		return ret;
	return net_link_up(host, *index, 0, err);
}

/* leases/ADDRESS made with O_EXCL is the allocation: two setups never get the same address. */
static int take_lease(const char *dir, const struct net_local_config *c, const char *id, unsigned pinned,
		      struct in_addr *out, struct hull_error **err)
{
	uint32_t last = (1u << (32 - c->prefix)) - 2, base = ntohl(c->subnet.s_addr);
	cleanup_free char *leases = NULL;
	int ret;

	if (asprintf(&leases, "%s/leases", dir) < 0)
		return hull_error_set(err, ENOMEM, "local network");
	if (pinned && (pinned < 2 || pinned > last))
		return hull_error_invalid(err, "local.%u: the host part must be 2..%u", pinned, last);
	ret = net_address_lease_first(leases, id, base + (pinned ? pinned : 2),
				      base + (pinned ? pinned : last), (struct in_addr){0}, out, err);
	if (ret == -EADDRNOTAVAIL && pinned)
		return hull_error_fail(err, EADDRINUSE, "local.%u is taken by another container", pinned);
	if (ret == -EADDRNOTAVAIL)
		return hull_error_fail(err, EADDRNOTAVAIL, "local network: no free address left");
	return ret;
}

static void drop_lease(const char *dir, struct in_addr a)
{
	cleanup_free char *leases = NULL;

	if (asprintf(&leases, "%s/leases", dir) >= 0)
		net_address_release(leases, a);
}

/* The host end's name: "hv" and 10 hex digits of the id's hash, within IFNAMSIZ whatever the id. */
static void veth_name(const char *id, char out[16])
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(out, 16, "hv%010llx", (unsigned long long)(h & 0xffffffffffull));
}

int net_local_attach(const char *dir, const char *id, int netns_fd, unsigned pinned,
		     struct net_local_attachment *out, struct hull_error **err)
{
	struct net_local_config c;
	struct net_nl host;
	int bridge = 0, veth = 0, ret;
	bool leased = false, linked = false;

	*out = (struct net_local_attachment){0};
	if ((ret = fs_mkdir_parents(dir, 0700, err)) < 0)
		return ret;
	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	if ((ret = load_config(dir, &host, &c, err)) < 0 ||
	    (ret = ensure_bridge(&host, &c, &bridge, err)) < 0 ||
	    (ret = net_nat_ensure(
		 &(struct net_nat_network){
		     .bridge = c.bridge, .subnet = c.subnet, .prefix = c.prefix, .forwarding = c.forwarding},
		 err)) < 0)
		goto out;
	if ((ret = take_lease(dir, &c, id, pinned, &out->address, err)) < 0)
		goto out;
	leased = true;
	out->gateway = host_address(&c, 1);
	out->prefix = c.prefix;
	veth_name(id, out->veth);
	if ((ret = net_veth_create(&host, out->veth, "eth0", netns_fd, err)) < 0)
		goto out;
	linked = true;
	if ((ret = net_link_index(&host, out->veth, &veth, err)) < 0 ||
	    (ret = net_link_up(&host, veth, bridge, err)) < 0)
		goto out;
	ret = net_container_configure(netns_fd, "eth0", out->address, out->prefix, out->gateway, err);
out:
	if (ret < 0) {
		/* Nothing stays: the pair goes with its host end, the address back to the pool. */
		if (linked)
			net_link_delete(&host, out->veth, NULL);
		if (leased)
			drop_lease(dir, out->address);
	}
	net_nl_close(&host);
	return ret < 0 ? hull_error_wrap(err, "local network") : 0;
}

/* Whether any address of the network is still leased. */
static bool network_in_use(const char *dir)
{
	cleanup_free char *leases = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&leases, "%s/leases", dir) < 0 || (d = opendir(leases)) == NULL)
		return false;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			return true;
	return false;
}

int net_local_release_if_unused(const char *dir, struct hull_error **err)
{
	struct net_local_config c;
	struct net_nl host;
	int ret;

	if (network_in_use(dir))
		return 0;
	if ((ret = net_local_config_load(dir, &c, err)) < 0)
		return ret;
	/* The last container is gone: the bridge and the firewall table go too, so a host that stops using
	 * hull keeps nothing of it. */
	if ((ret = net_nft_table_delete(err)) < 0)
		return hull_error_wrap(err, "local network: delete the nftables table");
	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	ret = net_link_delete(&host, c.bridge, err);
	net_nl_close(&host);
	return ret < 0 ? hull_error_wrap(err, "local network") : 0;
}

int net_local_detach(const char *dir, const struct net_local_attachment *a, struct hull_error **err)
{
	struct net_nl host;
	int ret;

	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	/* Gone already when the container's namespace went away: deleting it is then a no-op. */
	ret = net_link_delete(&host, a->veth, err);
	net_nl_close(&host);
	drop_lease(dir, a->address);
	return ret;
}
