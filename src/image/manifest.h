/* Image manifests and indexes as registries serve them: the OCI image index and manifest, and Docker's
 * manifest list and schema 2 manifest.  The document's mediaType must agree with what the registry said
 * it sent and with the document's shape; every descriptor's digest is checked before it names a file. */
#ifndef HULL_IMAGE_MANIFEST_H
#define HULL_IMAGE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MEDIA_OCI_INDEX	      "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

enum manifest_kind { MANIFEST_INDEX, MANIFEST_IMAGE };

struct descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	char *os, *architecture, *variant; /* index entries only */
};

struct manifest {
	enum manifest_kind kind;
	char *media_type;
	struct descriptor config;  /* images */
	struct descriptor *layers; /* images */
	size_t n_layers;
	struct descriptor *manifests; /* indexes */
	size_t n_manifests;
};

/* The Accept header a client must send: all four types (a registry may answer 404 to a client that omits
 * the OCI ones). */
extern const char manifest_accept[];

/* Parses a manifest or an index.  content_type is the registry's Content-Type (NULL when unknown). */
int manifest_parse(const char *text, size_t len, const char *content_type, struct manifest *out,
		   struct hull_error **err);

/* The index entry for a platform ("linux", "amd64", NULL or "v8"); the error lists what the index has. */
int manifest_select(const struct manifest *index, const char *os, const char *architecture,
		    const char *variant, const struct descriptor **out, struct hull_error **err);

/* The platform hull runs on, as image indexes name it. */
void manifest_host_platform(const char **os, const char **architecture, const char **variant);

void manifest_free(struct manifest *m);

#endif
