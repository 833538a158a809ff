#include "linux/mount_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include "linux/mount_options.h"
#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/log.h"

/* The mount's own mappings, else the container's (runc's `idmap` without mappings). */
static int idmap_userns(const struct oci_spec *spec, const struct oci_mount *m, const char *what,
			struct hull_error **err)
{
	const struct oci_linux *l = &spec->linux_;

	if (m->n_uid_mappings)
		return namespaces_open_mapped_userns(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
						     m->n_gid_mappings, err);
	if (l->n_uid_mappings && l->n_gid_mappings)
		return namespaces_open_mapped_userns(l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
						     l->n_gid_mappings, err);
	return hull_error_invalid(
	    err, "%s: no mappings (the mount has none and the container no user namespace)", what);
}

static int make_idmapped(const struct oci_spec *spec, const struct oci_mount *m,
			 const struct mount_options *o, int tree_fd, const char *what,
			 struct hull_error **err)
{
	cleanup_close int userns_fd = idmap_userns(spec, m, what, err);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};

	if (userns_fd < 0)
		return userns_fd;
	attr.userns_fd = (uint64_t)userns_fd;
	if (syscall(SYS_mount_setattr, tree_fd, "", AT_EMPTY_PATH | (o->idmap_recursive ? AT_RECURSIVE : 0),
		    &attr, sizeof(attr)) < 0)
		return hull_error_errno(err, "%s: id-map `%s`", what, m->source);
	return 0;
}

/* One entry into *out: -1 when the init binds by path, else the detached (and id-mapped) tree. */
static int open_source(const struct oci_spec *spec, const struct oci_mount *m, const char *bundle,
		       bool new_user_ns, int *out, struct hull_error **err)
{
	cleanup_free char *source = NULL;
	struct mount_options o;
	char what[300];
	bool idmapped;
	int fd, ret;

	*out = -1;
	/* Options the init refuses are refused there, with the mount named. */
	if (mount_options_parse(m->type, m->options, m->n_options, &o, NULL) < 0)
		return 0;
	mount_options_free(&o);
	snprintf(what, sizeof(what), "mount `%s`", m->destination);
	idmapped = o.idmap || m->n_uid_mappings;
	if (idmapped && !(o.bind && m->source))
		return hull_error_invalid(err, "%s: only a bind mount can be id-mapped", what);
	if (!o.bind || m->source == NULL || (!idmapped && !new_user_ns))
		return 0;
	/* A relative source is the bundle's, as the init resolves it. */
	if (asprintf(&source, "%s%s%s", m->source[0] == '/' ? "" : bundle, m->source[0] == '/' ? "" : "/",
		     m->source) < 0)
		return hull_error_set(err, ENOMEM, "mount sources");
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, source,
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			      (o.recursive || o.idmap_recursive ? AT_RECURSIVE : 0));
	if (fd < 0 && idmapped)
		return hull_error_errno(err, "%s: open `%s`", what, m->source);
	if (fd < 0) {
		hull_log_debug("%s: source `%s` is bound by path in the container (open_tree: %s)", what,
			       m->source, strerror(errno));
		return 0;
	}
	if (idmapped && (ret = make_idmapped(spec, m, &o, fd, what, err)) < 0) {
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

int mount_sources_open(const struct oci_spec *spec, const char *bundle, bool new_user_ns,
		       struct mount_sources *out, struct hull_error **err)
{
	out->n = 0;
	out->fds = calloc(spec->n_mounts + 1, sizeof(int));
	if (out->fds == NULL)
		return hull_error_set(err, ENOMEM, "mount sources");
	for (size_t i = 0; i < spec->n_mounts; i++) {
		int ret = open_source(spec, &spec->mounts[i], bundle, new_user_ns, &out->fds[i], err);
		if (ret < 0)
			return ret;
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
