/* What switch.c (the loop, control socket, settings) and switch_port.c (moving frames through taps and
 * links) share.  Not for other files. */
#ifndef HULL_NET_SWITCH_INTERNAL_H
#define HULL_NET_SWITCH_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/switch.h"
#include "net/switch_table.h"

#define FRAME_MAX 65535
/* A TCP link keeps at most this much unsent; frames beyond it are dropped whole, as a full queue does. */
#define TCP_QUEUE_MAX (256 * 1024)

enum port_kind { PORT_FREE, PORT_TAP, PORT_UDP, PORT_TCP };

struct port {
	enum port_kind kind;
	int fd;			 /* tap or TCP connection; the shared UDP socket's for PORT_UDP */
	char id[256];		 /* the container, for taps */
	struct sockaddr_in peer; /* links */
	bool outbound;		 /* a TCP link this switch connects (and reconnects) */
	bool connecting;
	uint8_t *in, *out; /* TCP: bytes read not yet a whole frame; bytes not yet written */
	size_t in_len, out_len;
};

struct sw {
	const struct net_switch_options *o;
	int epoll_fd, control_fd, signal_fd, timer_fd;
	int udp_fd[8], tcp_listen_fd[8];
	size_t n_udp, n_tcp_listen;
	struct in_addr allow[64];
	size_t n_allow;
	struct sockaddr_in tcp_peers[16]; /* outbound TCP links, parsed once */
	size_t n_tcp_peers;
	struct port ports[NET_SWITCH_PORTS_MAX];
	struct net_mac_table table;
	uint64_t now;
	uint8_t frame[FRAME_MAX + 2];
};

/* epoll data: the kind of descriptor in the high half, a port or socket index in the low one. */
enum watch { WATCH_CONTROL = 1, WATCH_SIGNAL, WATCH_TIMER, WATCH_UDP, WATCH_TCP_LISTEN, WATCH_PORT };
#define WATCH(kind, index) (((uint64_t)(kind) << 32) | (uint32_t)(index))

int switch_watch(struct sw *s, int fd, uint32_t events, uint64_t data);
int switch_port_alloc(struct sw *s);
void switch_port_close(struct sw *s, int index);

/* Moves what is ready on port index (a tap or a TCP link). */
void switch_port_ready(struct sw *s, int index, uint32_t events);
/* A datagram on UDP socket index. */
void switch_udp_ready(struct sw *s, size_t index);
/* A connection on TCP listener index. */
void switch_tcp_accept(struct sw *s, size_t index);
/* Starts (again) the outbound TCP links whose time has come. */
void switch_tcp_reconnect(struct sw *s);

#endif
