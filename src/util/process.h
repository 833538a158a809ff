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

/* A pidfd for pid, only if pid still names the process that started at start_time (0: any): once open it
 * names that process for good, so a signal sent through it can never reach a recycled pid.  Returns the
 * descriptor, -ESRCH when the process is gone or was replaced, -ENOSYS before Linux 5.3. */
int process_pidfd_open(pid_t pid, uint64_t start_time);

/* Sends signo to the process pidfd names; pidfd is what process_pidfd_open() returned for pid: on
 * -ENOSYS (Linux before 5.3) the signal goes to pid itself, on another error nothing is sent (the process
 * is gone).  Returns 0 or a negative errno. */
int process_pidfd_send(int pidfd, pid_t pid, int signo);

/* Sends signo (0: only checks that it lives) to the process pid + start_time, through a pidfd where the
 * kernel has them; returns 0 or a negative errno (-ESRCH: gone). */
int process_signal(pid_t pid, uint64_t start_time, int signo);

/* waitpid() that gives up after timeout_ms (0: wait forever); returns 0, or -ETIMEDOUT. */
int process_wait(pid_t pid, int timeout_ms, int *status);

/* Exit status as a shell reports it: the code, or 128 + the signal. */
int process_exit_code(int status);

/* Marks every descriptor from `from` on close-on-exec. */
int process_cloexec_from(int from);

#endif
