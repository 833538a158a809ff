/* Tap devices for the userspace switch.  A tap is created in the network namespace of the process that
 * asks for it (TUNSETIFF acts on current's namespace), so net_tap_create() enters the container's
 * namespace just for that ioctl and returns; the descriptor works from anywhere.  The tap is not
 * persistent: it disappears when the last descriptor of it closes, so a switch that dies or lets go of a
 * container leaves no device behind. */
#ifndef HULL_NET_TAP_H
#define HULL_NET_TAP_H

#include "util/error.h"

/* A tap named name (without packet information headers) in netns_fd; returns its descriptor. */
int net_tap_create(int netns_fd, const char *name, struct hull_error **err);

#endif
