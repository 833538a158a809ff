/* hull cp: files between a container's root and the host.  Every path inside the container is resolved
 * with RESOLVE_IN_ROOT (util/rootpath.c), so a symlink the container planted (`/x -> /`, `etc -> ../..`)
 * means what it means inside the container and never reaches the host's files; what is copied in is
 * created through descriptors with O_NOFOLLOW, so it cannot be redirected either. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/copy_tree.h"
#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "util/cleanup.h"
#include "util/rootpath.h"

static int open_root(struct engine *e, const struct app_container *c, struct hull_error **err)
{
	cleanup_free char *rootfs = engine_path(e, c->id, "bundle/rootfs");
	int fd;

	if (rootfs == NULL)
		return hull_error_set(err, ENOMEM, "cp");
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_error_errno(err, "cp: `%s`", rootfs);
	return fd;
}

/* The last component of a path ("." for "/"), in buf. */
static const char *base_of(const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s", path);
	return basename(buf);
}

int engine_cp_from(struct engine *e, const struct app_container *c, const char *src, const char *dst,
		   struct hull_error **err)
{
	cleanup_close int root = open_root(e, c, err), from = -1, dir = -1;
	char name_buf[4096], parent_buf[4096];
	const char *name;
	struct stat st;

	if (root < 0)
		return root;
	from = rootpath_open(root, src, O_RDONLY, err);
	if (from < 0)
		return hull_error_wrap(err, "cp `%s:%s`", app_container_name(c), src);
	/* Into an existing directory: under the source's name there; otherwise as dst itself. */
	if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode)) {
		dir = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		name = base_of(src, name_buf, sizeof(name_buf));
		if (strcmp(name, "/") == 0 || strcmp(name, ".") == 0)
			name = "rootfs";
	} else {
		snprintf(parent_buf, sizeof(parent_buf), "%s", dst);
		dir = open(dirname(parent_buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		name = base_of(dst, name_buf, sizeof(name_buf));
	}
	if (dir < 0)
		return hull_error_errno(err, "cp: `%s`", dst);
	if (copy_entry(from, dir, name, err) < 0)
		return hull_error_wrap(err, "cp `%s:%s` to `%s`", app_container_name(c), src, dst);
	return 0;
}

int engine_cp_to(struct engine *e, const struct app_container *c, const char *src, const char *dst,
		 struct hull_error **err)
{
	cleanup_close int root = open_root(e, c, err), from = -1, dir = -1;
	char name_buf[4096], parent_buf[4096];
	const char *name;

	if (root < 0)
		return root;
	from = open(src, O_RDONLY | O_CLOEXEC);
	if (from < 0)
		return hull_error_errno(err, "cp `%s`", src);
	dir = rootpath_open(root, dst, O_RDONLY | O_DIRECTORY, NULL);
	if (dir >= 0)
		name = base_of(src, name_buf, sizeof(name_buf));
	else {
		snprintf(parent_buf, sizeof(parent_buf), "%s", dst);
		dir = rootpath_open(root, dirname(parent_buf), O_RDONLY | O_DIRECTORY, err);
		if (dir < 0)
			return hull_error_wrap(err, "cp to `%s:%s`", app_container_name(c), dst);
		name = base_of(dst, name_buf, sizeof(name_buf));
	}
	if (strcmp(name, "/") == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return hull_error_invalid(err, "cp to `%s:%s`: not a name to create", app_container_name(c),
					  dst);
	if (copy_entry(from, dir, name, err) < 0)
		return hull_error_wrap(err, "cp `%s` to `%s:%s`", src, app_container_name(c), dst);
	return 0;
}
