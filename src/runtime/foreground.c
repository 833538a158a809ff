#include "runtime/foreground.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/process.h"

static void forwarded_signals(sigset_t *set)
{
	sigfillset(set);
	/* Those that are about the runtime itself, not requests to pass on. */
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGABRT);
	sigdelset(set, SIGTRAP);
	sigdelset(set, SIGSYS);
	sigdelset(set, SIGPIPE);
	sigdelset(set, SIGTTIN);
	sigdelset(set, SIGTTOU);
	sigdelset(set, SIGKILL);
	sigdelset(set, SIGSTOP);
}

int foreground_block_signals(sigset_t *old, struct hull_error **err)
{
	sigset_t set;

	forwarded_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return hull_error_errno(err, "block signals");
	return 0;
}

/* Reaps every exited child (the subreaper inherits the container's orphans); true once pid is among them. */
static bool reap(pid_t pid, int *status)
{
	bool done = false;
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0)
		if (r == pid) {
			*status = st;
			done = true;
		}
	return done;
}

int foreground_wait(pid_t pid, int master, int *exit_code, struct hull_error **err)
{
	sigset_t set;
	cleanup_close int sfd = -1;
	struct termios saved;
	bool raw = false, stdin_open = master >= 0, exited = false;
	int status = 0;

	forwarded_signals(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return hull_error_errno(err, "signalfd");
	if (master >= 0 && isatty(STDIN_FILENO)) {
		raw = terminal_make_raw(STDIN_FILENO, &saved) == 0;
		terminal_copy_size(STDIN_FILENO, master);
	}
	exited = reap(pid, &status);
	while (!exited) {
		struct pollfd fds[3] = {{.fd = sfd, .events = POLLIN},
					{.fd = master, .events = POLLIN},
					{.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};
		int n = poll(fds, master >= 0 ? 3 : 1, -1);

		if (n < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					exited = reap(pid, &status);
				else if (si.ssi_signo == SIGWINCH && master >= 0)
					terminal_copy_size(STDIN_FILENO, master);
				else
					kill(pid, si.ssi_signo);
			}
		}
		if (master >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !terminal_copy(master, STDOUT_FILENO)) {
			/* The container closed its terminal: it is exiting. */
			master = -1;
		}
		if (stdin_open && (fds[2].revents & (POLLIN | POLLHUP)) &&
		    !terminal_copy(STDIN_FILENO, master))
			stdin_open = false;
	}
	/* Output written just before the exit is still in the pty. */
	while (master >= 0 && terminal_copy(master, STDOUT_FILENO) > 0) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (poll(&p, 1, 0) <= 0)
			break;
	}
	if (raw)
		terminal_restore(STDIN_FILENO, &saved);
	if (!exited)
		return hull_error_set(err, EIO, "wait for the container process");
	*exit_code = process_exit_code(status);
	return 0;
}
