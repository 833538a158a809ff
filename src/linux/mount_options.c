#include "linux/mount_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "util/cleanup.h"

struct option_flag {
	const char *name;
	bool clear; /* the option clears the flag instead of setting it */
	unsigned long flag;
};

/* The options mount(8) and runc know as flags rather than filesystem data. */
static const struct option_flag option_flags[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
};

static const struct {
	const char *name;
	unsigned long flags;
} propagation_options[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

int mount_propagation_from_name(const char *name, unsigned long *flags)
{
	for (size_t i = 0; i < sizeof(propagation_options) / sizeof(propagation_options[0]); i++)
		if (strcmp(name, propagation_options[i].name) == 0) {
			*flags = propagation_options[i].flags;
			return 0;
		}
	return -EINVAL;
}

static int append_data(char **data, const char *option)
{
	size_t old = *data ? strlen(*data) : 0, add = strlen(option);
	char *bigger = realloc(*data, old + add + 2);

	if (bigger == NULL)
		return -ENOMEM;
	if (old)
		bigger[old++] = ',';
	memcpy(bigger + old, option, add + 1);
	*data = bigger;
	return 0;
}

static bool apply_flag_option(const char *option, struct mount_options *out)
{
	for (size_t i = 0; i < sizeof(option_flags) / sizeof(option_flags[0]); i++) {
		if (strcmp(option, option_flags[i].name) != 0)
			continue;
		if (option_flags[i].clear)
			out->flags &= ~option_flags[i].flag;
		else
			out->flags |= option_flags[i].flag;
		return true;
	}
	return false;
}

int mount_options_parse(const char *type, const char *const *options, size_t n_options,
			struct mount_options *out, struct hull_error **err)
{
	memset(out, 0, sizeof(*out));
	if (type && strcmp(type, "bind") == 0)
		out->bind = true;
	for (size_t i = 0; i < n_options; i++) {
		const char *o = options[i];
		unsigned long propagation;

		if (strcmp(o, "bind") == 0) {
			out->bind = true;
		} else if (strcmp(o, "rbind") == 0) {
			out->bind = out->recursive = true;
		} else if (strcmp(o, "idmap") == 0) {
			out->idmap = true;
		} else if (strcmp(o, "ridmap") == 0) {
			out->idmap = out->idmap_recursive = true;
		} else if (strcmp(o, "rro") == 0) {
			out->recursive_readonly = true;
			out->flags |= MS_RDONLY;
		} else if (mount_propagation_from_name(o, &propagation) == 0) {
			out->propagation = propagation;
		} else if (apply_flag_option(o, out)) {
			continue;
		} else if (*o == '\0') {
			continue;
		} else if (append_data(&out->data, o) < 0) {
			mount_options_free(out);
			return hull_error_set(err, ENOMEM, "mount options");
		}
	}
	return 0;
}

void mount_options_free(struct mount_options *o)
{
	free(o->data);
	o->data = NULL;
}
