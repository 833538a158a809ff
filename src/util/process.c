#include "util/process.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int process_start_time(pid_t pid, uint64_t *ticks, char *state)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	/* The command name may contain spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] == '\0')
		return -EIO;
	p += 2;
	if (state)
		*state = *p;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -EIO;
		p++;
	}
	*ticks = strtoull(p, NULL, 10);
	return 0;
}

bool process_is_alive(pid_t pid, uint64_t start_time)
{
	uint64_t ticks = 0;
	char state = 0;

	if (pid <= 0 || process_start_time(pid, &ticks, &state) < 0)
		return false;
	if (state == 'Z' || state == 'X')
		return false;
	return start_time == 0 || ticks == start_time;
}

int process_pidfd_open(pid_t pid, uint64_t start_time)
{
	int fd;

	if (pid <= 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	/* The check comes after the open: the descriptor pins the process it was opened for, so if that one
	 * is the process with this start time now, the descriptor can never name another later. */
	if (!process_is_alive(pid, start_time)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int process_pidfd_send(int pidfd, pid_t pid, int signo)
{
	if (pidfd >= 0)
		return syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0 ? -errno : 0;
	if (pidfd == -ENOSYS && pid > 0)
		return kill(pid, signo) < 0 ? -errno : 0;
	return pidfd < 0 ? pidfd : -ESRCH;
}

int process_signal(pid_t pid, uint64_t start_time, int signo)
{
	cleanup_close int fd = process_pidfd_open(pid, start_time);

	/* Linux before 5.3: a window remains between the check and the kill. */
	if (fd == -ENOSYS && !process_is_alive(pid, start_time))
		return -ESRCH;
	return process_pidfd_send(fd, pid, signo);
}

int process_wait(pid_t pid, int timeout_ms, int *status)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, status, timeout_ms > 0 ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (timeout_ms > 0) {
			long elapsed;
			clock_gettime(CLOCK_MONOTONIC, &now);
			elapsed =
			    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
			if (elapsed >= timeout_ms)
				return -ETIMEDOUT;
			usleep(elapsed < 20 ? 1000 : 10000);
		}
	}
}

int process_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int process_cloexec_from(int from)
{
	cleanup_closedir DIR *dir = NULL;
	struct dirent *de;

	if (syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Before Linux 5.11: walk the descriptor table. */
	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return -errno;
	while ((de = readdir(dir)) != NULL) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < from || fd == dirfd(dir))
			continue;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
			return -errno;
	}
	return 0;
}
