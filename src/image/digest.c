#include "image/digest.h"

#include <errno.h>
#include <string.h>

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
