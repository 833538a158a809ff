/* Turns a runtime-spec mount's option list into mount(2) arguments. */
#ifndef HULL_LINUX_MOUNT_OPTIONS_H
#define HULL_LINUX_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct mount_options {
	unsigned long flags;	   /* MS_* to set */
	unsigned long propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, with MS_REC */
	bool bind;
	bool recursive;		 /* rbind */
	bool recursive_readonly; /* rro: read-only on every submount too, through mount_setattr */
	bool idmap;		 /* idmap or ridmap: an id-mapped bind (linux/mount_sources.c) */
	bool idmap_recursive;	 /* ridmap: every submount of an rbind id-mapped too */
	char *data;		 /* filesystem-specific options, comma-separated; NULL when none */
};

/* `type` may be NULL; "bind" as a type means a bind mount.  Unknown options are passed to the filesystem. */
int mount_options_parse(const char *type, const char *const *options, size_t n_options,
			struct mount_options *out, struct hull_error **err);

void mount_options_free(struct mount_options *o);

/* "rslave" and friends to MS_* flags; -EINVAL for an unknown name. */
int mount_propagation_from_name(const char *name, unsigned long *flags);

#endif
