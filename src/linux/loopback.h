/* The loopback interface of a new network namespace. */
#ifndef HULL_LINUX_LOOPBACK_H
#define HULL_LINUX_LOOPBACK_H

#include "util/error.h"

/* Sets `lo` up in the calling process's network namespace.  A new network namespace starts with it down,
 * and programs expect 127.0.0.1 to work (runc and crun bring it up too). */
int loopback_up(struct hull_error **err);

#endif
