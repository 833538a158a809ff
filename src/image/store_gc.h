/* Removing images from the store and what no image needs any more. */
#ifndef HULL_IMAGE_STORE_GC_H
#define HULL_IMAGE_STORE_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/store.h"

/* Points name (a reference, NULL for none) at the stored image manifest_digest, in place of whatever the
 * name pointed at. */
int store_name_image(struct store *s, const char *name, const char *manifest_digest, struct hull_error **err);

/* Points name (a reference) at the manifest the image `source` (name or id) points at. */
int store_tag(struct store *s, const char *source, const char *name, struct hull_error **err);

/* Removes a name; given an id, every name of that image, which needs force when there are several (as
 * Docker asks).  *removed lists how many names went. */
int store_untag(struct store *s, const char *name_or_id, bool force, size_t *removed,
		struct hull_error **err);

/* Bundles made from an image keep its layers from collection: a reference file per bundle directory. */
int store_bundle_ref_add(struct store *s, const char *bundle_dir, const char *manifest_digest,
			 struct hull_error **err);
void store_bundle_ref_remove(struct store *s, const char *bundle_dir);

struct gc_report {
	size_t blobs, layers, partials;
	uint64_t bytes;
};

/* Removes blobs and layers that no tagged image and no live bundle needs, and leftovers under tmp/.
 * The store must be open exclusively. */
int store_gc(struct store *s, struct gc_report *report, struct hull_error **err);

/* After a failed pull: removes those of the named blobs and unpacked layers (digests and chain ids; NULL
 * entries are skipped) that no image and no live bundle needs, so the store is as the pull found it.
 * Done only when no other command has the store open (gc.lock is taken exclusively without waiting);
 * otherwise they stay until `hull image prune`. */
void store_drop_unused(struct store *s, const char *const *blobs, size_t n_blobs, const char *const *layers,
		       size_t n_layers);

#endif
