/* Unpacking a layer into the store: into a fresh directory under tmp/, checked against the diff id the
 * image config names, then moved into place under its chain id.  Shared by pull (from the network), load
 * and import (from blobs already stored). */
#ifndef HULL_IMAGE_LAYER_STORE_H
#define HULL_IMAGE_LAYER_STORE_H

#include "image/store.h"

/* Reads the layer stream from fd.  Its content may not exceed s->max_layer_bytes, or by default the store's
 * free space less 5% of its file system and less beside, what the caller writes there meanwhile. */
int layer_store_unpack(struct store *s, int fd, const char *diff_id, const char *chain_id, uint64_t beside,
		       struct hull_error **err);

/* As layer_store_unpack, for a layer no config describes yet (import): its diff id, which is also its
 * chain id as the only layer, is whatever the stream turns out to hold. */
int layer_store_unpack_new(struct store *s, int fd, char diff_id[DIGEST_MAX], struct hull_error **err);

/* The OCI media type of a stored layer blob, from its first bytes: tar, tar+gzip or tar+zstd. */
const char *layer_store_media_type(struct store *s, const char *blob_digest);

/* Reads the layer from its stored blob. */
int layer_store_unpack_blob(struct store *s, const char *blob_digest, const char *diff_id,
			    const char *chain_id, struct hull_error **err);

/* Unpacks the layers of a stored image that the store does not have yet (after load or import). */
struct local_image;
int layer_store_unpack_missing(struct store *s, const struct local_image *img, struct hull_error **err);

#endif
