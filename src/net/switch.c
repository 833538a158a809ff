#include "net/switch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/local.h"
#include "net/state.h"
#include "net/switch_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/socket.h"

int net_switch_parse_endpoint(const char *text, int *type, struct sockaddr_in *addr, struct hull_error **err)
{
	char buf[64], *colon, *end;
	unsigned long port;

	*addr = (struct sockaddr_in){.sin_family = AF_INET};
	if (strncmp(text, "udp:", 4) == 0)
		*type = SOCK_DGRAM;
	else if (strncmp(text, "tcp:", 4) == 0)
		*type = SOCK_STREAM;
	else
		return hull_error_invalid(err, "link `%s`: expected udp:ADDRESS:PORT or tcp:ADDRESS:PORT",
					  text);
	if (snprintf(buf, sizeof(buf), "%s", text + 4) >= (int)sizeof(buf) ||
	    (colon = strrchr(buf, ':')) == NULL)
		return hull_error_invalid(err, "link `%s`: expected udp:ADDRESS:PORT or tcp:ADDRESS:PORT",
					  text);
	*colon = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port == 0 || port > 65535)
		return hull_error_invalid(err, "link `%s`: `%s` is not a port", text, colon + 1);
	if (inet_pton(AF_INET, buf, &addr->sin_addr) != 1)
		return hull_error_invalid(err, "link `%s`: `%s` is not an IPv4 address", text, buf);
	addr->sin_port = htons((uint16_t)port);
	return 0;
}

static char *switch_path(const char *dir, const char *name, const char *suffix)
{
	char *path = NULL;
	return asprintf(&path, "%s/switches/%s%s", dir, name, suffix) < 0 ? NULL : path;
}

/* Subnet, pool and gateway, checked against each other. */
static int settings_plan(const struct net_switch_options *o, struct net_switch_settings *st,
			 struct hull_error **err)
{
	uint32_t mask, net, first, last;
	char buf[40], *dash;
	int ret;

	*st = (struct net_switch_settings){0};
	if ((ret = net_local_parse_subnet(o->subnet ? o->subnet : "10.90.0.0/24", &st->subnet, &st->prefix,
					  err)) < 0)
		return ret;
	mask = ~(0xffffffffu >> st->prefix);
	net = ntohl(st->subnet.s_addr);
	first = net + 2;
	last = (net | ~mask) - 1;
	if (o->pool) {
		struct in_addr a, b;
		if (snprintf(buf, sizeof(buf), "%s", o->pool) >= (int)sizeof(buf) ||
		    (dash = strchr(buf, '-')) == NULL)
			return hull_error_invalid(err, "pool `%s`: expected FIRST-LAST", o->pool);
		*dash = '\0';
		if (inet_pton(AF_INET, buf, &a) != 1 || inet_pton(AF_INET, dash + 1, &b) != 1 ||
		    (ntohl(a.s_addr) & mask) != net || (ntohl(b.s_addr) & mask) != net ||
		    ntohl(a.s_addr) > ntohl(b.s_addr) || ntohl(a.s_addr) == net ||
		    ntohl(b.s_addr) == (net | ~mask))
			return hull_error_invalid(
			    err,
			    "pool `%s`: expected two host addresses of %s/%u, the first "
			    "not above the last",
			    o->pool, inet_ntop(AF_INET, &st->subnet, buf, sizeof(buf)), st->prefix);
		first = ntohl(a.s_addr);
		last = ntohl(b.s_addr);
	}
	st->first.s_addr = htonl(first);
	st->last.s_addr = htonl(last);
	if (o->gateway &&
	    (inet_pton(AF_INET, o->gateway, &st->gateway) != 1 || (ntohl(st->gateway.s_addr) & mask) != net))
		return hull_error_invalid(err, "gateway `%s`: not an address of the switch's subnet",
					  o->gateway);
	/* Alone, the switch moves frames between taps only: the larger the frame, the fewer the reads and
	 * writes per byte (65520 is what slirp4netns uses too).  With links, a frame must fit one UDP
	 * datagram on a 1500-byte path: 1450 plus the Ethernet, UDP and IP headers. */
	st->mtu = o->mtu ? o->mtu : (o->n_peers || o->n_listen ? 1450 : 65520);
	if (st->mtu < 576 || st->mtu > NET_SWITCH_MTU_MAX)
		return hull_error_invalid(err, "mtu %u: expected 576 to %d", st->mtu, NET_SWITCH_MTU_MAX);
	return 0;
}

static int settings_write(const char *dir, const char *name, const struct net_switch_settings *st,
			  struct hull_error **err)
{
	cleanup_free char *path = switch_path(dir, name, ".json"), *text = NULL;
	char subnet[INET_ADDRSTRLEN], first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &st->subnet, subnet, sizeof(subnet));
	inet_ntop(AF_INET, &st->first, first, sizeof(first));
	inet_ntop(AF_INET, &st->last, last, sizeof(last));
	inet_ntop(AF_INET, &st->gateway, gateway, sizeof(gateway));
	if (path == NULL ||
	    asprintf(&text,
		     "{\"subnet\": \"%s/%u\", \"first\": \"%s\", \"last\": \"%s\", \"gateway\": \"%s\", "
		     "\"mtu\": %u, \"pid\": %d}\n",
		     subnet, st->prefix, first, last, gateway, st->mtu, (int)getpid()) < 0)
		return hull_error_set(err, ENOMEM, "switch");
	return fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644, err);
}

int net_switch_settings_read(const char *dir, const char *name, struct net_switch_settings *st,
			     struct hull_error **err)
{
	cleanup_free char *path = switch_path(dir, name, ".json"), *text = NULL;
	json_object *doc = NULL;
	const char *subnet = NULL, *first = NULL, *last = NULL, *gateway = NULL;
	int64_t mtu = 0;
	int ret;

	*st = (struct net_switch_settings){0};
	if (path == NULL)
		return hull_error_set(err, ENOMEM, "switch");
	if ((ret = fs_read_file(AT_FDCWD, path, &text, NULL, NULL)) < 0)
		return ret == -ENOENT ? hull_error_fail(err, ENOENT,
							"switch `%s` is not running (start it with "
							"`hull switch run %s`)",
							name, name)
				      : hull_error_set(err, -ret, "read `%s`", path);
	if ((ret = json_parse_text(text, strlen(text), path, &doc, err)) < 0)
		return ret;
	if ((ret = json_field_string(doc, path, "subnet", &subnet, err)) >= 0 &&
	    (ret = json_field_string(doc, path, "first", &first, err)) >= 0 &&
	    (ret = json_field_string(doc, path, "last", &last, err)) >= 0 &&
	    (ret = json_field_string(doc, path, "gateway", &gateway, err)) >= 0 &&
	    (ret = json_field_int64(doc, path, "mtu", 576, NET_SWITCH_MTU_MAX, &mtu, err)) >= 0) {
		if (!subnet || !first || !last || !gateway ||
		    net_local_parse_subnet(subnet, &st->subnet, &st->prefix, NULL) < 0 ||
		    inet_pton(AF_INET, first, &st->first) != 1 || inet_pton(AF_INET, last, &st->last) != 1 ||
		    inet_pton(AF_INET, gateway, &st->gateway) != 1)
			ret = hull_error_invalid(
			    err, "`%s`: subnet, first, last or gateway is missing or wrong", path);
		st->mtu = (unsigned)mtu;
	}
	json_object_put(doc);
	return ret;
}

int switch_watch(struct sw *s, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};

	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

int switch_port_alloc(struct sw *s)
{
	for (int i = 0; i < NET_SWITCH_PORTS_MAX; i++)
		if (s->ports[i].kind == PORT_FREE)
			return i;
	return -1;
}

void switch_port_close(struct sw *s, int index)
{
	struct port *p = &s->ports[index];

	/* The UDP socket is shared by every UDP link and stays. */
	if (p->kind != PORT_UDP && p->fd >= 0) {
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, p->fd, NULL);
		close(p->fd);
	}
	free(p->in);
	free(p->out);
	net_mac_forget_port(&s->table, index);
	*p = (struct port){.kind = PORT_FREE, .fd = -1};
}

/* "attach ID" with a tap's descriptor, or "detach ID"; answered "ok" or "error: WHY". */
static void control_request(struct sw *s)
{
	cleanup_close int conn = accept4(s->control_fd, NULL, NULL, SOCK_CLOEXEC);
	struct timeval timeout = {.tv_sec = 2};
	char msg[300] = "", reply[300] = "ok";
	struct hull_error *err = NULL;
	size_t len = 0;
	int fd = -1, port;

	if (conn < 0)
		return;
	/* A client that connects and says nothing cannot hold the switch up. */
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (socket_recv_fd_with(conn, &fd, msg, sizeof(msg) - 1, &len, &err) < 0) {
		hull_log_debug("switch: control request: %s", err->message);
		hull_error_free(&err);
		return;
	}
	msg[len] = '\0';
	if (strncmp(msg, "attach ", 7) == 0 && fd >= 0 && len - 7 < sizeof(s->ports[0].id)) {
		if ((port = switch_port_alloc(s)) < 0) {
			snprintf(reply, sizeof(reply), "error: all %d ports are in use",
				 NET_SWITCH_PORTS_MAX);
			close(fd);
		} else {
			s->ports[port] = (struct port){.kind = PORT_TAP, .fd = fd};
			memcpy(s->ports[port].id, msg + 7, len - 7);
			s->ports[port].id[len - 7] = '\0';
			if (switch_watch(s, fd, EPOLLIN, WATCH(WATCH_PORT, port)) < 0) {
				snprintf(reply, sizeof(reply), "error: watch the tap: %s", strerror(errno));
				switch_port_close(s, port);
			} else {
				hull_log_debug("switch: `%s` attached on port %d", msg + 7, port);
			}
		}
	} else if (strncmp(msg, "detach ", 7) == 0) {
		if (fd >= 0)
			close(fd);
		for (int i = 0; i < NET_SWITCH_PORTS_MAX; i++)
			if (s->ports[i].kind == PORT_TAP && strcmp(s->ports[i].id, msg + 7) == 0)
				switch_port_close(s, i);
	} else {
		if (fd >= 0)
			close(fd);
		snprintf(reply, sizeof(reply),
			 "error: expected `attach ID` with a descriptor or `detach ID`");
	}
	send(conn, reply, strlen(reply), MSG_NOSIGNAL);
}

static int open_listener(struct sw *s, const char *text, struct hull_error **err)
{
	struct sockaddr_in addr;
	int type, one = 1;
	cleanup_close int fd = -1;

	if (net_switch_parse_endpoint(text, &type, &addr, err) < 0)
		return -EINVAL;
	if ((type == SOCK_DGRAM ? s->n_udp : s->n_tcp_listen) == 8)
		return hull_error_invalid(err, "at most 8 listeners of a kind");
	fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return hull_error_errno(err, "listen on `%s`", text);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0))
		return hull_error_errno(err, "listen on `%s`", text);
	if (type == SOCK_DGRAM) {
		if (switch_watch(s, fd, EPOLLIN, WATCH(WATCH_UDP, s->n_udp)) < 0)
			return hull_error_errno(err, "watch `%s`", text);
		s->udp_fd[s->n_udp++] = fd;
	} else {
		if (switch_watch(s, fd, EPOLLIN, WATCH(WATCH_TCP_LISTEN, s->n_tcp_listen)) < 0)
			return hull_error_errno(err, "watch `%s`", text);
		s->tcp_listen_fd[s->n_tcp_listen++] = fd;
	}
	fd = -1;
	return 0;
}

/* UDP peers are ports from the start, sending from the first UDP listener; TCP peers are kept for the
 * links that connect (again) on the timer. */
static int add_peers(struct sw *s, struct hull_error **err)
{
	for (size_t i = 0; i < s->o->n_peers; i++) {
		struct sockaddr_in addr;
		int type, port;
		if (net_switch_parse_endpoint(s->o->peers[i], &type, &addr, err) < 0)
			return -EINVAL;
		if (type == SOCK_STREAM) {
			if (s->n_tcp_peers == sizeof(s->tcp_peers) / sizeof(s->tcp_peers[0]))
				return hull_error_invalid(err, "peer `%s`: at most %zu TCP peers",
							  s->o->peers[i],
							  sizeof(s->tcp_peers) / sizeof(s->tcp_peers[0]));
			s->tcp_peers[s->n_tcp_peers++] = addr;
			continue;
		}
		if (s->n_udp == 0)
			return hull_error_invalid(
			    err, "peer `%s`: UDP peers need a UDP listener (--listen udp:ADDRESS:PORT)",
			    s->o->peers[i]);
		if ((port = switch_port_alloc(s)) < 0)
			return hull_error_invalid(err, "too many peers");
		s->ports[port] = (struct port){.kind = PORT_UDP, .fd = s->udp_fd[0], .peer = addr};
	}
	for (size_t i = 0; i < s->o->n_allow; i++)
		if (s->n_allow == 64 || inet_pton(AF_INET, s->o->allow[i], &s->allow[s->n_allow++]) != 1)
			return hull_error_invalid(err, "allow `%s`: not an IPv4 address (at most 64)",
						  s->o->allow[i]);
	return 0;
}

static int switch_open(struct sw *s, struct hull_error **err)
{
	cleanup_free char *dir = NULL;
	cleanup_close int dirfd = -1;
	sigset_t mask;
	struct itimerspec tick = {.it_interval = {1, 0}, .it_value = {1, 0}};
	int ret;

	for (int i = 0; i < NET_SWITCH_PORTS_MAX; i++)
		s->ports[i].fd = -1;
	if ((s->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return hull_error_errno(err, "epoll");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((s->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0 ||
	    (s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0 ||
	    timerfd_settime(s->timer_fd, 0, &tick, NULL) < 0 ||
	    switch_watch(s, s->signal_fd, EPOLLIN, WATCH(WATCH_SIGNAL, 0)) < 0 ||
	    switch_watch(s, s->timer_fd, EPOLLIN, WATCH(WATCH_TIMER, 0)) < 0)
		return hull_error_errno(err, "signals and timer");
	if (asprintf(&dir, "%s/switches", s->o->state_dir) < 0)
		return hull_error_set(err, ENOMEM, "switch");
	if ((ret = fs_mkdir_parents(dir, 0700, err)) < 0)
		return ret;
	if ((dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hull_error_errno(err, "open `%s`", dir);
	{
		char sock[128];
		snprintf(sock, sizeof(sock), "%s.sock", s->o->name);
		/* A socket left by a switch that was killed: a live one still answers a connection. */
		cleanup_close int probe = socket_connect_at(dirfd, sock, NULL);
		if (probe >= 0)
			return hull_error_fail(err, EADDRINUSE, "switch `%s` is running already", s->o->name);
		unlinkat(dirfd, sock, 0);
		if ((s->control_fd = socket_listen_at(dirfd, sock, err)) < 0)
			return s->control_fd;
	}
	if (switch_watch(s, s->control_fd, EPOLLIN, WATCH(WATCH_CONTROL, 0)) < 0)
		return hull_error_errno(err, "watch the control socket");
	for (size_t i = 0; i < s->o->n_listen; i++)
		if ((ret = open_listener(s, s->o->listen[i], err)) < 0)
			return ret;
	return add_peers(s, err);
}

static void switch_close(struct sw *s)
{
	cleanup_free char *sock = switch_path(s->o->state_dir, s->o->name, ".sock");
	cleanup_free char *settings = switch_path(s->o->state_dir, s->o->name, ".json");

	for (int i = 0; i < NET_SWITCH_PORTS_MAX; i++)
		if (s->ports[i].kind != PORT_FREE)
			switch_port_close(s, i);
	for (size_t i = 0; i < s->n_udp; i++)
		close(s->udp_fd[i]);
	for (size_t i = 0; i < s->n_tcp_listen; i++)
		close(s->tcp_listen_fd[i]);
	if (s->control_fd >= 0) {
		close(s->control_fd);
		if (sock)
			unlink(sock);
		if (settings)
			unlink(settings);
	}
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
}

static uint64_t seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static void dispatch(struct sw *s, const struct epoll_event *ev, bool *stop)
{
	uint32_t kind = (uint32_t)(ev->data.u64 >> 32), index = (uint32_t)ev->data.u64;
	uint64_t ticks;

	switch (kind) {
	case WATCH_CONTROL:
		control_request(s);
		break;
	case WATCH_SIGNAL:
		*stop = true;
		break;
	case WATCH_TIMER:
		if (read(s->timer_fd, &ticks, sizeof(ticks)) < 0)
			break;
		switch_tcp_reconnect(s);
		break;
	case WATCH_UDP:
		switch_udp_ready(s, index);
		break;
	case WATCH_TCP_LISTEN:
		switch_tcp_accept(s, index);
		break;
	case WATCH_PORT:
		if (index < NET_SWITCH_PORTS_MAX)
			switch_port_ready(s, (int)index, ev->events);
		break;
	}
}

int net_switch_run(const struct net_switch_options *o, struct hull_error **err)
{
	struct net_switch_settings st;
	struct sw *s;
	bool stop = false;
	int ret;

	if (!net_name_valid(o->name, NET_SWITCH_NAME_MAX))
		return hull_error_invalid(err, "switch `%s`: a name is letters, digits, `.`, `_` and `-`",
					  o->name);
	if ((ret = settings_plan(o, &st, err)) < 0)
		return hull_error_wrap(err, "switch `%s`", o->name);
	/* The frame buffer and the MAC table are large: the heap, not the stack. */
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hull_error_set(err, ENOMEM, "switch `%s`", o->name);
	*s = (struct sw){.o = o, .epoll_fd = -1, .control_fd = -1, .signal_fd = -1, .timer_fd = -1};
	if ((ret = switch_open(s, err)) < 0 || (ret = settings_write(o->state_dir, o->name, &st, err)) < 0) {
		switch_close(s);
		free(s);
		return hull_error_wrap(err, "switch `%s`", o->name);
	}
	switch_tcp_reconnect(s);
	while (!stop) {
		struct epoll_event events[64];
		int n = epoll_wait(s->epoll_fd, events, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = hull_error_errno(err, "switch `%s`: wait", o->name);
			break;
		}
		s->now = seconds_now();
		for (int i = 0; i < n && !stop; i++)
			dispatch(s, &events[i], &stop);
	}
	switch_close(s);
	free(s);
	return ret < 0 ? ret : 0;
}
