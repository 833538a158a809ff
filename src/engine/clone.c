/* A container's writable layer copied into another's (hull machine clone). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "engine/copy_tree.h"
#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "util/cleanup.h"

int engine_copy_layer(struct engine *e, const struct app_container *from, const struct app_container *to,
		      struct hull_error **err)
{
	cleanup_free char *src = engine_path(e, from->id, "bundle/.hull-upper"),
			  *dst = engine_path(e, to->id, "bundle/.hull-upper"),
			  *rootfs = engine_path(e, to->id, "bundle/rootfs");
	cleanup_close int src_fd = -1, dst_fd = -1;

	if (src == NULL || dst == NULL || rootfs == NULL)
		return hull_error_set(err, ENOMEM, "copy layer");
	if (engine_running(e, from, NULL) || engine_running(e, to, NULL))
		return hull_error_fail(err, EBUSY, "copy layer: `%s` or `%s` is running",
				       app_container_name(from), app_container_name(to));
	/* An overlay's upper directory is not to be changed while it is mounted: the copy goes in with the
	 * root unmounted, and the next start mounts it again. */
	if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return hull_error_errno(err, "copy layer: unmount `%s`", rootfs);
	if ((src_fd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    (dst_fd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return hull_error_errno(err, "copy layer `%s`", src_fd < 0 ? src : dst);
	return copy_tree(src_fd, dst_fd, err) < 0
		   ? hull_error_wrap(err, "copy the writable layer of `%s`", app_container_name(from))
		   : 0;
}
