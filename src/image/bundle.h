/* An OCI bundle from a stored image: DIR/rootfs is an overlay mount of the image's unpacked layers with a
 * writable layer of the bundle's own (DIR/.hull-upper, DIR/.hull-work), and DIR/config.json is the
 * default runtime config filled in from the image config, ready for `hull-runtime run`. */
#ifndef HULL_IMAGE_BUNDLE_H
#define HULL_IMAGE_BUNDLE_H

#include <stdint.h>

#include "image/local_image.h"
#include "image/store.h"

/* A bundle whose container runs in a user namespace of its own (hull run --userns): container ids 0 to
 * size-1 are host ids uid..uid+size-1 (gid likewise).  Each layer is then an id-mapped mount of its own
 * (DIR/.hull-lower/N) under the overlay, so the image's root-owned files are the container's root's, and
 * the writable layer's root is owned by the container's root. */
struct bundle_idmap {
	uint32_t uid, gid, size;
};

/* overrides (NULL for none) is an image config's "config" object whose members replace the image's: a
 * "Cmd" for the arguments after the image of `docker run`, an "Entrypoint", the whole "Env", "User",
 * "WorkingDir". */
int image_bundle_create(struct store *s, const char *image, const char *dir, json_object *overrides,
			const struct bundle_idmap *idmap, struct hull_error **err);

/* The overlay mount's lowerdir for the image (malloc'd): its layers top first, down to the first whose
 * root is opaque (the layers under that one are gone). */
char *image_bundle_lower_dirs(struct store *s, const struct local_image *img);

/* Mounts DIR/rootfs again (after a reboot, say) for a bundle image_bundle_create made of image. */
int image_bundle_mount(struct store *s, const char *image, const char *dir, const struct bundle_idmap *idmap,
		       struct hull_error **err);

/* Mounts DIR/rootfs (unmounted) so that its changes go to DIR/.hull-ephemeral, a layer thrown away later,
 * over the bundle's own writable layer, which stays as it was. */
int image_bundle_mount_ephemeral(struct store *s, const char *image, const char *dir,
				 struct hull_error **err);
/* Removes DIR/.hull-ephemeral (the root not mounted on it any more). */
void image_bundle_discard_ephemeral(const char *dir);

/* Unmounts DIR/rootfs (and the id-mapped layers under it) and removes the bundle directory. */
int image_bundle_remove(struct store *s, const char *dir, struct hull_error **err);

#endif
