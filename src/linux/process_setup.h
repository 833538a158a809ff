/* The attributes of the container process that are not namespaces or mounts: limits, identity, the
 * final execve. */
#ifndef HULL_LINUX_PROCESS_SETUP_H
#define HULL_LINUX_PROCESS_SETUP_H

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

int process_set_rlimits(const struct oci_process *p, struct hull_error **err);
int process_set_oom_score_adj(const struct oci_process *p, struct hull_error **err);

/* Supplementary groups, gid and uid.  Capabilities are kept across the switch (PR_SET_KEEPCAPS) so that
 * capabilities_apply can set them for the new user afterwards. */
int process_set_user(const struct oci_process *p, bool setgroups_allowed, struct hull_error **err);

/* Writes linux.sysctl under /proc/sys (inside the container, after its /proc is mounted). */
int process_set_sysctl(const struct oci_spec *spec, struct hull_error **err);

/* Finds args[0] on the PATH of the container's environment (not the runtime's) and executes it.  Returns
 * only on failure. */
int process_exec(const struct oci_process *p, const char *const *extra_env, struct hull_error **err);

#endif
