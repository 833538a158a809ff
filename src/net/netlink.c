#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "util/cleanup.h"

int net_nl_open(struct net_nl *nl, int netns_fd, struct hull_error **err)
{
	cleanup_close int self = -1;
	int saved;

	*nl = (struct net_nl){0};
	if (netns_fd >= 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0 || setns(netns_fd, CLONE_NEWNET) < 0)
			return hull_error_errno(err, "enter the network namespace");
	}
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	saved = errno;
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0) {
		/* Staying in the container's namespace would configure the wrong side from now on. */
		if (nl->sock)
			mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return hull_error_errno(err, "return to the host's network namespace");
	}
	if (nl->sock == NULL)
		return hull_error_set(err, saved, "netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		saved = errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return hull_error_set(err, saved, "netlink bind");
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

void net_nl_close(struct net_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static struct nlmsghdr *start(struct net_nl *nl, char *buf, int type, int flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);

	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = ++nl->seq;
	return h;
}

/* A link message: the header and its ifinfomsg. */
static struct nlmsghdr *start_link(struct net_nl *nl, char *buf, int type, int flags, struct ifinfomsg **ifi)
{
	struct nlmsghdr *h = start(nl, buf, type, flags);

	*ifi = mnl_nlmsg_put_extra_header(h, sizeof(**ifi));
	(*ifi)->ifi_family = AF_UNSPEC;
	return h;
}

/* Sends a request and runs cb on each answer until the kernel's ACK or DONE; returns -errno on refusal. */
static int talk(struct net_nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, nl->portid, cb, data);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
	return n < 0 ? -errno : 0;
}

static int link_cb(const struct nlmsghdr *h, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int net_link_index(struct net_nl *nl, const char *name, int *index, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* With an ACK after the answer: without one, waiting for more would never end. */
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_GETLINK, NLM_F_ACK, &ifi);
	int ret;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	*index = 0;
	ret = talk(nl, h, link_cb, index);
	if (ret == -ENODEV) {
		*index = 0;
		return 0;
	}
	return ret < 0 ? hull_error_set(err, -ret, "link `%s`", name) : 0;
}

int net_bridge_create(struct net_nl *nl, const char *name, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi);
	struct nlattr *info;
	int ret;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(h, info);
	ret = talk(nl, h, NULL, NULL);
	return ret < 0 ? hull_error_set(err, -ret, "create bridge `%s`", name) : 0;
}

int net_veth_create(struct net_nl *nl, const char *name, const char *peer, int peer_netns_fd,
		    struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi, *peer_ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi);
	struct nlattr *info, *data, *peer_nest;
	int ret;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	peer_nest = mnl_attr_nest_start(h, VETH_INFO_PEER);
	/* The peer's attributes follow its own ifinfomsg, as in a link message of its own. */
	peer_ifi = mnl_nlmsg_put_extra_header(h, sizeof(*peer_ifi));
	memset(peer_ifi, 0, sizeof(*peer_ifi));
	mnl_attr_put_strz(h, IFLA_IFNAME, peer);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(h, peer_nest);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	ret = talk(nl, h, NULL, NULL);
	return ret < 0 ? hull_error_set(err, -ret, "create veth `%s`", name) : 0;
}

int net_link_up(struct net_nl *nl, int index, int master, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_NEWLINK, NLM_F_ACK, &ifi);
	int ret;

	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (master > 0)
		mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master);
	ret = talk(nl, h, NULL, NULL);
	return ret < 0 ? hull_error_set(err, -ret, "set link %d up", index) : 0;
}

int net_link_delete(struct net_nl *nl, const char *name, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_DELLINK, NLM_F_ACK, &ifi);
	int ret;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	ret = talk(nl, h, NULL, NULL);
	if (ret == -ENODEV)
		return 0;
	return ret < 0 ? hull_error_set(err, -ret, "delete link `%s`", name) : 0;
}

int net_addr_add(struct net_nl *nl, int index, struct in_addr addr, unsigned prefix, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[INET_ADDRSTRLEN];
	struct nlmsghdr *h = start(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	int ret;

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)index;
	mnl_attr_put(h, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(h, IFA_ADDRESS, sizeof(addr), &addr);
	ret = talk(nl, h, NULL, NULL);
	if (ret == -EEXIST)
		return 0;
	return ret < 0 ? hull_error_set(err, -ret, "add address %s/%u",
					inet_ntop(AF_INET, &addr, text, sizeof(text)), prefix)
		       : 0;
}

int net_route_via(struct net_nl *nl, struct in_addr dst, unsigned prefix, struct in_addr gateway,
		  struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[INET_ADDRSTRLEN];
	struct nlmsghdr *h = start(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	int ret;

	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = (unsigned char)prefix;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	if (prefix)
		mnl_attr_put(h, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put(h, RTA_GATEWAY, sizeof(gateway), &gateway);
	ret = talk(nl, h, NULL, NULL);
	if (ret < 0 && prefix == 0)
		return hull_error_set(err, -ret, "add the default route");
	return ret < 0 ? hull_error_set(err, -ret, "add the route to %s/%u",
					inet_ntop(AF_INET, &dst, text, sizeof(text)), prefix)
		       : 0;
}

int net_route_default(struct net_nl *nl, struct in_addr gateway, struct hull_error **err)
{
	return net_route_via(nl, (struct in_addr){0}, 0, gateway, err);
}

struct overlap {
	uint32_t net, mask;
	bool found;
};

static int route_cb(const struct nlmsghdr *h, void *data)
{
	struct overlap *o = data;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	uint32_t dst = 0, mask;

	if (rt->rtm_family != AF_INET || rt->rtm_table != RT_TABLE_MAIN || rt->rtm_dst_len == 0)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*rt)) if (mnl_attr_get_type(a) == RTA_DST &&
						 mnl_attr_get_payload_len(a) == 4)
	    memcpy(&dst, mnl_attr_get_payload(a), 4);
	mask = rt->rtm_dst_len >= 32 ? 0xffffffffu : htonl(~(0xffffffffu >> rt->rtm_dst_len));
	/* Two prefixes overlap when each agrees with the other under the shorter mask. */
	if ((dst & (mask & o->mask)) == (o->net & (mask & o->mask)))
		o->found = true;
	return MNL_CB_OK;
}

int net_route_overlaps(struct net_nl *nl, struct in_addr net, unsigned prefix, bool *overlaps,
		       struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = start(nl, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	struct overlap o = {.net = net.s_addr,
			    .mask = prefix >= 32 ? 0xffffffffu : htonl(~(0xffffffffu >> prefix))};
	int ret;

	rt->rtm_family = AF_INET;
	ret = talk(nl, h, route_cb, &o);
	*overlaps = o.found;
	return ret < 0 ? hull_error_set(err, -ret, "list routes") : 0;
}

int net_lan_link_create(struct net_nl *nl, const char *name, enum net_lan_driver driver, int lower,
			int netns_fd, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi);
	const char *kind = driver == NET_LAN_IPVLAN ? "ipvlan" : "macvlan";
	struct nlattr *info, *data;
	int ret;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_LINK, (uint32_t)lower);
	/* Created straight in the container's namespace, still linked to the host's uplink. */
	if (netns_fd >= 0)
		mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, kind);
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	if (driver == NET_LAN_IPVLAN)
		mnl_attr_put_u16(h, IFLA_IPVLAN_MODE, IPVLAN_MODE_L2);
	else
		mnl_attr_put_u32(h, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	ret = talk(nl, h, NULL, NULL);
	if (ret == -EOPNOTSUPP || ret == -ENOENT)
		return hull_error_fail(err, EOPNOTSUPP, "create %s `%s`: this kernel has no %s", kind, name,
				       kind);
	return ret < 0 ? hull_error_set(err, -ret, "create %s `%s`", kind, name) : 0;
}

static int route_change(struct net_nl *nl, int type, int flags, struct in_addr dst, unsigned prefix, int oif,
			struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[INET_ADDRSTRLEN];
	struct nlmsghdr *h = start(nl, buf, type, flags | NLM_F_ACK);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	int ret;

	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = (unsigned char)prefix;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)oif);
	ret = talk(nl, h, NULL, NULL);
	if (type == RTM_DELROUTE && ret == -ESRCH)
		return 0;
	if (type == RTM_NEWROUTE && ret == -EEXIST)
		return hull_error_fail(err, EEXIST, "a route to %s/%u exists already",
				       inet_ntop(AF_INET, &dst, text, sizeof(text)), prefix);
	return ret < 0 ? hull_error_set(err, -ret, "%s the route to %s/%u",
					type == RTM_NEWROUTE ? "add" : "delete",
					inet_ntop(AF_INET, &dst, text, sizeof(text)), prefix)
		       : 0;
}

int net_route_link_add(struct net_nl *nl, struct in_addr dst, unsigned prefix, int oif,
		       struct hull_error **err)
{
	return route_change(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, dst, prefix, oif, err);
}

int net_route_link_delete(struct net_nl *nl, struct in_addr dst, unsigned prefix, int oif,
			  struct hull_error **err)
{
	return route_change(nl, RTM_DELROUTE, 0, dst, prefix, oif, err);
}

struct default_route {
	int oif;
	struct in_addr gateway;
	bool found;
};

static int default_route_cb(const struct nlmsghdr *h, void *data)
{
	struct default_route *d = data;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;

	if (d->found || rt->rtm_family != AF_INET || rt->rtm_table != RT_TABLE_MAIN || rt->rtm_dst_len != 0)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*rt))
	{
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_get_payload_len(a) == 4)
			d->oif = (int)mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_GATEWAY && mnl_attr_get_payload_len(a) == 4)
			memcpy(&d->gateway, mnl_attr_get_payload(a), 4);
	}
	d->found = d->oif > 0;
	return MNL_CB_OK;
}

int net_route_get_default(struct net_nl *nl, int *oif, struct in_addr *gateway, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = start(nl, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	struct default_route d = {0};
	int ret;

	rt->rtm_family = AF_INET;
	if ((ret = talk(nl, h, default_route_cb, &d)) < 0)
		return hull_error_set(err, -ret, "list routes");
	*oif = d.found ? d.oif : 0;
	*gateway = d.gateway;
	return 0;
}

struct find_address {
	int index;
	struct in_addr want;
	struct in_addr address;
	unsigned prefix;
	bool found;
};

static int address_cb(const struct nlmsghdr *h, void *data)
{
	struct find_address *f = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;

	if (f->found || ifa->ifa_family != AF_INET || (int)ifa->ifa_index != f->index)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*ifa)) if (mnl_attr_get_type(a) == IFA_LOCAL &&
						  mnl_attr_get_payload_len(a) == 4)
	{
		struct in_addr addr;
		uint32_t mask = ifa->ifa_prefixlen ? htonl(~(0xffffffffu >> ifa->ifa_prefixlen)) : 0;
		memcpy(&addr, mnl_attr_get_payload(a), 4);
		/* The address whose subnet holds the one wanted; any first address when none is wanted. */
		if (f->want.s_addr == 0 || (addr.s_addr & mask) == (f->want.s_addr & mask)) {
			f->address = addr;
			f->prefix = ifa->ifa_prefixlen;
			f->found = true;
		}
	}
	return MNL_CB_OK;
}

int net_addr_find(struct net_nl *nl, int index, struct in_addr within, struct in_addr *address,
		  unsigned *prefix, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = start(nl, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	struct find_address f = {.index = index, .want = within};
	int ret;

	ifa->ifa_family = AF_INET;
	if ((ret = talk(nl, h, address_cb, &f)) < 0)
		return hull_error_set(err, -ret, "list addresses");
	if (!f.found)
		return -ENOENT;
	*address = f.address;
	*prefix = f.prefix;
	return 0;
}

int net_container_configure(int netns_fd, const char *ifname, struct in_addr address, unsigned prefix,
			    struct in_addr gateway, struct hull_error **err)
{
	struct net_nl c;
	int lo = 0, eth = 0, ret;

	if ((ret = net_nl_open(&c, netns_fd, err)) < 0)
		return ret;
	if ((ret = net_link_index(&c, "lo", &lo, err)) >= 0 && lo > 0)
		ret = net_link_up(&c, lo, 0, err);
	if (ret >= 0 && (ret = net_link_index(&c, ifname, &eth, err)) >= 0 && eth == 0)
		ret = hull_error_fail(err, ENODEV, "%s did not arrive in the container", ifname);
	if (ret >= 0)
		ret = net_addr_add(&c, eth, address, prefix, err);
	if (ret >= 0)
		ret = net_link_up(&c, eth, 0, err);
	if (ret >= 0 && gateway.s_addr != 0)
		ret = net_route_default(&c, gateway, err);
	net_nl_close(&c);
	return ret;
}

static int link_name_cb(const struct nlmsghdr *h, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct ifinfomsg)) if (mnl_attr_get_type(a) == IFLA_IFNAME)
	    snprintf(data, IFNAMSIZ, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

int net_link_name(struct net_nl *nl, int index, char name[IFNAMSIZ], struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_GETLINK, NLM_F_ACK, &ifi);
	int ret;

	ifi->ifi_index = index;
	name[0] = '\0';
	ret = talk(nl, h, link_name_cb, name);
	return ret < 0 ? hull_error_set(err, -ret, "link %d", index) : 0;
}

int net_link_set_mtu(struct net_nl *nl, int index, unsigned mtu, struct hull_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *h = start_link(nl, buf, RTM_NEWLINK, NLM_F_ACK, &ifi);
	int ret;

	ifi->ifi_index = index;
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	ret = talk(nl, h, NULL, NULL);
	return ret < 0 ? hull_error_set(err, -ret, "set the MTU of link %d to %u", index, mtu) : 0;
}
