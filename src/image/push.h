/* Pushing a stored image to a registry: its blobs first (skipped when the registry has them, mounted from
 * another repository of the same registry when the image came from there, else uploaded whole), then its
 * manifest, byte for byte, so the image keeps its digest. */
#ifndef HULL_IMAGE_PUSH_H
#define HULL_IMAGE_PUSH_H

#include "image/digest.h"
#include "image/registry.h"
#include "image/store.h"

enum push_blob_fate { PUSH_BLOB_EXISTS, PUSH_BLOB_MOUNTED, PUSH_BLOB_UPLOADED };

struct push_observer {
	void (*blob)(void *arg, const char *digest, int64_t size, enum push_blob_fate fate);
	void *arg;
};

struct push_options {
	struct registry_options registry;
	const struct push_observer *observer;
};

/* Pushes image (a name or id in the store) to destination (a reference; NULL: the image's own name). */
int image_push(struct store *s, const char *image, const char *destination, const struct push_options *o,
	       char manifest_digest[DIGEST_MAX], struct hull_error **err);

#endif
