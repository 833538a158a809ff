/* Processes the runtime started and later finds again by pid. */
#ifndef HULL_UTIL_PROCESS_H
#define HULL_UTIL_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* The start time of pid in clock ticks since boot (field 22 of /proc/<pid>/stat); together with the pid it
 * names one process, so a recycled pid is never mistaken for the container. */
int process_start_time(pid_t pid, uint64_t *ticks, char *state);

/* True when pid runs (not a zombie) and started at start_time (0: do not compare). */
bool process_is_alive(pid_t pid, uint64_t start_time);

/* waitpid() that gives up after timeout_ms (0: wait forever); returns 0, or -ETIMEDOUT. */
int process_wait(pid_t pid, int timeout_ms, int *status);

/* Exit status as a shell reports it: the code, or 128 + the signal. */
int process_exit_code(int status);

/* Marks every descriptor from `from` on close-on-exec. */
int process_cloexec_from(int from);

#endif
