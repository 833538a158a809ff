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

#include <stdbool.h>

#include "image/digest.h"

struct unpack_options {
	uint64_t max_bytes;	/* file contents written, in total (0: 64 GiB) */
	const char *limit_hint; /* where max_bytes came from, for the error; NULL: none said */
	uint64_t max_entries;	/* entries (0: 4 million) */
	/* Records whiteouts the way overlayfs reads them (a 0/0 character device; the opaque xattr of
	 * image_overlay_opaque_xattr() on an opaque directory) instead of applying them: the layer is
	 * unpacked alone into a directory of its own that becomes one lower layer of an overlay mount. */
	bool overlay;
	/* When set, receives the layer's diff id: the digest of its uncompressed tar stream. */
	char *diff_id;
};

/* trusted.overlay.opaque as root; user.overlay.opaque in a user namespace, where trusted.* cannot be set
 * and overlay is mounted with userxattr. */
const char *image_overlay_opaque_xattr(void);

/* Reads the layer from layer_fd and applies it to the directory root_fd.  On error the root may hold part
 * of the layer (the caller unpacks into a directory of its own and discards it).  The stream is read to
 * its end even when the tar archive ends earlier, so the diff id covers it all and a writer feeding a pipe
 * is never cut off. */
int image_unpack_layer(int root_fd, int layer_fd, const struct unpack_options *options,
		       struct hull_error **err);

#endif
