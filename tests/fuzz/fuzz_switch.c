/* Fuzz target: what a peer switch sends over a TCP link, as the switch reads it: a stream cut into reads
 * of any size, split into frames, each learned and routed in the MAC table.  Every frame handed on must
 * lie inside what was read and be at least an Ethernet header long; what is left over must be shorter
 * than the frame it begins. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/switch_table.h"

static struct net_mac_table table;

struct check {
	const uint8_t *start, *end;
	uint64_t now;
};

static void on_frame(void *ctx, const uint8_t *frame, size_t len)
{
	struct check *c = ctx;
	int port = len > 20 ? frame[20] % 8 : 0, out;

	if (len < 14 || frame < c->start || frame + len > c->end)
		__builtin_trap();
	net_mac_learn(&table, frame, len, port, c->now);
	out = net_mac_route(&table, frame, len, port, c->now);
	if (out < -2 || out >= 8 || out == port)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t have = 0, step;
	struct check c = {.now = 1000};

	if (size < 1)
		return 0;
	/* The first byte sets how the stream arrives: reads of 1 to 256 bytes. */
	step = (size_t)data[0] + 1;
	data++;
	size--;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	for (size_t off = 0; off < size;) {
		size_t n = size - off < step ? size - off : step;
		long used;
		memcpy(buf + have, data + off, n);
		have += n;
		off += n;
		c.start = buf;
		c.end = buf + have;
		c.now++;
		used = net_switch_deframe(buf, have, on_frame, &c);
		if (used < 0)
			break;
		if ((size_t)used > have)
			__builtin_trap();
		memmove(buf, buf + used, have - (size_t)used);
		have -= (size_t)used;
		if (have >= 2 && (((size_t)buf[0] << 8) | buf[1]) + 2 <= have)
			__builtin_trap();
	}
	free(buf);
	return 0;
}
