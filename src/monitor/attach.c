#include "monitor/attach.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/socket.h"

int attach_listen(int dir_fd)
{
	struct hull_error *err = NULL;
	int fd;

	unlinkat(dir_fd, "attach.sock", 0);
	fd = socket_listen_at(dir_fd, "attach.sock", &err);
	hull_error_free(&err);
	return fd;
}

bool attach_accept(int listen_fd, struct attach_client *c)
{
	struct hull_error *err = NULL;
	char text[32] = "";
	size_t n_fds = 0, len = 0;
	int fds[3], sock = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (sock < 0)
		return false;
	/* The client's message is sent right after connecting; a peer that sends nothing is not waited for
	 * long (the container's output would stall behind it). */
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){.tv_sec = 2}, sizeof(struct timeval));
	if (socket_recv_fds_with(sock, fds, 3, &n_fds, text, sizeof(text) - 1, &len, &err) < 0 ||
	    n_fds != 3 || (strncmp(text, "attach", 6) != 0)) {
		hull_error_free(&err);
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
		close(sock);
		return false;
	}
	text[len] = '\0';
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){0}, sizeof(struct timeval));
	*c = (struct attach_client){.sock = sock, .stdin_wanted = strcmp(text, "attach stdin") == 0};
	memcpy(c->fds, fds, sizeof(fds));
	return true;
}

void attach_refuse(int listen_fd)
{
	int sock = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (sock >= 0) {
		send(sock, "busy", 4, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(sock);
	}
}

int attach_read(struct attach_client *c)
{
	char text[32];
	ssize_t n = recv(c->sock, text, sizeof(text) - 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return strcmp(text, "winch") == 0 ? 1 : 0;
}

void attach_release(struct attach_client *c, const char *last)
{
	if (c->sock < 0)
		return;
	if (last)
		send(c->sock, last, strlen(last), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(c->sock);
	for (int i = 0; i < 3; i++)
		close(c->fds[i]);
	*c = (struct attach_client){.sock = -1, .fds = {-1, -1, -1}};
}
