/* `run` without -d: the runtime stays, relays signals and the terminal, and reports the exit status. */
#ifndef HULL_RUNTIME_FOREGROUND_H
#define HULL_RUNTIME_FOREGROUND_H

#include <signal.h>
#include <sys/types.h>

#include "util/error.h"

/* Blocks the signals the foreground loop forwards; call before creating the container (the container's
 * process resets its mask). */
int foreground_block_signals(sigset_t *old, struct hull_error **err);

/* Waits for pid (a child or, through the subreaper, a grandchild), forwarding signals to it and relaying
 * between the user's terminal and master (-1: no terminal).  Gives the exit status as a shell reports it. */
int foreground_wait(pid_t pid, int master, int *exit_code, struct hull_error **err);

#endif
