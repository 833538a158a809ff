/* hull attach: a user's terminal joins a running container through DIR/attach.sock.  The client sends
 * one message, "attach" or "attach stdin", carrying its stdin, stdout and stderr; the monitor copies the
 * container's output to them and, with "stdin", what is typed to the container (its pty or its stdin
 * pipe), with Docker's detach keys.  The client then sends "winch" when its window changes; the monitor
 * ends with one message, "detached" or "exit CODE".  One client at a time: another is turned away. */
#ifndef HULL_MONITOR_ATTACH_H
#define HULL_MONITOR_ATTACH_H

#include <stdbool.h>

struct attach_client {
	int sock;   /* -1: nobody attached */
	int fds[3]; /* the client's stdin, stdout, stderr */
	bool stdin_wanted;
};

/* DIR/attach.sock, listening; -1 when it cannot be made (attach is then refused, the container runs). */
int attach_listen(int dir_fd);

/* Takes the next connection into c (free): true when its message was right. */
bool attach_accept(int listen_fd, struct attach_client *c);

/* Turns the next connection away with "busy" (someone is attached, or the container has ended). */
void attach_refuse(int listen_fd);

/* Reads the client's next message: 1 for "winch", -1 when it left, 0 otherwise. */
int attach_read(struct attach_client *c);

/* Sends the last line (NULL: none) and lets the client go. */
void attach_release(struct attach_client *c, const char *last);

#endif
