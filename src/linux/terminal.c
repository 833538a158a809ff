#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/cleanup.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_open(int *master, int *peer, unsigned rows, unsigned cols, struct hull_error **err)
{
	cleanup_close int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int p;

	if (m < 0)
		return hull_error_errno(err, "open /dev/ptmx");
	if (unlockpt(m) < 0)
		return hull_error_errno(err, "unlock pty");
	/* TIOCGPTPEER opens the peer through the master, never through a path in /dev/pts that the container
	 * could have replaced. */
	p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p < 0)
		return hull_error_errno(err, "open pty peer");
	if (rows && cols) {
		struct winsize ws = {.ws_row = rows, .ws_col = cols};
		ioctl(m, TIOCSWINSZ, &ws);
	}
	*master = steal_fd(&m);
	*peer = p;
	return 0;
}

int terminal_become_controlling(int peer, struct hull_error **err)
{
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return hull_error_errno(err, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(peer, fd) < 0)
			return hull_error_errno(err, "attach pty to descriptor %d", fd);
	if (peer > 2)
		close(peer);
	return 0;
}

int terminal_make_raw(int fd, struct termios *saved)
{
	struct termios raw;

	if (tcgetattr(fd, saved) < 0)
		return -errno;
	raw = *saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return -errno;
	return 0;
}

void terminal_restore(int fd, const struct termios *saved)
{
	tcsetattr(fd, TCSANOW, saved);
}

void terminal_copy_size(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

int terminal_copy(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	for (ssize_t done = 0; done < n;) {
		ssize_t w = write(to, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		done += w;
	}
	return 1;
}
