/* Whole writes to descriptors that may take them in parts (pipes, ptys, sockets). */
#ifndef HULL_UTIL_FDIO_H
#define HULL_UTIL_FDIO_H

#include <stddef.h>

/* Writes all of data, retrying after EINTR and short writes: 0, or -errno (-EPIPE when nothing reads). */
int fd_write_all(int fd, const void *data, size_t len);

#endif
