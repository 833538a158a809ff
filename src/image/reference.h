/* Image references as Docker users write them: `alpine`, `alpine:3.20`, `library/alpine`,
 * `docker.io/x/y:tag`, `host:5000/ns/name@sha256:...`, parsed by the grammar of the distribution
 * reference format and normalised the way Docker does (docker.io and library/ by default, latest when
 * neither tag nor digest is given). */
#ifndef HULL_IMAGE_REFERENCE_H
#define HULL_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "util/error.h"

struct image_ref {
	char *domain;	  /* docker.io, localhost:5000, [::1]:5000 */
	char *repository; /* library/alpine */
	char *tag;	  /* NULL when only a digest was given */
	char *digest;	  /* NULL unless given */
};

int image_ref_parse(const char *text, struct image_ref *out, struct hull_error **err);

/* The host to talk to: registry-1.docker.io for docker.io, the domain otherwise. */
const char *image_ref_registry_host(const struct image_ref *r);

/* The canonical form: docker.io/library/alpine:3.20, with @digest when there is one (malloc'd). */
char *image_ref_format(const struct image_ref *r);

void image_ref_free(struct image_ref *r);

#endif
