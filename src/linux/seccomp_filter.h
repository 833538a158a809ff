/* linux.seccomp with libseccomp.
 *
 * The filter is built from config.json by the runtime before the container's process exists, so that an
 * unknown action, architecture, flag or operator fails `create` before anything is set up; the process
 * loads it as late as possible (just before execve, or just before giving up its capabilities when it
 * has no no_new_privs and so needs CAP_SYS_ADMIN to load one). */
#ifndef HULL_LINUX_SECCOMP_FILTER_H
#define HULL_LINUX_SECCOMP_FILTER_H

#include <stdbool.h>

#include <json-c/json.h>

#include "util/error.h"

struct seccomp_filter;

/* Builds the filter; *out is NULL when the config has none.  With cache_dir (a directory the caller owns
 * alone, made on first use), compiled programs are kept there and reused for the same profile text. */
int seccomp_filter_build(json_object *seccomp, const char *cache_dir, struct seccomp_filter **out,
			 struct hull_error **err);

/* The unix socket to which a filter with SCMP_ACT_NOTIFY rules sends its listener, NULL without one. */
const char *seccomp_filter_listener_path(const struct seccomp_filter *f);
const char *seccomp_filter_listener_metadata(const struct seccomp_filter *f);

/* Loads the filter into the calling process.  With notify rules, *notify_fd receives the listener. */
int seccomp_filter_load(struct seccomp_filter *f, int *notify_fd, struct hull_error **err);

void seccomp_filter_free(struct seccomp_filter *f);

#endif
