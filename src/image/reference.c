#include "image/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"

#define NAME_MAX_LEN   255
#define DEFAULT_DOMAIN "docker.io"

/* [a-z0-9]+ */
static size_t alnum_run(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
		i++;
	return i;
}

/* path-component: alnum-runs joined by "." "_" "__" or any number of "-". */
static bool valid_path_component(const char *s, size_t n)
{
	size_t i = alnum_run(s, n);

	if (i == 0)
		return false;
	while (i < n) {
		size_t sep = i;
		if (s[i] == '.' || (s[i] == '_' && !(i + 1 < n && s[i + 1] == '_')))
			i++;
		else if (s[i] == '_')
			i += 2;
		else
			while (i < n && s[i] == '-')
				i++;
		if (i == sep)
			return false;
		size_t run = alnum_run(s + i, n - i);
		if (run == 0)
			return false;
		i += run;
	}
	return true;
}

/* domain-component: [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool valid_domain_component(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* host[:port], host a dotted name or a bracketed IPv6 address. */
static bool valid_domain(const char *s, size_t n)
{
	size_t host_end = n;
	const char *colon;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL || close == s + 1)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return false;
		host_end = (size_t)(close - s) + 1;
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			host_end = (size_t)(colon - s);
		for (size_t start = 0; start <= host_end;) {
			const char *dot = memchr(s + start, '.', host_end - start);
			size_t end = dot ? (size_t)(dot - s) : host_end;
			if (!valid_domain_component(s + start, end - start))
				return false;
			start = end + 1;
			if (!dot)
				break;
		}
	}
	if (host_end == n)
		return true;
	if (s[host_end] != ':' || host_end + 1 == n)
		return false;
	for (size_t i = host_end + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n - host_end - 1 <= 5;
}

/* [\w][\w.-]{0,127} */
static bool valid_tag(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static int fail(const char *text, const char *why, struct hull_error **err)
{
	/* The reference is user input: shown only when short and printable, so the message stays one line. */
	bool printable = strlen(text) <= 300;

	for (const char *p = text; printable && *p; p++)
		printable = isprint((unsigned char)*p);
	if (printable)
		return hull_error_invalid(err, "image reference `%s`: %s", text, why);
	return hull_error_invalid(err, "image reference: %s", why);
}

int image_ref_parse(const char *text, struct image_ref *out, struct hull_error **err)
{
	const char *at, *name_end, *slash;
	const char *tag = NULL, *digest = NULL;
	size_t name_len, domain_len = 0;
	bool has_domain = false;

	memset(out, 0, sizeof(*out));
	if (text == NULL || *text == '\0')
		return fail("", "empty", err);
	at = strchr(text, '@');
	if (at) {
		digest = at + 1;
		if (digest_validate(digest, NULL) < 0)
			return fail(text, "the digest is not sha256: or sha512: with its hex digits", err);
	}
	name_end = at ? at : text + strlen(text);
	/* A tag is after the last colon, if no slash follows it (host:port/name has one before). */
	for (const char *p = name_end; p > text; p--) {
		if (p[-1] == '/')
			break;
		if (p[-1] == ':') {
			tag = p;
			name_end = p - 1;
			break;
		}
	}
	name_len = (size_t)(name_end - text);
	if (name_len == 0)
		return fail(text, "no repository name", err);
	if (name_len > NAME_MAX_LEN)
		return fail(text, "the name is longer than 255 characters", err);
	if (tag) {
		char buf[130];
		size_t n = (size_t)((at ? at : text + strlen(text)) - tag);
		if (n == 0 || n >= sizeof(buf))
			return fail(text, "the tag is empty or longer than 128 characters", err);
		memcpy(buf, tag, n);
		buf[n] = '\0';
		if (!valid_tag(buf))
			return fail(text, "the tag may contain only letters, digits, '_', '.' and '-'", err);
		out->tag = strdup(buf);
	}
	/* The first component is a domain when it looks like one, as Docker decides. */
	slash = memchr(text, '/', name_len);
	if (slash) {
		size_t n = (size_t)(slash - text);
		bool looks = memchr(text, '.', n) || memchr(text, ':', n) ||
			     (n == 9 && !strncmp(text, "localhost", 9));
		for (size_t i = 0; i < n && !looks; i++)
			looks = isupper((unsigned char)text[i]);
		if (looks) {
			if (!valid_domain(text, n)) {
				image_ref_free(out);
				return fail(text, "the registry is not a valid host[:port]", err);
			}
			has_domain = true;
			domain_len = n;
		}
	}
	const char *repo = has_domain ? text + domain_len + 1 : text;
	size_t repo_len = (size_t)(name_end - repo);
	for (size_t start = 0; start <= repo_len;) {
		const char *s = memchr(repo + start, '/', repo_len - start);
		size_t end = s ? (size_t)(s - repo) : repo_len;
		if (!valid_path_component(repo + start, end - start)) {
			image_ref_free(out);
			return fail(text,
				    "repository names are lower-case letters, digits and . _ - separators, "
				    "with / between components",
				    err);
		}
		start = end + 1;
		if (!s)
			break;
	}
	if (has_domain && domain_len == 15 && strncmp(text, "index.docker.io", 15) == 0)
		out->domain = strdup(DEFAULT_DOMAIN);
	else
		out->domain = has_domain ? strndup(text, domain_len) : strdup(DEFAULT_DOMAIN);
	if (strcmp(out->domain, DEFAULT_DOMAIN) == 0 && memchr(repo, '/', repo_len) == NULL) {
		if (asprintf(&out->repository, "library/%.*s", (int)repo_len, repo) < 0)
			out->repository = NULL;
	} else {
		out->repository = strndup(repo, repo_len);
	}
	/* The limit is on the full name, so that the canonical form of an accepted reference parses too. */
	if (out->domain && out->repository &&
	    strlen(out->domain) + 1 + strlen(out->repository) > NAME_MAX_LEN) {
		image_ref_free(out);
		return fail(text, "the name with its registry is longer than 255 characters", err);
	}
	if (digest)
		out->digest = strdup(digest);
	if (!tag && !digest)
		out->tag = strdup("latest");
	if (out->domain == NULL || out->repository == NULL || (!out->tag && !out->digest) ||
	    (digest && !out->digest)) {
		image_ref_free(out);
		return hull_error_set(err, ENOMEM, "image reference");
	}
	return 0;
}

const char *image_ref_registry_host(const struct image_ref *r)
{
	return strcmp(r->domain, DEFAULT_DOMAIN) == 0 ? "registry-1.docker.io" : r->domain;
}

char *image_ref_format(const struct image_ref *r)
{
	char *s = NULL;

	if (asprintf(&s, "%s/%s%s%s%s%s", r->domain, r->repository, r->tag ? ":" : "", r->tag ? r->tag : "",
		     r->digest ? "@" : "", r->digest ? r->digest : "") < 0)
		return NULL;
	return s;
}

void image_ref_free(struct image_ref *r)
{
	free(r->domain);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}
