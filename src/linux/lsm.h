/* AppArmor profiles and SELinux labels for the next execve, through /proc/thread-self/attr. */
#ifndef HULL_LINUX_LSM_H
#define HULL_LINUX_LSM_H

#include "util/error.h"

/* Sets what the process becomes at its next execve.  A host without the module ignores the setting with a
 * debug message (as runc does for AppArmor when it is disabled); a host with it refuses an unknown
 * profile or label with the kernel's error. */
int lsm_set_exec_labels(const char *apparmor_profile, const char *selinux_label, struct hull_error **err);

#endif
