/* Applying an image layer (a tar stream, plain, gzip or zstd) onto a root directory.
 *
 * Nothing is ever written outside the root: every parent directory is resolved with
 * openat2(RESOLVE_IN_ROOT) from the root's descriptor and every entry is made relative to that parent by
 * its last path component alone, never following a symlink the layer (or an earlier one) planted.  OCI
 * whiteouts (`.wh.NAME`, `.wh..wh..opq`) remove what earlier layers left; hard links point only at files
 * inside the root; ownership, modes (after ownership, so setuid bits stay), xattrs and mtimes are kept. */
#ifndef HULL_IMAGE_UNPACK_H
#define HULL_IMAGE_UNPACK_H

#include <stdint.h>

#include "util/error.h"

struct unpack_limits {
	uint64_t max_bytes;   /* file contents written, in total (0: 64 GiB) */
	uint64_t max_entries; /* entries (0: 4 million) */
};

/* Reads the layer from layer_fd and applies it to the directory root_fd.  On error the root may hold part
 * of the layer (the caller unpacks into a directory of its own and discards it). */
int image_unpack_layer(int root_fd, int layer_fd, const struct unpack_limits *limits,
		       struct hull_error **err);

#endif
