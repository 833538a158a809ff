#include "net/local.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/netlink.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define DEFAULT_BRIDGE "hull0"

struct local_config {
	char bridge[IFNAMSIZ];
	struct in_addr subnet;
	unsigned prefix;
};

/* The first 10.88.N.0/24 (N from 0) that no route of the host touches. */
static int choose_subnet(struct net_nl *host, struct local_config *c, struct hull_error **err)
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
	return hull_error_fail(err, EADDRINUSE,
			       "local network: every 10.88.N.0/24 is already routed on the host");
}

/* local.json: chosen once, so every container of the network agrees on it. */
static int load_config(const char *dir, struct net_nl *host, struct local_config *c, struct hull_error **err)
{
	cleanup_free char *path = NULL, *text = NULL;
	json_object *doc = NULL;
	const char *bridge = NULL, *subnet = NULL;
	char buf[64], *slash;
	int ret;

	if (asprintf(&path, "%s/local.json", dir) < 0)
		return hull_error_set(err, ENOMEM, "local network");
	if (fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0) {
		snprintf(c->bridge, sizeof(c->bridge), DEFAULT_BRIDGE);
		if ((ret = choose_subnet(host, c, err)) < 0)
			return ret;
		inet_ntop(AF_INET, &c->subnet, buf, sizeof(buf));
		cleanup_free char *doc_text = NULL;
		if (asprintf(&doc_text, "{\"bridge\": \"%s\", \"subnet\": \"%s/%u\"}\n", c->bridge, buf,
			     c->prefix) < 0)
			return hull_error_set(err, ENOMEM, "local network");
		return fs_write_file_atomic(AT_FDCWD, path, doc_text, strlen(doc_text), 0644, err);
	}
	if ((ret = json_parse_text(text, strlen(text), path, &doc, err)) < 0)
		return ret;
	if ((ret = json_field_string(doc, path, "bridge", &bridge, err)) >= 0 &&
	    (ret = json_field_string(doc, path, "subnet", &subnet, err)) >= 0) {
		if (bridge == NULL || strlen(bridge) >= IFNAMSIZ || subnet == NULL ||
		    snprintf(buf, sizeof(buf), "%s", subnet) >= (int)sizeof(buf) ||
		    (slash = strchr(buf, '/')) == NULL) {
			ret = hull_error_invalid(err, "`%s`: needs bridge and subnet (A.B.C.D/N)", path);
		} else {
			*slash = '\0';
			c->prefix = (unsigned)atoi(slash + 1);
			snprintf(c->bridge, sizeof(c->bridge), "%s", bridge);
			if (inet_pton(AF_INET, buf, &c->subnet) != 1 || c->prefix < 8 || c->prefix > 30)
				ret = hull_error_invalid(err, "`%s`: subnet `%s` is not A.B.C.D/8..30", path,
							 subnet);
		}
	}
	json_object_put(doc);
	return ret;
}

static struct in_addr host_address(const struct local_config *c, uint32_t host)
{
	return (struct in_addr){htonl(ntohl(c->subnet.s_addr) + host)};
}

/* The bridge with the network's first address, up; made when missing. */
static int ensure_bridge(struct net_nl *host, const struct local_config *c, int *index,
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
static int take_lease(const char *dir, const struct local_config *c, const char *id, unsigned pinned,
		      struct in_addr *out, struct hull_error **err)
{
	uint32_t last = (1u << (32 - c->prefix)) - 2;
	cleanup_free char *leases = NULL;

	if (asprintf(&leases, "%s/leases", dir) < 0)
		return hull_error_set(err, ENOMEM, "local network");
	if (mkdir(leases, 0700) < 0 && errno != EEXIST)
		return hull_error_errno(err, "`%s`", leases);
	if (pinned && (pinned < 2 || pinned > last))
		return hull_error_invalid(err, "local.%u: the host part must be 2..%u", pinned, last);
	for (uint32_t h = pinned ? pinned : 2; h <= (pinned ? pinned : last); h++) {
		char text[INET_ADDRSTRLEN], path[4096];
		struct in_addr a = host_address(c, h);
		int fd;
		inet_ntop(AF_INET, &a, text, sizeof(text));
		snprintf(path, sizeof(path), "%s/%s", leases, text);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return hull_error_errno(err, "lease `%s`", path);
		if (write(fd, id, strlen(id)) < 0) {
			int ret = hull_error_errno(err, "lease `%s`", path);
			close(fd);
			unlink(path);
			return ret;
		}
		close(fd);
		*out = a;
		return 0;
	}
	if (pinned)
		return hull_error_fail(err, EADDRINUSE, "local.%u is taken by another container", pinned);
	return hull_error_fail(err, EADDRNOTAVAIL, "local network: no free address left");
}

static void drop_lease(const char *dir, struct in_addr a)
{
	char text[INET_ADDRSTRLEN], path[4096];

	inet_ntop(AF_INET, &a, text, sizeof(text));
	snprintf(path, sizeof(path), "%s/leases/%s", dir, text);
	unlink(path);
}

/* The host end's name: "hv" and 10 hex digits of the id's hash, within IFNAMSIZ whatever the id. */
static void veth_name(const char *id, char out[16])
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(out, 16, "hv%010llx", (unsigned long long)(h & 0xffffffffffull));
}

static int configure_container(int netns_fd, const struct net_local_attachment *a, struct hull_error **err)
{
	struct net_nl c;
	int lo = 0, eth = 0, ret;

	if ((ret = net_nl_open(&c, netns_fd, err)) < 0)
		return ret;
	if ((ret = net_link_index(&c, "lo", &lo, err)) >= 0 && lo > 0)
		ret = net_link_up(&c, lo, 0, err);
	if (ret >= 0 && (ret = net_link_index(&c, "eth0", &eth, err)) >= 0 && eth == 0)
		ret = hull_error_fail(err, ENODEV, "eth0 did not arrive in the container");
	if (ret >= 0)
		ret = net_addr_add(&c, eth, a->address, a->prefix, err);
	if (ret >= 0)
		ret = net_link_up(&c, eth, 0, err);
	if (ret >= 0)
		ret = net_route_default(&c, a->gateway, err);
	net_nl_close(&c);
	return ret;
}

int net_local_attach(const char *dir, const char *id, int netns_fd, unsigned pinned,
		     struct net_local_attachment *out, struct hull_error **err)
{
	struct local_config c;
	struct net_nl host;
	int bridge = 0, veth = 0, ret;
	bool leased = false, linked = false;

	*out = (struct net_local_attachment){0};
	if ((ret = fs_mkdir_parents(dir, 0700, err)) < 0)
		return ret;
	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	if ((ret = load_config(dir, &host, &c, err)) < 0 ||
	    (ret = ensure_bridge(&host, &c, &bridge, err)) < 0)
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
	ret = configure_container(netns_fd, out, err);
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

int net_local_detach(const char *dir, const char *id, const struct net_local_attachment *a,
		     struct hull_error **err)
{
	struct net_nl host;
	int ret;

	(void)id;
	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	/* Gone already when the container's namespace went away: deleting it is then a no-op. */
	ret = net_link_delete(&host, a->veth, err);
	net_nl_close(&host);
	drop_lease(dir, a->address);
	return ret;
}
