#include "util/socket.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"

int socket_send_fd(int sock, int fd, struct hull_error **err)
{
	return socket_send_fd_with(sock, fd, "", 1, err);
}

int socket_send_fd_with(int sock, int fd, const void *data, size_t len, struct hull_error **err)
{
	return socket_send_fds_with(sock, &fd, 1, data, len, err);
}

int socket_send_fds_with(int sock, const int *fds, size_t n_fds, const void *data, size_t len,
			 struct hull_error **err)
{
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	union {
		char buf[CMSG_SPACE(SOCKET_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = CMSG_SPACE(n_fds * sizeof(int))};
	struct cmsghdr *cmsg;

	if (n_fds == 0 || n_fds > SOCKET_MAX_FDS)
		return hull_error_set(err, EINVAL, "send descriptors: %zu of them", n_fds);
	memset(control.buf, 0, sizeof(control.buf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, n_fds * sizeof(int));
	if (TEMP_FAILURE_RETRY(sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0)
		return hull_error_errno(err, "send descriptor");
	return 0;
}

int socket_recv_fd_with(int sock, int *fd, void *data, size_t size, size_t *len, struct hull_error **err)
{
	size_t n_fds;
	int ret = socket_recv_fds_with(sock, fd, 1, &n_fds, data, size, len, err);

	if (ret >= 0 && n_fds == 0)
		*fd = -1;
	return ret;
}

int socket_recv_fds_with(int sock, int *fds, size_t max_fds, size_t *n_fds, void *data, size_t size,
			 size_t *len, struct hull_error **err)
{
	struct iovec iov = {.iov_base = data, .iov_len = size};
	union {
		char buf[CMSG_SPACE(SOCKET_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = CMSG_SPACE(max_fds * sizeof(int))};
	struct cmsghdr *cmsg;
	ssize_t n;

	*n_fds = 0;
	if (max_fds == 0 || max_fds > SOCKET_MAX_FDS)
		return hull_error_set(err, EINVAL, "receive descriptors: up to %zu of them", max_fds);
	n = TEMP_FAILURE_RETRY(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC));
	if (n < 0)
		return hull_error_errno(err, "receive descriptor");
	if (n == 0)
		return hull_error_fail(err, EBADMSG, "receive descriptor: the peer closed the connection");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
	    cmsg->cmsg_len >= CMSG_LEN(0)) {
		size_t got = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (got > max_fds)
			got = max_fds;
		memcpy(fds, CMSG_DATA(cmsg), got * sizeof(int));
		*n_fds = got;
	}
	/* A message cut short is refused whole: its descriptors are not kept. */
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		for (size_t i = 0; i < *n_fds; i++)
			close(fds[i]);
		*n_fds = 0;
		return hull_error_fail(err, EMSGSIZE, "receive descriptor: the message is too long");
	}
	if (len)
		*len = (size_t)n;
	return 0;
}

int socket_recv_fd(int sock, int *fd, struct hull_error **err)
{
	char byte;
	int ret = socket_recv_fd_with(sock, fd, &byte, 1, NULL, err);

	if (ret >= 0 && *fd < 0)
		return hull_error_fail(err, EBADMSG, "receive descriptor: no descriptor in the message");
	return ret;
}

static int fill_address(int dirfd, const char *name, struct sockaddr_un *addr, struct hull_error **err)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (dirfd == AT_FDCWD)
		snprintf(addr->sun_path, sizeof(addr->sun_path), "%s", name);
	else
		snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", dirfd, name);
	if (strlen(addr->sun_path) + 1 >= sizeof(addr->sun_path))
		return hull_error_set(err, ENAMETOOLONG, "socket `%s`", name);
	return 0;
}

int socket_listen_at(int dirfd, const char *name, struct hull_error **err)
{
	return socket_listen_at_type(dirfd, name, SOCK_SEQPACKET, err);
}

int socket_listen_at_type(int dirfd, const char *name, int type, struct hull_error **err)
{
	struct sockaddr_un addr;
	cleanup_close int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return hull_error_errno(err, "socket");
	if (fill_address(dirfd, name, &addr, err) < 0)
		return -ENAMETOOLONG;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hull_error_errno(err, "bind `%s`", name);
	if (listen(fd, 1) < 0)
		return hull_error_errno(err, "listen on `%s`", name);
	return steal_fd(&fd);
}

int socket_connect_at(int dirfd, const char *name, struct hull_error **err)
{
	struct sockaddr_un addr;
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return hull_error_errno(err, "socket");
	if (fill_address(dirfd, name, &addr, err) < 0)
		return -ENAMETOOLONG;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hull_error_errno(err, "connect to `%s`", name);
	return steal_fd(&fd);
}

int socket_connect_path(const char *path, int type, struct hull_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	cleanup_close int dirfd = -1;

	if (fd < 0)
		return hull_error_errno(err, "socket");
	if (strlen(path) < sizeof(addr.sun_path)) {
		strcpy(addr.sun_path, path);
	} else {
		char copy[4096];
		const char *slash = strrchr(path, '/');
		if (slash == NULL || (size_t)(slash - path) >= sizeof(copy))
			return hull_error_set(err, ENAMETOOLONG, "connect to `%s`", path);
		memcpy(copy, path, slash - path);
		copy[slash - path] = '\0';
		dirfd = open(copy, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return hull_error_errno(err, "connect to `%s`", path);
		if (fill_address(dirfd, slash + 1, &addr, err) < 0)
			return -ENAMETOOLONG;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hull_error_errno(err, "connect to `%s`", path);
	return steal_fd(&fd);
}
