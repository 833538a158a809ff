/* Whether the kernel's OOM killer struck in the container's memory cgroup while it ran: the count of
 * OOM kills (memory.events on v2, memory.oom_control on v1) read when the init starts and again when it
 * has ended, before the runtime removes the cgroup.  Docker's State.OOMKilled. */
#ifndef HULL_MONITOR_OOM_H
#define HULL_MONITOR_OOM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct oom_watch {
	int fd; /* the counter's file, -1: none (no cgroup of the container's own, as rootless) */
	uint64_t before;
};

/* Finds the memory cgroup of init, only if it is the container's own (its path names id). */
void oom_watch_start(struct oom_watch *w, pid_t init, const char *id);
/* True when the count grew; closes the file. */
bool oom_watch_killed(struct oom_watch *w);

#endif
