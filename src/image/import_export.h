/* Root filesystems as plain tarballs: `import` makes a one-layer image of one, `export` writes an image's
 * flattened root filesystem as one. */
#ifndef HULL_IMAGE_IMPORT_EXPORT_H
#define HULL_IMAGE_IMPORT_EXPORT_H

#include "image/digest.h"
#include "image/store.h"

/* Reads a tarball (plain, gzip or zstd) from in_fd and stores it as the single layer of a new image named
 * name (NULL: no name); manifest_digest receives the image. */
int image_import(struct store *s, int in_fd, const char *name, char manifest_digest[DIGEST_MAX],
		 struct hull_error **err);

/* Writes the image's root filesystem, its layers applied in order, as a tar stream to out_fd. */
int image_export(struct store *s, const char *image, int out_fd, struct hull_error **err);

#endif
