#include "net/lan.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/state.h"
#include "util/cleanup.h"
#include "util/fs.h"

int net_lan_parse_mode(const char *mode, bool *is_lan, struct net_lan_request *req, struct hull_error **err)
{
	char buf[32], *slash, *end;
	unsigned long prefix = 0;

	*is_lan = false;
	if (strspn(mode, "0123456789./") != strlen(mode) || strchr(mode, '.') == NULL)
		return 0;
	*is_lan = true;
	if (snprintf(buf, sizeof(buf), "%s", mode) >= (int)sizeof(buf))
		return hull_error_invalid(err, "network mode `%s`: expected A.B.C.D or A.B.C.D/N", mode);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || prefix < 8 || prefix > 30)
			return hull_error_invalid(err, "network mode `%s`: the prefix must be 8 to 30", mode);
	}
	if (inet_pton(AF_INET, buf, &req->address) != 1)
		return hull_error_invalid(err, "network mode `%s`: `%s` is not an IPv4 address", mode, buf);
	req->prefix = (unsigned)prefix;
	return 0;
}

/* "hl" and 10 hex digits of the uplink name's hash: within IFNAMSIZ, one per uplink. */
static void helper_name(const char *uplink, char out[IFNAMSIZ])
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = uplink; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(out, IFNAMSIZ, "hl%010llx", (unsigned long long)(h & 0xffffffffffull));
}

static char *lease_dir(const char *dir, const char *uplink)
{
	char *path = NULL;
	return asprintf(&path, "%s/lan/%s", dir, uplink) < 0 ? NULL : path;
}

static bool uplink_in_use(const char *dir, const char *uplink)
{
	cleanup_free char *path = lease_dir(dir, uplink);
	cleanup_closedir DIR *d = path ? opendir(path) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			return true;
	return false;
}

static void drop_lease(const char *dir, const char *uplink, struct in_addr a)
{
	cleanup_free char *path = lease_dir(dir, uplink);

	if (path) {
		net_address_release(path, a);
		rmdir(path);
	}
}

static int take_lease(const char *dir, const char *id, const char *uplink, struct in_addr a,
		      struct hull_error **err)
{
	cleanup_free char *path = lease_dir(dir, uplink);
	char text[INET_ADDRSTRLEN];
	int ret;

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "lease");
	if ((ret = net_address_lease(path, id, a, err)) == -EEXIST)
		return hull_error_fail(err, EADDRINUSE, "%s is taken by another container of this host",
				       inet_ntop(AF_INET, &a, text, sizeof(text)));
	return ret;
}

/* The uplink, the prefix and gateway, and the host's address on that LAN. */
static int plan(struct net_nl *host, const struct net_lan_request *req, struct net_lan_attachment *a,
		int *uplink_index, struct hull_error **err)
{
	char text[INET_ADDRSTRLEN];
	struct in_addr gateway = {0}, mine;
	unsigned mine_prefix;
	uint32_t mask;
	int oif = 0, ret;

	if ((ret = net_route_get_default(host, &oif, &gateway, err)) < 0)
		return ret;
	inet_ntop(AF_INET, &req->address, text, sizeof(text));
	if (req->uplink) {
		if (strlen(req->uplink) >= IFNAMSIZ)
			return hull_error_invalid(err, "uplink `%s`: not an interface name", req->uplink);
		snprintf(a->uplink, sizeof(a->uplink), "%s", req->uplink);
		if ((ret = net_link_index(host, a->uplink, uplink_index, err)) < 0)
			return ret;
		if (*uplink_index == 0)
			return hull_error_fail(err, ENODEV, "uplink `%s`: no such interface", req->uplink);
	} else {
		if (oif == 0)
			return hull_error_fail(
			    err, ENODEV,
			    "the host has no default route to take the uplink from; name one with --uplink");
		*uplink_index = oif;
		if ((ret = net_link_name(host, oif, a->uplink, err)) < 0)
			return ret;
	}
	/* The host's address on the uplink in the container's subnet gives the prefix when none is given;
	 * with one given, any address of the uplink serves the helper. */
	ret = net_addr_find(host, *uplink_index, req->prefix ? (struct in_addr){0} : req->address, &mine,
			    &mine_prefix, err);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == -ENOENT && req->prefix == 0)
		return hull_error_fail(err, EADDRNOTAVAIL,
				       "%s is in no subnet of `%s`'s addresses; give the prefix as %s/N",
				       text, a->uplink, text);
	a->prefix = req->prefix ? req->prefix : mine_prefix;
	a->host = ret == -ENOENT ? (struct in_addr){0} : mine;
	mask = htonl(~(0xffffffffu >> a->prefix));
	if (a->host.s_addr == req->address.s_addr)
		return hull_error_fail(err, EADDRINUSE, "%s is the host's own address on `%s`", text,
				       a->uplink);
	if ((req->address.s_addr & ~mask) == 0 || (req->address.s_addr | mask) == 0xffffffffu)
		return hull_error_invalid(err, "%s is the network or broadcast address of its /%u", text,
					  a->prefix);
	if (oif == *uplink_index && gateway.s_addr && (gateway.s_addr & mask) == (req->address.s_addr & mask))
		a->gateway = gateway;
	a->address = req->address;
	a->driver = req->driver;
	helper_name(a->uplink, a->helper);
	return 0;
}

/* The host's side: the helper on the uplink with the host's address, and a route to the container. */
static int ensure_helper_route(struct net_nl *host, const struct net_lan_attachment *a, int uplink,
			       struct hull_error **err)
{
	int helper = 0, ret;

	if (a->host.s_addr == 0)
		return 0;
	if ((ret = net_link_index(host, a->helper, &helper, err)) < 0)
		return ret;
	if (helper == 0) {
		if ((ret = net_lan_link_create(host, a->helper, a->driver, uplink, -1, err)) < 0 ||
		    (ret = net_link_index(host, a->helper, &helper, err)) < 0)
			return ret;
	}
	if ((ret = net_addr_add(host, helper, a->host, 32, err)) < 0 ||
	    (ret = net_link_up(host, helper, 0, err)) < 0)
		return ret;
	return net_route_link_add(host, a->address, 32, helper, err);
}

int net_lan_attach(const char *dir, const char *id, int netns_fd, const struct net_lan_request *req,
		   struct net_lan_attachment *out, struct hull_error **err)
{
	struct net_nl host;
	int uplink = 0, ret;
	bool leased = false, linked = false;

	*out = (struct net_lan_attachment){0};
	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	if ((ret = plan(&host, req, out, &uplink, err)) < 0 ||
	    (ret = take_lease(dir, id, out->uplink, out->address, err)) < 0)
		goto out;
	leased = true;
	if ((ret = net_lan_link_create(&host, "eth0", out->driver, uplink, netns_fd, err)) < 0)
		goto out;
	linked = true;
	if ((ret = net_container_configure(netns_fd, "eth0", out->address, out->prefix, out->gateway, err)) <
	    0)
		goto out;
	ret = ensure_helper_route(&host, out, uplink, err);
out:
	if (ret < 0) {
		if (linked) {
			struct net_nl c;
			if (net_nl_open(&c, netns_fd, NULL) >= 0) {
				net_link_delete(&c, "eth0", NULL);
				net_nl_close(&c);
			}
		}
		if (leased) {
			net_lan_detach(dir, out, NULL);
		}
	}
	net_nl_close(&host);
	return ret < 0 ? hull_error_wrap(err, "LAN address") : 0;
}

int net_lan_detach(const char *dir, const struct net_lan_attachment *a, struct hull_error **err)
{
	struct net_nl host;
	int helper = 0, ret;

	drop_lease(dir, a->uplink, a->address);
	if ((ret = net_nl_open(&host, -1, err)) < 0)
		return ret;
	if ((ret = net_link_index(&host, a->helper, &helper, err)) >= 0 && helper > 0) {
		ret = net_route_link_delete(&host, a->address, 32, helper, err);
		if (ret >= 0 && !uplink_in_use(dir, a->uplink))
			ret = net_link_delete(&host, a->helper, err);
	}
	net_nl_close(&host);
	return ret;
}
