/* Which init a machine's root boots, and how it is asked to power off. */
#ifndef HULL_MACHINE_INIT_H
#define HULL_MACHINE_INIT_H

#include <stdbool.h>

#include "util/error.h"

enum machine_init { MACHINE_INIT_SYSTEMD, MACHINE_INIT_SYSVINIT, MACHINE_INIT_BUSYBOX, MACHINE_INIT_SHELL };

struct machine_init_info {
	enum machine_init kind;
	char path[256];		 /* what runs as PID 1, inside the root */
	const char *stop_signal; /* its power-off request: SIGRTMIN+3, SIGPWR, SIGUSR2; SIGTERM for a shell */
	const char *name;	 /* systemd, sysvinit, busybox, shell */
};

/* Finds the init of the root at root_fd (every path resolved inside it): systemd where /sbin/init leads to
 * systemd, busybox init where it leads to busybox, sysvinit for another /sbin/init; single_user takes
 * /bin/sh instead.  A root with none is refused. */
int machine_init_detect(int root_fd, bool single_user, struct machine_init_info *out,
			struct hull_error **err);

#endif
