/* A container's writable layer: copied into another's (hull machine clone), moved to another
 * (a machine made anew with changed settings), or kept as it is under a layer of one run's own that is
 * thrown away afterwards (hull machine start --ephemeral). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/copy_tree.h"
#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "image/bundle.h"
#include "util/json.h"
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

int engine_move_layer(struct engine *e, const struct app_container *from, const struct app_container *to,
		      struct hull_error **err)
{
	cleanup_free char *src = engine_path(e, from->id, "bundle/.hull-upper"),
			  *dst = engine_path(e, to->id, "bundle/.hull-upper"),
			  *from_root = engine_path(e, from->id, "bundle/rootfs"),
			  *to_root = engine_path(e, to->id, "bundle/rootfs"),
			  *from_log = engine_path(e, from->id, "container.log"),
			  *to_log = engine_path(e, to->id, "container.log");

	if (src == NULL || dst == NULL || from_root == NULL || to_root == NULL || from_log == NULL ||
	    to_log == NULL)
		return hull_error_set(err, ENOMEM, "move layer");
	if (engine_running(e, from, NULL) || engine_running(e, to, NULL))
		return hull_error_fail(err, EBUSY, "move layer: `%s` or `%s` is running",
				       app_container_name(from), app_container_name(to));
	if ((umount2(from_root, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) ||
	    (umount2(to_root, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT))
		return hull_error_errno(err, "move layer: unmount a root");
	/* to's layer is new and empty, so rename(2) replaces it; from keeps an empty one, which its bundle's
	 * removal looks for.  The console log goes along: it is the machine's. */
	if (rename(src, dst) < 0)
		return hull_error_errno(err, "move the writable layer of `%s`", app_container_name(from));
	if (mkdir(src, 0755) < 0)
		return hull_error_errno(err, "move layer: `%s`", src);
	if (rename(from_log, to_log) < 0 && errno != ENOENT)
		return hull_error_errno(err, "move the log of `%s`", app_container_name(from));
	return 0;
}

static char *ephemeral_mark(struct engine *e, const struct app_container *c)
{
	return engine_path(e, c->id, "ephemeral");
}

bool engine_ephemeral(struct engine *e, const struct app_container *c)
{
	cleanup_free char *mark = ephemeral_mark(e, c);
	return mark && access(mark, F_OK) == 0;
}

int engine_discard_ephemeral(struct engine *e, const struct app_container *c, struct hull_error **err)
{
	cleanup_free char *mark = ephemeral_mark(e, c), *bundle = engine_path(e, c->id, "bundle"),
			  *rootfs = engine_path(e, c->id, "bundle/rootfs");

	if (mark == NULL || bundle == NULL || rootfs == NULL)
		return hull_error_set(err, ENOMEM, "ephemeral");
	if (access(mark, F_OK) < 0 || engine_running(e, c, NULL))
		return 0;
	/* The root was the throwaway layer's: unmounted, the next start mounts the container's own. */
	if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return hull_error_errno(err, "unmount the ephemeral root of `%s`", app_container_name(c));
	image_bundle_discard_ephemeral(bundle);
	unlink(mark);
	return 0;
}

int engine_root_ephemeral(struct engine *e, const struct app_container *c, const char *bundle,
			  struct hull_error **err)
{
	cleanup_free char *mark = ephemeral_mark(e, c), *rootfs = NULL;
	int ret;

	if (mark == NULL || asprintf(&rootfs, "%s/rootfs", bundle) < 0)
		return hull_error_set(err, ENOMEM, "ephemeral");
	if ((ret = engine_discard_ephemeral(e, c, err)) < 0)
		return ret;
	if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return hull_error_errno(err, "unmount `%s`", rootfs);
	/* Marked first: a crash between the two leaves a mark that the next start or rm cleans up. */
	{
		int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return hull_error_errno(err, "`%s`", mark);
		close(fd);
	}
	if ((ret = image_bundle_mount_ephemeral(e->store, json_get_string(c->doc, "ImageDigest", ""), bundle,
						err)) < 0) {
		unlink(mark);
		return ret;
	}
	return 0;
}
