/* Test helper: a seccomp notification agent at a container's linux.seccomp.listenerPath.  Listens on a
 * unix socket, takes the listener descriptor and the container process state a runtime sends with
 * SCM_RIGHTS, writes the state to STATE-FILE, then answers every notified syscall with -ERRNO until the
 * container is gone.  Written against libseccomp's notify API and plain sockets, not hull's code.
 *   usage: seccomp-agent SOCKET STATE-FILE ERRNO
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <seccomp.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	static char payload[65536];
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload) - 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control)};
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct cmsghdr *cmsg;
	int sock, conn, fd, answered = 0;
	ssize_t n;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATE-FILE ERRNO\n");
		return 2;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(sock, 1) < 0)
		return die("listen");
	conn = accept(sock, NULL, NULL);
	if (conn < 0)
		return die("accept");
	n = recvmsg(conn, &msg, 0);
	cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS)
		return die("no descriptor received");
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	out = fopen(argv[2], "w");
	if (out == NULL)
		return die("open state file");
	fwrite(payload, 1, (size_t)n, out);
	fclose(out);
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return die("seccomp_notify_alloc");
	for (;;) {
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(fd, req) < 0)
			break; /* the container is gone */
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		resp->error = -atoi(argv[3]);
		if (seccomp_notify_respond(fd, resp) == 0)
			answered++;
	}
	seccomp_notify_free(req, resp);
	close(fd);
	close(conn);
	close(sock);
	fprintf(stderr, "seccomp-agent: answered %d\n", answered);
	return 0;
}
