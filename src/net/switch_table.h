/* The userspace switch's MAC learning table: which port a source address was last seen on, forgotten
 * after NET_MAC_AGE_SECONDS (as a kernel bridge's ageing time) or when its port goes.  Pure: no I/O, so
 * it is tested alone. */
#ifndef HULL_NET_SWITCH_TABLE_H
#define HULL_NET_SWITCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAC_TABLE_SIZE  4096
#define NET_MAC_AGE_SECONDS 300

struct net_mac_entry {
	uint8_t mac[6];
	bool used;
	int port;
	uint64_t seen;
};

struct net_mac_table {
	struct net_mac_entry entries[NET_MAC_TABLE_SIZE];
};

/* Where a frame goes: the port of its destination, -1 to flood (broadcast, multicast, unknown), or -2 to
 * drop it (its destination is on the port it came from). */
int net_mac_route(struct net_mac_table *t, const uint8_t *frame, size_t len, int in_port, uint64_t now);

/* Learns a frame's source (unicast sources only: a multicast source is forged). */
void net_mac_learn(struct net_mac_table *t, const uint8_t *frame, size_t len, int port, uint64_t now);

void net_mac_forget_port(struct net_mac_table *t, int port);

/* A TCP link carries frames as a 2-byte big-endian length and the frame.  Calls fn for each whole frame
 * at the start of buf and returns how many bytes those took (the rest waits for more), or -1 when a
 * length is below an Ethernet header's 14 bytes: the peer is not a switch. */
long net_switch_deframe(const uint8_t *buf, size_t len,
			void (*fn)(void *ctx, const uint8_t *frame, size_t len), void *ctx);

#endif
