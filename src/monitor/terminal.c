#include "monitor/terminal.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "util/fdio.h"

#define CTRL_P 0x10
#define CTRL_Q 0x11

int terminal_relay_input(struct terminal_relay *t)
{
	char buf[4096], out[4096 + 1];
	size_t n_out = 0;
	ssize_t n = read(t->in_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	for (ssize_t i = 0; i < n; i++) {
		if (t->held) {
			t->held = false;
			if (buf[i] == CTRL_Q) {
				fd_write_all(t->master, out, n_out);
				return 1;
			}
			out[n_out++] = CTRL_P;
		}
		if (buf[i] == CTRL_P)
			t->held = true;
		else
			out[n_out++] = buf[i];
	}
	fd_write_all(t->master, out, n_out);
	return 0;
}

void terminal_copy_size(int from_fd, int master)
{
	struct winsize ws;

	if (ioctl(from_fd, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}
