/* Images as the store holds them: index.json names a manifest; the manifest names the config and the
 * layers; the config's diff ids give the chain ids under which the layers are unpacked. */
#ifndef HULL_IMAGE_LOCAL_IMAGE_H
#define HULL_IMAGE_LOCAL_IMAGE_H

#include <json-c/json.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "image/store.h"

/* Annotations hull puts on index.json entries: the full reference, and the config digest (the image id,
 * as Docker counts it) so that listing needs no blob reads. */
#define ANNOTATION_NAME	  "io.hull.image.name"
#define ANNOTATION_CONFIG "io.hull.image.config"
#define ANNOTATION_REF	  "org.opencontainers.image.ref.name"

struct local_image {
	char manifest_digest[DIGEST_MAX];
	struct manifest manifest;
	json_object *config;
	char (*chain_ids)[DIGEST_MAX]; /* one per layer */
};

/* An annotation of an index.json entry, NULL when it has none (or not a string). */
const char *local_image_annotation(json_object *entry, const char *key);

/* The chain ids of config's rootfs.diff_ids, checked against the number of layers the manifest has. */
int local_image_chain_ids(json_object *config, size_t n_layers, char (**out)[DIGEST_MAX],
			  struct hull_error **err);

int local_image_load(struct store *s, const char *manifest_digest, struct local_image *out,
		     struct hull_error **err);
void local_image_free(struct local_image *img);

/* The manifest digest of the image named by a reference (`busybox`, `localhost:5000/a/b:1`), or by an
 * id prefix of at least 4 hex digits (of its config digest, as `hull images` shows).  The error says
 * when nothing or several images match. */
int local_image_find(struct store *s, const char *name_or_id, char out[DIGEST_MAX], struct hull_error **err);

#endif
