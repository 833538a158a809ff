/* The last steps of every process hull starts in a container, the first one (container_init.c) and those
 * of `exec` (exec.c): terminal, identity, capabilities, seccomp, labels, execve.  They run inside all of
 * the container's namespaces, after everything that needs privileges is done. */
#ifndef HULL_RUNTIME_PROCESS_LAUNCH_H
#define HULL_RUNTIME_PROCESS_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "linux/capabilities.h"
#include "linux/seccomp_filter.h"
#include "oci/spec.h"
#include "util/error.h"

struct process_launch {
	const struct oci_process *process;
	const struct capability_plan *caps;
	struct seccomp_filter *seccomp; /* NULL for none */
	int *seccomp_listener_fd;	/* connected listenerPath, or -1; closed once the listener is sent */
	const char *state_json;		/* the container's state, sent with a seccomp listener */
	pid_t host_pid;			/* the process's pid as the runtime sees it */
	const char *const *extra_env;	/* LISTEN_FDS and friends */
	bool user_ns;			/* in a user namespace, whose setgroups may be denied */
};

/* The runtime may have blocked or ignored signals (run and exec forward them): a process starts clean. */
void process_launch_reset_signals(void);

/* With process.terminal: opens a pty in the container's devpts, sends the master over console_fd (closed
 * afterwards) and makes the peer the controlling terminal and standard streams.  Needs a session. */
int process_launch_terminal(const struct oci_process *p, int *console_fd, struct hull_error **err);

/* Capabilities, user, no_new_privs, seccomp (as late as the process allows), AppArmor/SELinux labels and
 * execve.  Returns only on failure. */
int process_launch_exec(struct process_launch *pl, struct hull_error **err);

#endif
