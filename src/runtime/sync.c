#include "runtime/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sync_header {
	uint32_t type;
	int32_t value;
};

int sync_send(int fd, enum sync_type type, int32_t value, const char *payload, struct hull_error **err)
{
	struct sync_header h = {.type = type, .value = value};
	struct iovec iov[2] = {{.iov_base = &h, .iov_len = sizeof(h)},
			       {.iov_base = (void *)payload, .iov_len = payload ? strlen(payload) : 0}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};

	if (TEMP_FAILURE_RETRY(sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0)
		return hull_error_errno(err, "send to container process");
	return 0;
}

int sync_recv(int fd, enum sync_type *type, int32_t *value, char **payload, struct hull_error **err)
{
	struct sync_header h;
	ssize_t size = TEMP_FAILURE_RETRY(recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC));
	char *buf;

	if (size < 0)
		return hull_error_errno(err, "receive from container process");
	if (size == 0)
		return hull_error_fail(err, EPIPE, "the container process exited during setup");
	if ((size_t)size < sizeof(h))
		return hull_error_fail(err, EBADMSG, "receive from container process: short message");
	buf = malloc(size + 1);
	if (buf == NULL)
		return hull_error_set(err, ENOMEM, "receive from container process");
	if (TEMP_FAILURE_RETRY(recv(fd, buf, size, 0)) != size) {
		free(buf);
		return hull_error_errno(err, "receive from container process");
	}
	buf[size] = '\0';
	memcpy(&h, buf, sizeof(h));
	*type = h.type;
	if (value)
		*value = h.value;
	if (payload) {
		*payload = NULL;
		if ((size_t)size > sizeof(h)) {
			memmove(buf, buf + sizeof(h), size - sizeof(h) + 1);
			*payload = buf;
			buf = NULL;
		}
	}
	free(buf);
	return 0;
}

int sync_expect(int fd, enum sync_type expected, int32_t *value, char **payload, struct hull_error **err)
{
	enum sync_type type;
	char *text = NULL;
	int32_t v = 0;
	int ret = sync_recv(fd, &type, &v, &text, err);

	if (ret < 0)
		return ret;
	if (type == SYNC_ERROR) {
		/* The message already names the cause: keep the errno without appending it again. */
		hull_error_set(err, 0, "%s", text ? text : "container setup failed");
		if (err && *err && v > 0)
			(*err)->errnum = v;
		free(text);
		return err && *err ? hull_error_code(*err) : -1;
	}
	if (type != expected) {
		free(text);
		return hull_error_fail(err, EBADMSG, "container process: unexpected message %d (wanted %d)",
				       type, expected);
	}
	if (value)
		*value = v;
	if (payload)
		*payload = text;
	else
		free(text);
	return 0;
}
