/* hull's userspace L2 switch (`hull switch run NAME`), for containers that must not or cannot use kernel
 * bridges: a learning switch in one single-threaded process whose ports are
 *  - taps, one per container: `hull network setup --mode switch:NAME` creates the tap in the container's
 *    namespace and passes its descriptor over STATE/switches/NAME.sock with SCM_RIGHTS;
 *  - links to other switches, so that containers on two hosts share one L2 segment: over UDP (one
 *    datagram a frame; datagrams are taken only from the peers named) or TCP (a 2-byte length before
 *    each frame; a listener accepts only the addresses allowed, an outgoing link reconnects by itself).
 * Frames that arrive on a link are never sent out on another link (split horizon): links must form a
 * full mesh, and no arrangement of them can loop.
 *
 * The switch also holds its network's settings (subnet, the pool hull allocates container addresses
 * from, a gateway, the MTU) in STATE/switches/NAME.json while it runs, and removes both files when it
 * stops. */
#ifndef HULL_NET_SWITCH_H
#define HULL_NET_SWITCH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define NET_SWITCH_PORTS_MAX 256
/* A frame (MTU plus the 14-byte Ethernet header) fits the 65535 bytes of a TCP link's length field. */
#define NET_SWITCH_MTU_MAX 65521

struct net_switch_options {
	const char *state_dir;
	const char *name;
	const char *subnet;	   /* A.B.C.D/N; NULL: 10.90.0.0/24 */
	const char *pool;	   /* FIRST-LAST inside the subnet; NULL: .2 to the last host */
	const char *gateway;	   /* NULL: none */
	unsigned mtu;		   /* 0: 65520 without links, 1450 with (a frame in UDP still fits 1500) */
	const char *const *listen; /* udp:ADDR:PORT or tcp:ADDR:PORT */
	size_t n_listen;
	const char *const *peers; /* udp:ADDR:PORT or tcp:ADDR:PORT (connected to) */
	size_t n_peers;
	const char *const *allow; /* addresses a TCP listener accepts */
	size_t n_allow;
};

/* Runs until SIGTERM or SIGINT. */
int net_switch_run(const struct net_switch_options *o, struct hull_error **err);

/* A switch's settings as a container attaching to it needs them. */
struct net_switch_settings {
	struct in_addr subnet, first, last, gateway;
	unsigned prefix, mtu;
};

int net_switch_settings_read(const char *state_dir, const char *name, struct net_switch_settings *s,
			     struct hull_error **err);

/* `udp:ADDR:PORT` or `tcp:ADDR:PORT`. */
int net_switch_parse_endpoint(const char *text, int *type, struct sockaddr_in *addr, struct hull_error **err);

/* A switch's name is a file name of the state directory (net_name_valid). */
#define NET_SWITCH_NAME_MAX 64

#endif
