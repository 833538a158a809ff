#include "net/switch_attach.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/netlink.h"
#include "net/state.h"
#include "net/switch.h"
#include "net/tap.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/socket.h"

int net_switch_parse_mode(const char *mode, bool *is_switch, const char **name, struct hull_error **err)
{
	*is_switch = strncmp(mode, "switch:", 7) == 0;
	if (!*is_switch)
		return 0;
	*name = mode + 7;
	if (!net_name_valid(*name, NET_SWITCH_NAME_MAX))
		return hull_error_invalid(
		    err, "network mode `%s`: a switch name is letters, digits, `.`, `_` and `-`", mode);
	return 0;
}

static char *lease_dir(const char *dir, const char *name)
{
	char *path = NULL;
	return asprintf(&path, "%s/switches/%s/leases", dir, name) < 0 ? NULL : path;
}

static int take_lease(const char *dir, const char *id, const char *name, const struct net_switch_settings *st,
		      struct in_addr *out, struct hull_error **err)
{
	cleanup_free char *leases = lease_dir(dir, name);
	int ret;

	if (leases == NULL)
		return hull_error_set(err, ENOMEM, "switch");
	ret = net_address_lease_first(leases, id, ntohl(st->first.s_addr), ntohl(st->last.s_addr),
				      st->gateway, out, err);
	if (ret == -EADDRNOTAVAIL)
		return hull_error_fail(err, EADDRNOTAVAIL, "switch `%s`: no free address left in its pool",
				       name);
	return ret;
}

static void drop_lease(const char *dir, const char *name, struct in_addr a)
{
	cleanup_free char *leases = lease_dir(dir, name);

	if (leases)
		net_address_release(leases, a);
}

/* One request to the switch and its answer; fd -1 sends none. */
static int ask_switch(const char *dir, const char *name, const char *request, int fd, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_close int sock = -1;
	char reply[300];
	struct timeval timeout = {.tv_sec = 5};
	ssize_t n;
	int ret;

	if (asprintf(&path, "%s/switches/%s.sock", dir, name) < 0)
		return hull_error_set(err, ENOMEM, "switch");
	if ((sock = socket_connect_path(path, SOCK_SEQPACKET, err)) < 0)
		return hull_error_wrap(err, "switch `%s` (is `hull switch run %s` running?)", name, name);
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (fd >= 0)
		ret = socket_send_fd_with(sock, fd, request, strlen(request), err);
	else
		ret = send(sock, request, strlen(request), MSG_NOSIGNAL) < 0 ? hull_error_errno(err, "send")
									     : 0;
	if (ret < 0)
		return hull_error_wrap(err, "switch `%s`", name);
	if ((n = recv(sock, reply, sizeof(reply) - 1, 0)) < 0)
		return hull_error_errno(err, "switch `%s`: no answer", name);
	reply[n] = '\0';
	if (strcmp(reply, "ok") != 0)
		return hull_error_fail(err, EPROTO, "switch `%s`: %s", name, reply);
	return 0;
}

static int configure(int netns_fd, const struct net_switch_attachment *a, unsigned mtu,
		     struct hull_error **err)
{
	struct net_nl c;
	int eth = 0, ret;

	if ((ret = net_nl_open(&c, netns_fd, err)) < 0)
		return ret;
	if ((ret = net_link_index(&c, "eth0", &eth, err)) >= 0)
		ret = net_link_set_mtu(&c, eth, mtu, err);
	net_nl_close(&c);
	if (ret < 0)
		return ret;
	return net_container_configure(netns_fd, "eth0", a->address, a->prefix, a->gateway, err);
}

int net_switch_attach(const char *dir, const char *id, int netns_fd, const char *name,
		      struct net_switch_attachment *out, struct hull_error **err)
{
	struct net_switch_settings st;
	cleanup_close int tap = -1;
	char request[300];
	int ret;

	*out = (struct net_switch_attachment){0};
	snprintf(out->name, sizeof(out->name), "%s", name);
	if ((ret = net_switch_settings_read(dir, name, &st, err)) < 0)
		return ret;
	out->prefix = st.prefix;
	out->gateway = st.gateway;
	if ((ret = take_lease(dir, id, name, &st, &out->address, err)) < 0)
		return ret;
	snprintf(request, sizeof(request), "attach %s", id);
	/* Configured before the switch has it, so no frame of a half-made port goes out; the tap lives
	 * while a descriptor of it does: ours, then the switch's. */
	if ((tap = net_tap_create(netns_fd, "eth0", err)) < 0 ||
	    (ret = configure(netns_fd, out, st.mtu, err)) < 0 ||
	    (ret = ask_switch(dir, name, request, tap, err)) < 0) {
		drop_lease(dir, name, out->address);
		return tap < 0 ? tap : ret;
	}
	return 0;
}

void net_switch_detach(const char *dir, const char *id, const struct net_switch_attachment *a)
{
	char request[300];

	snprintf(request, sizeof(request), "detach %s", id);
	/* A switch that is gone has let go already. */
	ask_switch(dir, a->name, request, -1, NULL);
	drop_lease(dir, a->name, a->address);
}
