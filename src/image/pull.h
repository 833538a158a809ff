/* Pulling an image into the store: the manifest (through an index, for the platform asked for), the
 * config, then the layers, several at once, each streamed from the registry through its digest check
 * into the store's blob and, in the same pass, through decompression and its diff id into an unpacked
 * layer directory.  Layers the store has are skipped; a blob whose download was cut off is resumed with a
 * range request. */
#ifndef HULL_IMAGE_PULL_H
#define HULL_IMAGE_PULL_H

#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/registry.h"
#include "image/store.h"

enum pull_event {
	PULL_LAYER_QUEUED,   /* layer index, size known */
	PULL_LAYER_EXISTS,   /* already in the store */
	PULL_LAYER_PROGRESS, /* done bytes downloaded so far */
	PULL_LAYER_UNPACKED, /* downloaded, verified and unpacked */
};

/* Called from the pulling threads, one call at a time. */
struct pull_observer {
	void (*resolved)(void *arg, const char *reference, const char *manifest_digest, size_t n_layers);
	void (*layer)(void *arg, enum pull_event event, size_t index, const char *digest, int64_t size,
		      uint64_t done);
	void *arg;
};

struct pull_options {
	struct registry_options registry;
	const char *platform; /* "os/arch[/variant]"; NULL: the host's */
	unsigned jobs;	      /* layers at once; 0: 3 */
	const struct pull_observer *observer;
};

/* Pulls reference into the store and tags it; manifest_digest receives what it now names. */
int image_pull(struct store *s, const char *reference, const struct pull_options *o,
	       char manifest_digest[DIGEST_MAX], struct hull_error **err);

#endif
