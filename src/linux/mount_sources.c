#include "linux/mount_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include "linux/mount_options.h"
#include "util/cleanup.h"
#include "util/log.h"

int mount_sources_open(const struct oci_spec *spec, const char *bundle, struct mount_sources *out,
		       struct hull_error **err)
{
	cleanup_close int bundle_fd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);

	out->n = 0;
	out->fds = calloc(spec->n_mounts + 1, sizeof(int));
	if (out->fds == NULL)
		return hull_error_set(err, ENOMEM, "mount sources");
	if (bundle_fd < 0)
		return hull_error_errno(err, "open bundle `%s`", bundle);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		struct mount_options o;
		bool bind = false, recursive = false;
		int fd = -1;

		/* Options the init refuses are refused there, with the mount named. */
		if (mount_options_parse(m->type, m->options, m->n_options, &o, NULL) == 0) {
			bind = o.bind && m->source;
			recursive = o.recursive;
			mount_options_free(&o);
		}
		if (bind) {
			fd = (int)syscall(SYS_open_tree, bundle_fd, m->source,
					  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
			if (fd < 0)
				hull_log_debug("mount `%s`: source `%s` is bound by path in the container "
					       "(open_tree: %s)",
					       m->destination, m->source, strerror(errno));
		}
		out->fds[i] = fd;
		out->n = i + 1;
	}
	return 0;
}

void mount_sources_close(struct mount_sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->n = 0;
}
