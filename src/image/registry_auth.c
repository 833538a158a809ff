/* Answering a registry's WWW-Authenticate challenge (the distribution spec's token authentication):
 * Bearer sends the client to a token service named by the registry, Basic takes the credentials as they
 * are.  Tokens are kept per scope, so that the layers of a pull share one. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "image/registry_internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"

#define MAX_TOKEN_RESPONSE (1u << 20)

void registry_challenge_free(struct challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
}

/* `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"`: a
 * scheme, then comma-separated key=value pairs, values quoted (with backslash escapes) or bare. */
int registry_challenge_parse(const char *text, struct challenge *c)
{
	const char *p = text;
	size_t n = strcspn(p, " \t");

	c->scheme = strndup(p, n);
	p += n;
	while (c->scheme && *p) {
		char key[32] = "", *value = NULL, *w;
		size_t k;
		p += strspn(p, " \t,");
		k = strcspn(p, "= \t,");
		if (k == 0 || p[k] != '=')
			break;
		snprintf(key, sizeof(key), "%.*s", (int)(k < sizeof(key) ? k : sizeof(key) - 1), p);
		p += k + 1;
		value = w = malloc(strlen(p) + 1);
		if (value == NULL)
			return -ENOMEM;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				*w++ = *p;
			}
			if (*p == '"')
				p++;
		} else
			while (*p && *p != ',' && *p != ' ')
				*w++ = *p++;
		*w = '\0';
		char **slot = strcasecmp(key, "realm") == 0	? &c->realm
			      : strcasecmp(key, "service") == 0 ? &c->service
			      : strcasecmp(key, "scope") == 0	? &c->scope
								: NULL;
		if (slot) {
			free(*slot);
			*slot = value;
		} else
			free(value);
	}
	return c->scheme ? 0 : -ENOMEM;
}

char *registry_auth_header(struct registry *r, const char *scope)
{
	const char *key = scope ? scope : "";
	char *out = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->basic)
		out = strdup(r->basic);
	for (size_t i = 0; out == NULL && i < REGISTRY_TOKENS; i++)
		if (r->tokens[i].scope && strcmp(r->tokens[i].scope, key) == 0)
			out = strdup(r->tokens[i].header);
	pthread_mutex_unlock(&r->lock);
	return out;
}

static int arm_basic(struct registry *r, struct hull_error **err)
{
	cleanup_free char *plain = NULL;
	cleanup_free unsigned char *b64 = NULL;
	char *header = NULL;

	if (r->username == NULL)
		return hull_error_fail(
		    err, EACCES, "the registry asks for credentials: run `hull login %s` first", r->host);
	if (asprintf(&plain, "%s:%s", r->username, r->password) < 0 ||
	    (b64 = malloc(strlen(plain) / 3 * 4 + 8)) == NULL)
		return hull_error_set(err, ENOMEM, "credentials");
	EVP_EncodeBlock(b64, (unsigned char *)plain, (int)strlen(plain));
	explicit_bzero(plain, strlen(plain));
	if (asprintf(&header, "Authorization: Basic %s", b64) < 0)
		return hull_error_set(err, ENOMEM, "credentials");
	pthread_mutex_lock(&r->lock);
	free(r->basic);
	r->basic = header;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

struct buffer {
	char *data;
	size_t len;
	bool too_big;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buffer *b = arg;
	size_t n = size * nmemb;
	char *grown;

	if (b->len + n > MAX_TOKEN_RESPONSE) {
		b->too_big = true;
		return 0;
	}
	grown = realloc(b->data, b->len + n + 1);
	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Appends "<sep>key=<escaped value>" to *url; false when out of memory. */
static bool append_param(CURL *curl, char **url, const char **sep, const char *key, const char *value,
			 size_t len)
{
	char *esc = curl_easy_escape(curl, value, (int)len), *longer = NULL;

	if (esc == NULL || asprintf(&longer, "%s%s%s=%s", *url, *sep, key, esc) < 0) {
		curl_free(esc);
		return false;
	}
	curl_free(esc);
	free(*url);
	*url = longer;
	*sep = "&";
	return true;
}

/* realm?service=...&scope=...&scope=... (our scope may hold several, space-separated). */
static char *token_url(CURL *curl, const struct challenge *c, const char *scope)
{
	char *url = strdup(c->realm);
	const char *sep = strchr(c->realm, '?') ? "&" : "?";

	if (url && c->service && !append_param(curl, &url, &sep, "service", c->service, strlen(c->service)))
		goto fail;
	for (const char *p = scope; url && p && *p;) {
		size_t n = strcspn(p, " ");
		if (!append_param(curl, &url, &sep, "scope", p, n))
			goto fail;
		p += n;
		p += strspn(p, " ");
	}
	return url;
fail:
	free(url);
	return NULL;
}

static int fetch_token(struct registry *r, const struct challenge *c, const char *scope, char **token,
		       struct hull_error **err)
{
	CURL *curl = registry_handle_take(r);
	cleanup_free char *url = NULL;
	struct buffer b = {0};
	json_object *doc = NULL;
	const char *t = NULL;
	long status = 0;
	CURLcode rc;
	int ret = 0;

	if (curl == NULL || (url = token_url(curl, c, scope)) == NULL) {
		registry_handle_give(r, curl);
		return hull_error_set(err, ENOMEM, "token");
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	if (r->username) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, r->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, r->password);
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	registry_handle_give(r, curl);
	if (rc != CURLE_OK)
		ret = hull_error_fail(err, EIO, "token service `%s`: %s", c->realm,
				      b.too_big ? "answer too large" : curl_easy_strerror(rc));
	else if (status == 401 || status == 403)
		ret = hull_error_fail(err, EACCES, "token service `%s`: HTTP %ld: %s", c->realm, status,
				      r->username ? "the credentials were refused"
						  : "credentials needed: run `hull login` first");
	else if (status != 200)
		ret = hull_error_fail(err, EIO, "token service `%s`: HTTP %ld", c->realm, status);
	else if ((ret = json_parse_text(b.data ? b.data : "", b.len, "token response", &doc, err)) >= 0 &&
		 (ret = json_field_string(doc, "token response", "token", &t, err)) >= 0 && t == NULL)
		ret = json_field_string(doc, "token response", "access_token", &t, err);
	if (ret >= 0 && (t == NULL || *t == '\0'))
		ret = hull_error_fail(err, EPROTO, "token service `%s`: the answer holds no token", c->realm);
	if (ret >= 0 && (*token = strdup(t)) == NULL)
		ret = hull_error_set(err, ENOMEM, "token");
	if (doc)
		json_object_put(doc);
	free(b.data);
	return ret;
}

/* The registry names the token service, so a hostile one could send the credentials anywhere: only to
 * http or https, and never in clear when the registry itself is reached over TLS. */
static int check_realm(struct registry *r, const char *realm, struct hull_error **err)
{
	bool registry_tls;

	pthread_mutex_lock(&r->lock);
	registry_tls = strcmp(r->scheme, "https") == 0;
	pthread_mutex_unlock(&r->lock);
	if (strncasecmp(realm, "https://", 8) == 0)
		return 0;
	if (strncasecmp(realm, "http://", 7) != 0)
		return hull_error_fail(err, EPROTO, "token service `%.200s`: not an http or https URL",
				       realm);
	if (registry_tls)
		return hull_error_fail(
		    err, EPROTO,
		    "token service `%.200s`: plain HTTP for a registry reached over HTTPS (the "
		    "credentials would travel in clear)",
		    realm);
	return 0;
}

int registry_authenticate(struct registry *r, const char *text, const char *scope, struct hull_error **err)
{
	struct challenge c = {0};
	cleanup_free char *token = NULL, *header = NULL, *key = NULL;
	int ret;

	if (text == NULL)
		return hull_error_fail(err, EACCES, "HTTP 401 without a WWW-Authenticate challenge");
	if (registry_challenge_parse(text, &c) < 0) {
		registry_challenge_free(&c);
		return hull_error_set(err, ENOMEM, "challenge");
	}
	if (strcasecmp(c.scheme, "Basic") == 0)
		ret = arm_basic(r, err);
	else if (strcasecmp(c.scheme, "Bearer") != 0)
		ret = hull_error_fail(err, ENOTSUP, "unsupported authentication scheme `%.20s`", c.scheme);
	else if (c.realm == NULL)
		ret = hull_error_fail(err, EPROTO, "Bearer challenge without a realm");
	else if ((ret = check_realm(r, c.realm, err)) == 0)
		ret = fetch_token(r, &c, scope ? scope : c.scope, &token, err);
	if (ret >= 0 && token) {
		if (asprintf(&header, "Authorization: Bearer %s", token) < 0 ||
		    (key = strdup(scope ? scope : "")) == NULL)
			ret = hull_error_set(err, ENOMEM, "token");
		else {
			unsigned i;
			pthread_mutex_lock(&r->lock);
			i = r->next_token++ % REGISTRY_TOKENS;
			free(r->tokens[i].scope);
			free(r->tokens[i].header);
			r->tokens[i].scope = steal_pointer(&key);
			r->tokens[i].header = steal_pointer(&header);
			pthread_mutex_unlock(&r->lock);
		}
	}
	registry_challenge_free(&c);
	return ret;
}

char *registry_error_phrase(const char *body, size_t len)
{
	json_object *doc = body && len ? json_tokener_parse(body) : NULL, *errors, *first, *code, *message;
	char *out = NULL;

	if (doc && json_object_object_get_ex(doc, "errors", &errors) &&
	    json_object_is_type(errors, json_type_array) && json_object_array_length(errors) > 0 &&
	    (first = json_object_array_get_idx(errors, 0)) != NULL &&
	    json_object_is_type(first, json_type_object)) {
		json_object_object_get_ex(first, "code", &code);
		json_object_object_get_ex(first, "message", &message);
		if (asprintf(&out, "%.64s%s%.200s", code ? json_object_get_string(code) : "",
			     code && message ? ": " : "", message ? json_object_get_string(message) : "") < 0)
			out = NULL;
		/* The registry's words end up in a one-line error. */
		for (char *p = out; p && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	}
	if (doc)
		json_object_put(doc);
	return out;
}
