/* An OCI bundle from a stored image: DIR/rootfs is an overlay mount of the image's unpacked layers with a
 * writable layer of the bundle's own (DIR/.hull-upper, DIR/.hull-work), and DIR/config.json is the
 * default runtime config filled in from the image config, ready for `hull-runtime run`. */
#ifndef HULL_IMAGE_BUNDLE_H
#define HULL_IMAGE_BUNDLE_H

#include "image/local_image.h"
#include "image/store.h"

/* overrides (NULL for none) is an image config's "config" object whose members replace the image's: a
 * "Cmd" for the arguments after the image of `docker run`, an "Entrypoint", the whole "Env", "User",
 * "WorkingDir". */
int image_bundle_create(struct store *s, const char *image, const char *dir, json_object *overrides,
			struct hull_error **err);

/* The overlay mount's lowerdir for the image (malloc'd): its layers top first, down to the first whose
 * root is opaque (the layers under that one are gone). */
char *image_bundle_lower_dirs(struct store *s, const struct local_image *img);

/* Mounts DIR/rootfs again (after a reboot, say) for a bundle image_bundle_create made of image. */
int image_bundle_mount(struct store *s, const char *image, const char *dir, struct hull_error **err);

/* Unmounts DIR/rootfs and removes the bundle directory. */
int image_bundle_remove(struct store *s, const char *dir, struct hull_error **err);

#endif
