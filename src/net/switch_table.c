#include "net/switch_table.h"

#include <string.h>

#define PROBES 16

static size_t slot_of(const uint8_t *mac)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h % NET_MAC_TABLE_SIZE;
}

static bool fresh(const struct net_mac_entry *e, uint64_t now)
{
	return e->used && now - e->seen <= NET_MAC_AGE_SECONDS;
}

void net_mac_learn(struct net_mac_table *t, const uint8_t *frame, size_t len, int port, uint64_t now)
{
	const uint8_t *src = frame + 6;
	size_t slot = slot_of(src), victim = slot;

	if (len < 14 || (src[0] & 1))
		return;
	/* Its own entry, else a free or stale slot, else the oldest of the probe window. */
	for (int i = 0; i < PROBES; i++) {
		struct net_mac_entry *e = &t->entries[(slot + (size_t)i) % NET_MAC_TABLE_SIZE];
		if (e->used && memcmp(e->mac, src, 6) == 0) {
			victim = (slot + (size_t)i) % NET_MAC_TABLE_SIZE;
			break;
		}
		if (!fresh(e, now) || e->seen < t->entries[victim].seen)
			victim = (slot + (size_t)i) % NET_MAC_TABLE_SIZE;
		if (!fresh(e, now))
			break;
	}
	t->entries[victim] = (struct net_mac_entry){.used = true, .port = port, .seen = now};
	memcpy(t->entries[victim].mac, src, 6);
}

int net_mac_route(struct net_mac_table *t, const uint8_t *frame, size_t len, int in_port, uint64_t now)
{
	size_t slot;

	if (len < 14 || (frame[0] & 1))
		return -1;
	slot = slot_of(frame);
	for (int i = 0; i < PROBES; i++) {
		struct net_mac_entry *e = &t->entries[(slot + (size_t)i) % NET_MAC_TABLE_SIZE];
		if (fresh(e, now) && memcmp(e->mac, frame, 6) == 0)
			return e->port == in_port ? -2 : e->port;
	}
	return -1;
}

void net_mac_forget_port(struct net_mac_table *t, int port)
{
	for (size_t i = 0; i < NET_MAC_TABLE_SIZE; i++)
		if (t->entries[i].used && t->entries[i].port == port)
			t->entries[i].used = false;
}

long net_switch_deframe(const uint8_t *buf, size_t len,
			void (*fn)(void *ctx, const uint8_t *frame, size_t len), void *ctx)
{
	size_t used = 0;

	while (len - used >= 2) {
		size_t n = ((size_t)buf[used] << 8) | buf[used + 1];
		if (n < 14)
			return -1;
		if (len - used < n + 2)
			break;
		fn(ctx, buf + used + 2, n);
		used += n + 2;
	}
	return (long)used;
}
