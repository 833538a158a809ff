/* Fuzz target: manifests and indexes as registries serve them, with and without a Content-Type.  A
 * refusal carries a message; an accepted index can be asked for the host's platform; every accepted
 * digest is one hull would use as a file name. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "image/digest.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {NULL, MEDIA_OCI_INDEX, MEDIA_DOCKER_MANIFEST "; charset=utf-8",
					    "application/json"};
	struct hull_error *err = NULL;
	struct manifest m;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		if (manifest_parse((const char *)data, size, types[t], &m, &err) < 0) {
			fuzz_check_refusal(&err);
			continue;
		}
		const struct descriptor *d = NULL;
		const char *os, *arch, *variant;
		manifest_host_platform(&os, &arch, &variant);
		if (m.kind == MANIFEST_INDEX && manifest_select(&m, os, arch, variant, &d, &err) < 0)
			fuzz_check_refusal(&err);
		for (size_t i = 0; i < m.n_layers; i++)
			if (digest_validate(m.layers[i].digest, NULL) < 0)
				__builtin_trap();
		for (size_t i = 0; i < m.n_manifests; i++)
			if (digest_validate(m.manifests[i].digest, NULL) < 0)
				__builtin_trap();
		manifest_free(&m);
	}
	return 0;
}
