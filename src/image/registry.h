/* A client of the registry HTTP API v2 (the OCI distribution spec), over libcurl.
 *
 * Authentication follows what the registry asks for in WWW-Authenticate: a Bearer token from its token
 * service (anonymous, or with the user's credentials), or Basic.  Redirects (to blob storage) are followed
 * by hand so that credentials never go to another host; 429 and 503 answers are retried after their
 * Retry-After.  Registries on loopback, those listed as insecure and all of them under tls_verify=false may
 * answer over plain HTTP: hull tries HTTPS first, as Docker does. */
#ifndef HULL_IMAGE_REGISTRY_H
#define HULL_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct registry_options {
	bool tls_skip_verify;  /* --tls-verify=false: no certificate checks, plain HTTP allowed */
	const char *auth_file; /* NULL: the default files */
	const char *username;  /* credentials given on the command line, else from the auth files */
	const char *password;
};

struct registry;

/* Once per process, before any thread starts. */
int registry_global_init(struct hull_error **err);

int registry_open(const char *host, const struct registry_options *o, struct registry **out,
		  struct hull_error **err);
void registry_free(struct registry **r);
#define cleanup_registry __attribute__((cleanup(registry_free)))

struct registry_response {
	char *body;
	size_t len;
	char *content_type;
	char *digest; /* Docker-Content-Digest, when sent */
};
void registry_response_free(struct registry_response *r);

/* GET /v2/: checks that the registry answers and that the credentials are accepted (for login). */
int registry_check(struct registry *r, struct hull_error **err);

/* A manifest or index by tag or digest, with all four manifest types accepted. */
int registry_get_manifest(struct registry *r, const char *repository, const char *reference,
			  struct registry_response *out, struct hull_error **err);

/* Receives a blob's bytes as they arrive; a negative return stops the transfer and is returned. */
typedef int (*registry_sink)(const void *data, size_t len, void *arg, struct hull_error **err);

/* A blob from byte offset on (0: all of it; else a Range request, which the registry must honour). */
int registry_get_blob(struct registry *r, const char *repository, const char *digest, uint64_t offset,
		      registry_sink sink, void *arg, struct hull_error **err);

/* HEAD of a blob: *exists is false on 404. */
int registry_blob_exists(struct registry *r, const char *repository, const char *digest, bool *exists,
			 struct hull_error **err);

/* Asks for a cross-repository mount of a blob from another repository of the same registry; *mounted is
 * false when the registry started an upload instead (the caller then uploads). */
int registry_mount_blob(struct registry *r, const char *repository, const char *digest, const char *from,
			bool *mounted, struct hull_error **err);

/* Monolithic upload of size bytes read from fd: POST for a session, then PUT with the digest. */
int registry_upload_blob(struct registry *r, const char *repository, const char *digest, int fd,
			 uint64_t size, struct hull_error **err);

int registry_put_manifest(struct registry *r, const char *repository, const char *reference,
			  const char *media_type, const char *body, size_t len, struct hull_error **err);

#endif
