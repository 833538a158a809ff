#include "linux/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static bool apparmor_enabled(void)
{
	cleanup_free char *text = NULL;

	return fs_read_file(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", &text, NULL, NULL) == 0 &&
	       text[0] == 'Y';
}

static bool selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int lsm_check_available(const char *apparmor_profile, const char *selinux_label, struct hull_error **err)
{
	if (apparmor_profile && *apparmor_profile && !apparmor_enabled())
		return hull_error_fail(err, ENOTSUP,
				       "process.apparmorProfile `%s`: AppArmor is not enabled on this host "
				       "(refused rather than run unconfined)",
				       apparmor_profile);
	if (selinux_label && *selinux_label && !selinux_enabled())
		return hull_error_fail(err, ENOTSUP,
				       "process.selinuxLabel `%s`: SELinux is not enabled on this host "
				       "(refused rather than run unconfined)",
				       selinux_label);
	return 0;
}

int lsm_set_exec_labels(const char *apparmor_profile, const char *selinux_label, struct hull_error **err)
{
	int ret = lsm_check_available(apparmor_profile, selinux_label, err);

	if (ret < 0)
		return ret;
	if (apparmor_profile && *apparmor_profile) {
		char text[512];
		int len = snprintf(text, sizeof(text), "exec %s", apparmor_profile);
		/* The per-module file (Linux 5.8) first; the shared one when it is missing. */
		if (fs_write_file(AT_FDCWD, "/proc/thread-self/attr/apparmor/exec", text, len, NULL) < 0 &&
		    fs_write_file(AT_FDCWD, "/proc/thread-self/attr/exec", text, len, err) < 0)
			return hull_error_wrap(err, "AppArmor profile `%s`", apparmor_profile);
	}
	if (selinux_label && *selinux_label &&
	    fs_write_file(AT_FDCWD, "/proc/thread-self/attr/exec", selinux_label, strlen(selinux_label),
			  err) < 0)
		return hull_error_wrap(err, "SELinux label `%s`", selinux_label);
	return 0;
}
