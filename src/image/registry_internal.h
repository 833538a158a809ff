/* Shared between the request engine (registry.c) and authentication (registry_auth.c). */
#ifndef HULL_IMAGE_REGISTRY_INTERNAL_H
#define HULL_IMAGE_REGISTRY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <curl/curl.h>

#include "image/registry.h"

#define REGISTRY_TOKENS	 8
#define REGISTRY_HANDLES 8

struct registry {
	char *host;	    /* as in references: localhost:5000, [::1]:5000, registry-1.docker.io */
	const char *scheme; /* "https", or "http" once an insecure registry turned out to speak it */
	bool insecure;	    /* may fall back to plain HTTP */
	bool skip_verify;   /* no certificate checks */
	char *username, *password;
	pthread_mutex_t lock; /* guards scheme, tokens and basic: layer threads share a registry */
	struct {
		char *scope;  /* "repository:library/alpine:pull" */
		char *header; /* "Authorization: Bearer ..." */
	} tokens[REGISTRY_TOKENS];
	unsigned next_token;
	char *basic;		      /* "Authorization: Basic ..." once the registry asked for Basic */
	CURL *idle[REGISTRY_HANDLES]; /* easy handles kept for reuse: each keeps its CA store and TLS state */
	unsigned n_idle;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
};

/* An easy handle with the common options (protocols, TLS, timeouts, connection sharing) set: a reused one
 * when there is one.  Loading the CA bundle for a new handle costs more than a small request, so handles
 * go back to the registry's pool after use. */
CURL *registry_handle_take(struct registry *r);
void registry_handle_give(struct registry *r, CURL *curl);

/* The Authorization header to send for scope (malloc'd), or NULL when none is known yet. */
char *registry_auth_header(struct registry *r, const char *scope);

/* Answers a 401's challenge for scope: fetches a token or arms Basic.  Fails with a message that says what
 * to do when the registry wants credentials hull does not have. */
int registry_authenticate(struct registry *r, const char *challenge, const char *scope,
			  struct hull_error **err);

/* A WWW-Authenticate challenge: a scheme, then comma-separated key=value pairs (values quoted with backslash
 * escapes, or bare); the keys hull uses are kept. */
struct challenge {
	char *scheme; /* "Bearer", "Basic" */
	char *realm, *service, *scope;
};
int registry_challenge_parse(const char *text, struct challenge *c);
void registry_challenge_free(struct challenge *c);

/* The "errors" of a registry's error body as one phrase ("MANIFEST_UNKNOWN: manifest unknown"), or NULL. */
char *registry_error_phrase(const char *body, size_t len);

#endif
