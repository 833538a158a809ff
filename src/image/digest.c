#include "image/digest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/cleanup.h"

int digest_validate(const char *digest, struct hull_error **err)
{
	size_t want, n;
	const char *hex;

	if (digest == NULL)
		return hull_error_invalid(err, "digest: missing");
	if (strncmp(digest, "sha256:", 7) == 0) {
		hex = digest + 7;
		want = 64;
	} else if (strncmp(digest, "sha512:", 7) == 0) {
		hex = digest + 7;
		want = 128;
	} else {
		/* Only the algorithm is echoed: the rest is untrusted and could be anything. */
		return hull_error_invalid(err, "digest: unsupported algorithm (expected sha256: or sha512:)");
	}
	n = strspn(hex, "0123456789abcdef");
	if (n != want || hex[n] != '\0')
		return hull_error_invalid(err, "digest: `%.7s` must be followed by %zu lower-case hex digits",
					  digest, want);
	return 0;
}

const char *digest_hex(const char *digest)
{
	const char *colon = strchr(digest, ':');
	return colon ? colon + 1 : digest;
}

struct digester {
	EVP_MD_CTX *ctx;
	const char *name;
};

struct digester *digester_new(const char *like)
{
	struct digester *d = calloc(1, sizeof(*d));
	bool sha512 = like && strncmp(like, "sha512:", 7) == 0;

	if (d == NULL)
		return NULL;
	d->name = sha512 ? "sha512" : "sha256";
	d->ctx = EVP_MD_CTX_new();
	if (d->ctx == NULL || EVP_DigestInit_ex(d->ctx, sha512 ? EVP_sha512() : EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
		return NULL;
	}
	return d;
}

void digester_update(struct digester *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
}

void digester_final(struct digester *d, char out[DIGEST_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int w;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	w = snprintf(out, DIGEST_MAX, "%s:", d->name);
	for (unsigned int i = 0; i < n && w + 2 < DIGEST_MAX; i++)
		w += snprintf(out + w, (size_t)(DIGEST_MAX - w), "%02x", md[i]);
}

void digester_free(struct digester **d)
{
	if (*d) {
		EVP_MD_CTX_free((*d)->ctx);
		free(*d);
		*d = NULL;
	}
}

void digest_buffer(const void *data, size_t len, const char *like, char out[DIGEST_MAX])
{
	cleanup_digester struct digester *d = digester_new(like);

	if (d == NULL) {
		/* Only an allocation failure; an empty digest never matches anything. */
		out[0] = '\0';
		return;
	}
	digester_update(d, data, len);
	digester_final(d, out);
}

void digest_chain_id(const char *parent, const char *diff_id, char out[DIGEST_MAX])
{
	cleanup_free char *joined = NULL;

	if (parent == NULL) {
		snprintf(out, DIGEST_MAX, "%s", diff_id);
		return;
	}
	if (asprintf(&joined, "%s %s", parent, diff_id) < 0) {
		out[0] = '\0';
		return;
	}
	digest_buffer(joined, strlen(joined), NULL, out);
}
