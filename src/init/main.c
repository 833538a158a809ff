/* hull-init: what `hull run --init` puts in front of the container's command as its PID 1.  A program
 * that was not written to be PID 1 neither reaps the orphans that the kernel hands to it nor dies of
 * SIGTERM or SIGINT (the kernel drops signals PID 1 has no handler for); hull-init does both: it starts
 * the command as its only child, passes every signal it can catch on to it, reaps every process that
 * ends, and exits with the command's status as a shell gives it (128 + the signal when it was killed).
 *   usage: hull-init -- COMMAND [ARG...]
 * libc only, statically linked where the build allows it: it is bind-mounted into containers whose
 * root may have no libc at all. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* What is not passed on: the ones that stop or kill us whatever we do, and the child's own end. */
static bool forwarded(int sig)
{
	return sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD;
}

int main(int argc, char **argv)
{
	sigset_t all, old;
	pid_t child;
	int sigfd, first = 1;

	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		dprintf(2, "hull-init: usage: hull-init -- COMMAND [ARG...]\n");
		return 125;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	sigfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sigfd < 0) {
		dprintf(2, "hull-init: signalfd: %s\n", strerror(errno));
		return 125;
	}
	child = fork();
	if (child < 0) {
		dprintf(2, "hull-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[first], argv + first);
		dprintf(2, "hull-init: exec `%s`: %s\n", argv[first], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	for (;;) {
		struct signalfd_siginfo si;
		if (read(sigfd, &si, sizeof(si)) != sizeof(si)) {
			if (errno == EINTR)
				continue;
			return 125;
		}
		if ((int)si.ssi_signo != SIGCHLD) {
			if (forwarded((int)si.ssi_signo))
				kill(child, (int)si.ssi_signo);
			continue;
		}
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);
			if (pid <= 0)
				break;
			if (pid == child)
				return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
	}
}
