/* Who hull runs as: root of the host, or an unprivileged user (directly, or as root of the user namespace
 * that linux/pause.c holds for that user's hull commands). */
#ifndef HULL_UTIL_ROOTLESS_H
#define HULL_UTIL_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

/* True in a user namespace other than the initial one (its uid_map is not the whole identity). */
bool rootless_nested(void);

/* True for an unprivileged user, inside a user namespace or not: what it owns on the host is only its own. */
bool rootless(void);

/* The caller's uid on the host: its effective uid, or in a user namespace the host id that our 0 maps to
 * (geteuid() there says 0). */
uid_t rootless_host_uid(void);

/* The directory of the user's runtime state: $XDG_RUNTIME_DIR/hull, else /tmp/hull-run-UID.  Not created. */
const char *rootless_run_dir(void);

#endif
