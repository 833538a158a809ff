/* Content digests ("sha256:<hex>") as they appear in manifests and become file names in the store. */
#ifndef HULL_IMAGE_DIGEST_H
#define HULL_IMAGE_DIGEST_H

#include "util/error.h"

/* Accepts only the algorithms hull can verify, sha256 (64 hex digits) and sha512 (128), in lower case:
 * anything else could not be checked and might not be a safe file name. */
int digest_validate(const char *digest, struct hull_error **err);

#endif
