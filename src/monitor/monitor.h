/* hull-monitor: the process that stays with a detached (or attached) app container for its whole life,
 * the role conmon plays for podman.  It starts the container through the OCI runtime's create and start,
 * is the subreaper that the container's init is reparented to, owns the container's stdout and stderr
 * and writes them to the json-file log, records the start and the exit (DIR/run.json, DIR/exit.json),
 * deletes the runtime's record when the init ends and then becomes the exit command (hull's cleanup,
 * which removes --rm containers and applies restart policies).
 *
 * To the process that started it, it reports on --ready-fd one line: "ok PID" once the container runs,
 * or "error TEXT" (the runtime's message) when it could not be started; with --attach it also copies the
 * container's output to its own stdout and stderr and ends its report with "exit CODE". */
#ifndef HULL_MONITOR_MONITOR_H
#define HULL_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

struct monitor_options {
	const char *runtime, *runtime_root, *id, *bundle, *dir;
	int ready_fd;
	uint64_t log_size;
	unsigned log_files;
	bool attach;   /* copy the output to our stdout/stderr too */
	bool stdin_in; /* the container's stdin is ours (-i); otherwise /dev/null */
	bool tty;      /* the container gets a pty (its master comes over DIR/console.sock) */
	char **exit_command;
};

int monitor_run(const struct monitor_options *o);

#endif
