/* Unix sockets: descriptor passing and the short messages between the runtime and the container's first
 * process. */
#ifndef HULL_UTIL_SOCKET_H
#define HULL_UTIL_SOCKET_H

#include <stddef.h>

#include "util/error.h"

/* Sends one descriptor with SCM_RIGHTS (and a one-byte payload). */
int socket_send_fd(int sock, int fd, struct hull_error **err);
/* The same with a payload (the seccomp listener gets the container process state with its descriptor). */
int socket_send_fd_with(int sock, int fd, const void *data, size_t len, struct hull_error **err);
int socket_recv_fd(int sock, int *fd, struct hull_error **err);

/* Several descriptors in one message (up to SOCKET_MAX_FDS): hull attach hands its stdio over. */
#define SOCKET_MAX_FDS 4
int socket_send_fds_with(int sock, const int *fds, size_t n_fds, const void *data, size_t len,
			 struct hull_error **err);
/* *n_fds: how many came (none is not an error); more than max_fds are refused as a cut message. */
int socket_recv_fds_with(int sock, int *fds, size_t max_fds, size_t *n_fds, void *data, size_t size,
			 size_t *len, struct hull_error **err);
/* Receives a message of up to size bytes (*len: its length; a longer one is refused) and the descriptor
 * it carries, or *fd -1 when it carries none. */
int socket_recv_fd_with(int sock, int *fd, void *data, size_t size, size_t *len, struct hull_error **err);

/* Connects to a unix socket path of any length: long paths are reached through their directory's
 * descriptor (/proc/self/fd/N/name), since sun_path holds only 108 bytes. */
int socket_connect_path(const char *path, int type, struct hull_error **err);

/* Creates a listening socket at dirfd/name (SOCK_SEQPACKET, or type). */
int socket_listen_at(int dirfd, const char *name, struct hull_error **err);
int socket_listen_at_type(int dirfd, const char *name, int type, struct hull_error **err);
int socket_connect_at(int dirfd, const char *name, struct hull_error **err);

#endif
