#include "linux/capabilities.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "util/fs.h"
#include "util/log.h"

int capabilities_last(void)
{
	static int last = -1;
	char *text = NULL;

	if (last >= 0)
		return last;
	if (fs_read_file(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &text, NULL, NULL) == 0) {
		last = atoi(text);
		free(text);
	} else {
		last = CAP_LAST_CAP;
	}
	return last;
}

const char *capabilities_name(int cap, char buf[64])
{
	char *name;

	if (cap < 0 || cap > CAP_LAST_CAP)
		return NULL;
	name = cap_to_name(cap);
	if (name == NULL)
		return NULL;
	snprintf(buf, 64, "%s", name);
	cap_free(name);
	for (char *p = buf; *p; p++)
		*p = toupper((unsigned char)*p);
	return buf;
}

int capabilities_resolve(const struct oci_process *process, struct capability_plan *out,
			 struct hull_error **err)
{
	static const char *const set_names[OCI_CAP_SETS] = {"bounding", "effective", "inheritable",
							    "permitted", "ambient"};
	memset(out, 0, sizeof(*out));
	if (process == NULL || !process->has_capabilities)
		return 0;
	out->present = true;
	for (int s = 0; s < OCI_CAP_SETS; s++) {
		for (size_t i = 0; i < process->n_capabilities[s]; i++) {
			const char *name = process->capabilities[s][i];
			char lower[64];
			cap_value_t cap;
			size_t n = strlen(name);

			if (n >= sizeof(lower) || strncasecmp(name, "CAP_", 4) != 0)
				return hull_error_invalid(err,
							  "process.capabilities.%s: unknown capability `%s`",
							  set_names[s], name);
			for (size_t k = 0; k <= n; k++)
				lower[k] = tolower((unsigned char)name[k]);
			if (cap_from_name(lower, &cap) < 0)
				return hull_error_invalid(err,
							  "process.capabilities.%s: unknown capability `%s`",
							  set_names[s], name);
			if (cap > capabilities_last()) {
				hull_log_warning("capability %s is not known to the running kernel: ignored",
						 name);
				continue;
			}
			out->sets[s] |= UINT64_C(1) << cap;
		}
	}
	return 0;
}

int capabilities_drop_bounding(const struct capability_plan *plan, struct hull_error **err)
{
	if (!plan->present)
		return 0;
	for (int cap = 0; cap <= capabilities_last(); cap++) {
		if (plan->sets[OCI_CAP_BOUNDING] & (UINT64_C(1) << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			char buf[64];
			return hull_error_errno(err, "drop %s from the bounding set",
						capabilities_name(cap, buf));
		}
	}
	return 0;
}

int capabilities_apply(const struct capability_plan *plan, struct hull_error **err)
{
	static const struct {
		enum oci_cap_set set;
		cap_flag_t flag;
	} flags[] = {{OCI_CAP_EFFECTIVE, CAP_EFFECTIVE},
		     {OCI_CAP_PERMITTED, CAP_PERMITTED},
		     {OCI_CAP_INHERITABLE, CAP_INHERITABLE}};
	cap_t caps;
	int ret = 0;

	if (!plan->present)
		return 0;
	caps = cap_init();
	if (caps == NULL)
		return hull_error_errno(err, "capabilities");
	for (int cap = 0; cap <= capabilities_last() && cap <= CAP_LAST_CAP; cap++) {
		cap_value_t value = cap;
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			if (plan->sets[flags[f].set] & (UINT64_C(1) << cap))
				cap_set_flag(caps, flags[f].flag, 1, &value, CAP_SET);
	}
	if (cap_set_proc(caps) < 0)
		ret = hull_error_errno(err, "set capabilities");
	cap_free(caps);
	if (ret < 0)
		return ret;
	/* Ambient capabilities survive execve for a non-root user; each must be permitted and inheritable. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return hull_error_errno(err, "clear ambient capabilities");
	for (int cap = 0; cap <= capabilities_last(); cap++) {
		if (!(plan->sets[OCI_CAP_AMBIENT] & (UINT64_C(1) << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
			char buf[64];
			return hull_error_errno(err,
						"raise ambient %s (it must be permitted and inheritable too)",
						capabilities_name(cap, buf));
		}
	}
	return 0;
}
