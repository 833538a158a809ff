/* Frames through the switch's ports: read, learn, route, send. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/switch_internal.h"
#include "util/log.h"

static bool is_link(const struct port *p)
{
	return p->kind == PORT_UDP || p->kind == PORT_TCP;
}

/* Queues a frame on a TCP link with its length before it; a link too far behind drops it whole. */
static void tcp_send(struct sw *s, int index, const uint8_t *frame, size_t len)
{
	struct port *p = &s->ports[index];
	uint8_t *grown;

	if (p->connecting || p->fd < 0 || p->out_len + len + 2 > TCP_QUEUE_MAX)
		return;
	if ((grown = realloc(p->out, p->out_len + len + 2)) == NULL)
		return;
	p->out = grown;
	p->out[p->out_len] = (uint8_t)(len >> 8);
	p->out[p->out_len + 1] = (uint8_t)len;
	memcpy(p->out + p->out_len + 2, frame, len);
	p->out_len += len + 2;
	switch_port_ready(s, index, EPOLLOUT);
}

static void send_to(struct sw *s, int index, const uint8_t *frame, size_t len)
{
	struct port *p = &s->ports[index];

	switch (p->kind) {
	case PORT_TAP:
		/* A tap that cannot take the frame now drops it, as a full transmit queue does. */
		if (write(p->fd, frame, len) < 0 && errno != EAGAIN)
			hull_log_debug("switch: tap of `%s`: %s", p->id, strerror(errno));
		break;
	case PORT_UDP:
		sendto(p->fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&p->peer, sizeof(p->peer));
		break;
	case PORT_TCP:
		tcp_send(s, index, frame, len);
		break;
	default:
		break;
	}
}

/* One frame from port in: learned, then sent where its destination is, or flooded. */
static void forward(struct sw *s, int in, const uint8_t *frame, size_t len)
{
	int out;

	if (len < 14)
		return;
	net_mac_learn(&s->table, frame, len, in, s->now);
	out = net_mac_route(&s->table, frame, len, in, s->now);
	if (out == -2)
		return;
	if (out >= 0) {
		/* Split horizon: what came from a link never leaves on a link. */
		if (!(is_link(&s->ports[in]) && is_link(&s->ports[out])))
			send_to(s, out, frame, len);
		return;
	}
	for (int i = 0; i < NET_SWITCH_PORTS_MAX; i++)
		if (i != in && s->ports[i].kind != PORT_FREE &&
		    !(is_link(&s->ports[in]) && is_link(&s->ports[i])))
			send_to(s, i, frame, len);
}

static void tap_ready(struct sw *s, int index)
{
	/* A bounded batch, so one busy container cannot starve the other ports. */
	for (int n = 0; n < 64; n++) {
		ssize_t len = read(s->ports[index].fd, s->frame, FRAME_MAX);
		if (len < 0 && errno == EAGAIN)
			return;
		if (len <= 0) {
			/* The container's namespace went, and its tap with it. */
			hull_log_debug("switch: `%s` left", s->ports[index].id);
			switch_port_close(s, index);
			return;
		}
		forward(s, index, s->frame, (size_t)len);
	}
}

static void tcp_flush(struct sw *s, int index)
{
	struct port *p = &s->ports[index];

	while (p->out_len > 0) {
		ssize_t n = send(p->fd, p->out, p->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			switch_port_close(s, index);
			return;
		}
		memmove(p->out, p->out + n, p->out_len - (size_t)n);
		p->out_len -= (size_t)n;
	}
	switch_watch(s, p->fd, EPOLLIN | (p->out_len ? EPOLLOUT : 0), WATCH(WATCH_PORT, index));
}

struct link_input {
	struct sw *s;
	int index;
};

static void forward_from_link(void *ctx, const uint8_t *frame, size_t len)
{
	struct link_input *in = ctx;

	forward(in->s, in->index, frame, len);
}

static void tcp_read(struct sw *s, int index)
{
	struct port *p = &s->ports[index];
	uint8_t buf[65536];
	ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
	uint8_t *grown;
	long used;

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		switch_port_close(s, index);
		return;
	}
	if ((grown = realloc(p->in, p->in_len + (size_t)n)) == NULL) {
		switch_port_close(s, index);
		return;
	}
	p->in = grown;
	memcpy(p->in + p->in_len, buf, (size_t)n);
	p->in_len += (size_t)n;
	used = net_switch_deframe(p->in, p->in_len, forward_from_link, &(struct link_input){s, index});
	if (used < 0) {
		hull_log_warning("switch: link to %s sent a length no frame has; closing it",
				 inet_ntoa(p->peer.sin_addr));
		switch_port_close(s, index);
		return;
	}
	/* Forwarding sends to other ports only, so this one is still open here. */
	memmove(p->in, p->in + used, p->in_len - (size_t)used);
	p->in_len -= (size_t)used;
}

void switch_port_ready(struct sw *s, int index, uint32_t events)
{
	struct port *p = &s->ports[index];

	if (p->kind == PORT_TAP) {
		tap_ready(s, index);
		return;
	}
	if (p->kind != PORT_TCP)
		return;
	if (p->connecting) {
		int error = 0;
		socklen_t len = sizeof(error);
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &error, &len);
		if (error) {
			hull_log_debug("switch: connect to %s: %s", inet_ntoa(p->peer.sin_addr),
				       strerror(error));
			switch_port_close(s, index);
			return;
		}
		p->connecting = false;
		hull_log_debug("switch: linked to %s", inet_ntoa(p->peer.sin_addr));
	}
	if (events & (EPOLLERR | EPOLLHUP)) {
		switch_port_close(s, index);
		return;
	}
	if (events & EPOLLIN)
		tcp_read(s, index);
	if (s->ports[index].kind == PORT_TCP)
		tcp_flush(s, index);
}

void switch_udp_ready(struct sw *s, size_t index)
{
	for (int n = 0; n < 64; n++) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t got = recvfrom(s->udp_fd[index], s->frame, FRAME_MAX, MSG_DONTWAIT,
				       (struct sockaddr *)&from, &len);
		int port = -1;
		if (got < 0)
			return;
		/* Only the peers named: anyone else could inject frames into the segment. */
		for (int i = 0; i < NET_SWITCH_PORTS_MAX && port < 0; i++)
			if (s->ports[i].kind == PORT_UDP && s->ports[i].fd == s->udp_fd[index] &&
			    s->ports[i].peer.sin_addr.s_addr == from.sin_addr.s_addr &&
			    s->ports[i].peer.sin_port == from.sin_port)
				port = i;
		if (port < 0) {
			hull_log_debug("switch: dropped a datagram from %s, not a peer",
				       inet_ntoa(from.sin_addr));
			continue;
		}
		forward(s, port, s->frame, (size_t)got);
	}
}

void switch_tcp_accept(struct sw *s, size_t index)
{
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	int fd =
	    accept4(s->tcp_listen_fd[index], (struct sockaddr *)&from, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
	bool allowed = false;
	int one = 1, port;

	if (fd < 0)
		return;
	for (size_t i = 0; i < s->n_allow; i++)
		allowed = allowed || s->allow[i].s_addr == from.sin_addr.s_addr;
	if (!allowed || (port = switch_port_alloc(s)) < 0) {
		hull_log_warning("switch: refused a link from %s (%s)", inet_ntoa(from.sin_addr),
				 allowed ? "no free port" : "not allowed");
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->ports[port] = (struct port){.kind = PORT_TCP, .fd = fd, .peer = from};
	if (switch_watch(s, fd, EPOLLIN, WATCH(WATCH_PORT, port)) < 0)
		switch_port_close(s, port);
	else
		hull_log_debug("switch: link from %s", inet_ntoa(from.sin_addr));
}

void switch_tcp_reconnect(struct sw *s)
{
	for (size_t i = 0; i < s->n_tcp_peers; i++) {
		const struct sockaddr_in *addr = &s->tcp_peers[i];
		int fd, port, one = 1;
		bool present = false;
		for (int p = 0; p < NET_SWITCH_PORTS_MAX; p++)
			present = present || (s->ports[p].kind == PORT_TCP && s->ports[p].outbound &&
					      s->ports[p].peer.sin_addr.s_addr == addr->sin_addr.s_addr &&
					      s->ports[p].peer.sin_port == addr->sin_port);
		if (present || (port = switch_port_alloc(s)) < 0)
			continue;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s->ports[port] = (struct port){
		    .kind = PORT_TCP, .fd = fd, .peer = *addr, .outbound = true, .connecting = true};
		if ((connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 && errno != EINPROGRESS) ||
		    switch_watch(s, fd, EPOLLOUT | EPOLLIN, WATCH(WATCH_PORT, port)) < 0)
			switch_port_close(s, port);
	}
}
