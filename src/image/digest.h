/* Content digests ("sha256:<hex>") as they appear in manifests and become file names in the store, and
 * the hashing that checks content against them while it streams (OpenSSL's libcrypto). */
#ifndef HULL_IMAGE_DIGEST_H
#define HULL_IMAGE_DIGEST_H

#include <stddef.h>

#include "util/error.h"

/* "sha512:" and 128 hex digits and the NUL. */
#define DIGEST_MAX 136

/* Accepts only the algorithms hull can verify, sha256 (64 hex digits) and sha512 (128), in lower case:
 * anything else could not be checked and might not be a safe file name. */
int digest_validate(const char *digest, struct hull_error **err);

/* The hex part of a validated digest (what names its file). */
const char *digest_hex(const char *digest);

/* A running hash of the algorithm a validated digest names ("sha256:..."), or sha256 when it is NULL. */
struct digester;
struct digester *digester_new(const char *like);
void digester_update(struct digester *d, const void *data, size_t len);
/* Writes "algorithm:hex" to out (DIGEST_MAX bytes); the digester can take no more data afterwards. */
void digester_final(struct digester *d, char out[DIGEST_MAX]);
void digester_free(struct digester **d);
#define cleanup_digester __attribute__((cleanup(digester_free)))

/* The digest of a buffer, with the algorithm of like (sha256 when NULL). */
void digest_buffer(const void *data, size_t len, const char *like, char out[DIGEST_MAX]);

/* The chain id of a layer on top of parent's chain (NULL for the first layer), as the OCI image spec
 * defines it: the first layer's is its diff id, each next one sha256("<parent chain id> <diff id>"). */
void digest_chain_id(const char *parent, const char *diff_id, char out[DIGEST_MAX]);

#endif
