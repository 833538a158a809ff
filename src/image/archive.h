/* Images as tar archives: `save` writes an OCI image layout (oci-archive) or, for Docker, the same layout
 * with Docker's manifest.json beside it (docker-archive, as Docker 25 writes it); `load` reads either, and
 * the older docker-archive layout (<id>/layer.tar, <id>.json, manifest.json) too.  Every blob read is
 * checked against its digest before it is kept; names of entries are never used as paths. */
#ifndef HULL_IMAGE_ARCHIVE_H
#define HULL_IMAGE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "image/store.h"

enum archive_format { ARCHIVE_OCI, ARCHIVE_DOCKER };

/* Writes the images (names or ids) to out_fd. */
int image_save(struct store *s, const char *const *images, size_t n, enum archive_format format, int out_fd,
	       struct hull_error **err);

/* Called for each image loaded, with its name (NULL when it has none) and manifest digest. */
typedef void (*image_loaded_fn)(void *arg, const char *name, const char *manifest_digest);

/* Reads an archive (plain, gzip or zstd) from in_fd into the store and names what it holds. */
int image_load(struct store *s, int in_fd, image_loaded_fn loaded, void *arg, struct hull_error **err);

#endif
