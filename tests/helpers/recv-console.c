/* Test helper: the receiving end of `--console-socket`.  Listens on a unix socket, takes the pty master a
 * runtime sends with SCM_RIGHTS, writes INPUT (if given) to it and copies what the container prints to
 * stdout until the container side closes.  Plain POSIX on purpose: it checks hull's descriptor passing
 * rather than sharing its code.
 *   usage: recv-console SOCKET [INPUT]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recv-console: %s: %s\n", what, strerror(errno));
	return 1;
}

static int receive_fd(int conn)
{
	char byte;
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control)};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char buf[4096];
	ssize_t n;
	int sock, conn, master;

	if (argc < 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: recv-console SOCKET [INPUT]\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0)
		return die("listen");
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	master = receive_fd(conn);
	if (master < 0)
		return die("receive the pty master");
	if (!isatty(master)) {
		fprintf(stderr, "recv-console: the descriptor received is not a terminal\n");
		return 1;
	}
	if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
		return die("write input");
	/* Reading the master fails with EIO once every descriptor of the slave is closed. */
	while ((n = read(master, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			return die("write output");
	return 0;
}
