/* Messages between the runtime and the container's first process during create and start.
 *
 * A SOCK_SEQPACKET pair: every message arrives whole or not at all, and end-of-file tells the runtime that
 * the other side is gone (it died, or it executed the container's program: the socket is close-on-exec). */
#ifndef HULL_RUNTIME_SYNC_H
#define HULL_RUNTIME_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum sync_type {
	SYNC_CONTINUE = 1, /* runtime -> init: go on (value: its pid as the runtime sees it; payload: the
			      state document, for hooks inside) */
	SYNC_USERNS,	   /* intermediate -> runtime: write the id maps of my user namespace (value: pid) */
	SYNC_PID,	   /* intermediate -> runtime: the init's pid (value) */
	SYNC_HOOKS,	   /* init -> runtime: run prestart and createRuntime hooks now */
	SYNC_READY,	   /* init -> runtime: set up, waiting for start */
	SYNC_START,	   /* runtime -> init: execute the program */
	SYNC_ERROR,	   /* either way: failed (payload: the message) */
};

int sync_send(int fd, enum sync_type type, int32_t value, const char *payload, struct hull_error **err);

/* Receives one message; *payload is malloc'd and NUL-terminated (NULL when empty).  End-of-file is -EPIPE. */
int sync_recv(int fd, enum sync_type *type, int32_t *value, char **payload, struct hull_error **err);

/* Receives and requires a type; a SYNC_ERROR becomes the error. */
int sync_expect(int fd, enum sync_type type, int32_t *value, char **payload, struct hull_error **err);

#endif
