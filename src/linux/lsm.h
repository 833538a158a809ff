/* AppArmor profiles and SELinux labels for the next execve, through /proc/thread-self/attr. */
#ifndef HULL_LINUX_LSM_H
#define HULL_LINUX_LSM_H

#include "util/error.h"

/* Refuses a profile or label for a security module this host does not run: a container asked to be
 * confined must not run unconfined (fail closed), and the refusal comes before anything exists. */
int lsm_check_available(const char *apparmor_profile, const char *selinux_label, struct hull_error **err);

/* Sets what the process becomes at its next execve (after lsm_check_available); the module refuses an
 * unknown profile or label with the kernel's error. */
int lsm_set_exec_labels(const char *apparmor_profile, const char *selinux_label, struct hull_error **err);

#endif
