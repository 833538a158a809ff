#include "image/registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "image/auth_file.h"
#include "image/manifest.h"
#include "image/registry_internal.h"
#include "util/cleanup.h"
#include "util/interrupt.h"
#include "util/log.h"

#define MAX_REDIRECTS 5
#define MAX_RETRIES   5
#define MAX_WAIT      60	 /* seconds of Retry-After honoured at most */
#define MAX_MANIFEST  (4u << 20) /* the distribution spec's suggested manifest limit */
#define MAX_ERROR     (64u << 10)

struct request {
	struct registry *r;
	const char *method;
	char *url;
	const char *scope;
	const char *accept;
	uint64_t range_from;
	const char *content_type;
	const char *body; /* PUT of a manifest */
	size_t body_len;
	int upload_fd; /* PUT of a blob, from upload_fd */
	uint64_t upload_size, uploaded;
	registry_sink sink;
	void *sink_arg;
	struct hull_error **sink_err;
	int sink_ret;
	bool foreign; /* the URL is on another host (a redirect): no credentials */
	bool too_big;
	/* response */
	long status;
	char *www_authenticate, *content_type_in, *digest, *location;
	long retry_after;
	char *data;
	size_t len, cap, max;
};

int registry_global_init(struct hull_error **err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return hull_error_fail(err, EIO, "registry: libcurl failed to initialise");
	return 0;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct registry *r = arg;
	pthread_mutex_lock(&r->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct registry *r = arg;
	pthread_mutex_unlock(&r->share_locks[data]);
}

static bool host_is_loopback(const char *host)
{
	return (strncmp(host, "localhost", 9) == 0 && (host[9] == '\0' || host[9] == ':')) ||
	       strncmp(host, "127.", 4) == 0 || strncmp(host, "[::1]", 5) == 0;
}

/* Docker treats loopback registries as insecure without being told; so does hull.  Others are listed in
 * $HULL_INSECURE_REGISTRIES (comma-separated hosts). */
static bool host_is_insecure(const char *host)
{
	const char *list = getenv("HULL_INSECURE_REGISTRIES");
	size_t n = strlen(host);

	if (host_is_loopback(host))
		return true;
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ", ");
		if (len == n && strncmp(p, host, n) == 0)
			return true;
		p += len;
		p += strspn(p, ", ");
	}
	return false;
}

int registry_open(const char *host, const struct registry_options *o, struct registry **out,
		  struct hull_error **err)
{
	struct registry *r = calloc(1, sizeof(*r));
	int ret;

	if (r == NULL || (r->host = strdup(host)) == NULL) {
		free(r);
		return hull_error_set(err, ENOMEM, "registry `%s`", host);
	}
	pthread_mutex_init(&r->lock, NULL);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&r->share_locks[i], NULL);
	r->skip_verify = o && o->tls_skip_verify;
	r->insecure = r->skip_verify || host_is_insecure(host);
	/* A registry on loopback is asked over plain HTTP first: nothing leaves the machine, and a failed TLS
	 * handshake (with the CA bundle loaded for it) cost more than the rest of a small pull.  It moves to
	 * HTTPS if it turns out to speak only that.  Other insecure registries try HTTPS first. */
	r->scheme = host_is_loopback(host) ? "http" : "https";
	*out = r;
	if (o && o->username) {
		r->username = strdup(o->username);
		r->password = strdup(o->password ? o->password : "");
	} else if ((ret = auth_file_lookup(o ? o->auth_file : NULL, host, &r->username, &r->password, err)) <
		   0) {
		registry_free(out);
		return hull_error_wrap(err, "registry `%s`", host);
	}
	r->share = curl_share_init();
	if (r->share) {
		curl_share_setopt(r->share, CURLSHOPT_LOCKFUNC, share_lock);
		curl_share_setopt(r->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
		curl_share_setopt(r->share, CURLSHOPT_USERDATA, r);
		curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	}
	return 0;
}

void registry_free(struct registry **rp)
{
	struct registry *r = *rp;

	if (r == NULL)
		return;
	for (unsigned i = 0; i < r->n_idle; i++)
		curl_easy_cleanup(r->idle[i]);
	if (r->share)
		curl_share_cleanup(r->share);
	for (size_t i = 0; i < REGISTRY_TOKENS; i++) {
		free(r->tokens[i].scope);
		free(r->tokens[i].header);
	}
	if (r->password)
		explicit_bzero(r->password, strlen(r->password));
	free(r->basic);
	free(r->username);
	free(r->password);
	free(r->host);
	pthread_mutex_destroy(&r->lock);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&r->share_locks[i]);
	free(r);
	*rp = NULL;
}

void registry_response_free(struct registry_response *r)
{
	free(r->body);
	free(r->content_type);
	free(r->digest);
	*r = (struct registry_response){0};
}

static void setup_handle(struct registry *r, CURL *curl)
{
	/* Only HTTP(S), also for redirects and token realms an attacker-controlled registry names. */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 KiB/s for a minute) fails rather than hanging a pull forever. */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "hull/" HULL_VERSION);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, NULL);
	if (r->skip_verify) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (r->share)
		curl_easy_setopt(curl, CURLOPT_SHARE, r->share);
}

CURL *registry_handle_take(struct registry *r)
{
	CURL *curl = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->n_idle)
		curl = r->idle[--r->n_idle];
	pthread_mutex_unlock(&r->lock);
	if (curl == NULL)
		curl = curl_easy_init();
	if (curl)
		setup_handle(r, curl);
	return curl;
}

void registry_handle_give(struct registry *r, CURL *curl)
{
	if (curl == NULL)
		return;
	/* Options go; connections, the CA store and TLS sessions stay. */
	curl_easy_reset(curl);
	pthread_mutex_lock(&r->lock);
	if (r->n_idle < REGISTRY_HANDLES) {
		r->idle[r->n_idle++] = curl;
		curl = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	if (curl)
		curl_easy_cleanup(curl);
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v;
	size_t len;

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	v = line + k + 1;
	len = n - k - 1;
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	return strndup(v, len);
}

static void set_header(char **slot, char *value)
{
	if (value) {
		free(*slot);
		*slot = value;
	}
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct request *q = arg;
	size_t n = size * nmemb;
	char *v;

	set_header(&q->www_authenticate, header_value(line, n, "WWW-Authenticate"));
	set_header(&q->content_type_in, header_value(line, n, "Content-Type"));
	set_header(&q->digest, header_value(line, n, "Docker-Content-Digest"));
	set_header(&q->location, header_value(line, n, "Location"));
	if ((v = header_value(line, n, "Retry-After")) != NULL) {
		/* Seconds; an HTTP date is taken as "a little while". */
		q->retry_after = isdigit((unsigned char)v[0]) ? strtol(v, NULL, 10) : 5;
		free(v);
	}
	return n;
}

static bool success(long status)
{
	return status >= 200 && status < 300;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct request *q = arg;
	size_t n = size * nmemb;
	/* Asked for the rest, sent the whole: none of it may be appended to what the caller has. */
	if (q->sink && q->range_from && q->status == 200)
		return 0;
	if (q->sink && success(q->status)) {
		q->sink_ret = q->sink(data, n, q->sink_arg, q->sink_err);
		return q->sink_ret < 0 ? 0 : n;
	}
	if (q->len + n > q->max) {
		if (q->sink || !success(q->status))
			return n; /* an error body is only cut short */
		q->too_big = true;
		return 0;
	}
	if (q->len + n + 1 > q->cap) {
		size_t cap = (q->len + n + 1) * 2;
		char *grown = realloc(q->data, cap);
		if (grown == NULL)
			return 0;
		q->data = grown;
		q->cap = cap;
	}
	memcpy(q->data + q->len, data, n);
	q->len += n;
	q->data[q->len] = '\0';
	return n;
}

static size_t on_upload(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct request *q = arg;
	size_t want = size * nmemb;
	ssize_t n;

	if (q->uploaded >= q->upload_size)
		return 0;
	if (want > q->upload_size - q->uploaded)
		want = (size_t)(q->upload_size - q->uploaded);
	n = pread(q->upload_fd, buf, want, (off_t)q->uploaded);
	if (n <= 0)
		return CURL_READFUNC_ABORT;
	q->uploaded += (uint64_t)n;
	return (size_t)n;
}

static void reset_response(struct request *q)
{
	free(q->www_authenticate);
	free(q->content_type_in);
	free(q->digest);
	free(q->location);
	q->www_authenticate = q->content_type_in = q->digest = q->location = NULL;
	q->retry_after = -1;
	q->len = 0;
	q->status = 0;
}

static void request_free(struct request *q)
{
	reset_response(q);
	free(q->url);
	free(q->data);
}

/* The status is known before the body arrives (curl calls the header callback first); on_data reads it
 * from the request so that an error body is never handed to a sink. */
static size_t on_header_status(char *line, size_t size, size_t nmemb, void *arg)
{
	struct request *q = arg;
	size_t n = size * nmemb;
	int code;

	if (n > 9 && strncmp(line, "HTTP/", 5) == 0 && sscanf(line, "HTTP/%*s %d", &code) == 1) {
		reset_response(q);
		q->status = code;
	}
	return on_header(line, size, nmemb, arg);
}

static bool same_host(const char *url, const char *host)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL;
	cleanup_free char *both = NULL;
	bool same = false;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		if (asprintf(&both, "%s%s%s", h, port ? ":" : "", port ? port : "") >= 0)
			same = strcmp(both, host) == 0 || strcmp(h, host) == 0;
	}
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return same;
}

/* Called about once a second even when nothing arrives: a caught Ctrl-C aborts the transfer. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return interrupt_signal() != 0;
}

static CURLcode perform_once(struct request *q, struct hull_error **err)
{
	CURL *curl = registry_handle_take(q->r);
	struct curl_slist *headers = NULL;
	cleanup_free char *auth = NULL, *range = NULL, *accept = NULL, *type = NULL;
	CURLcode rc;

	if (curl == NULL)
		return CURLE_OUT_OF_MEMORY;
	reset_response(q);
	q->uploaded = 0;
	curl_easy_setopt(curl, CURLOPT_URL, q->url);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header_status);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, q);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, q);
	if (!q->foreign && (auth = registry_auth_header(q->r, q->scope)) != NULL)
		headers = curl_slist_append(headers, auth);
	if (q->accept && asprintf(&accept, "Accept: %s", q->accept) >= 0)
		headers = curl_slist_append(headers, accept);
	if (q->range_from && asprintf(&range, "Range: bytes=%llu-", (unsigned long long)q->range_from) >= 0)
		headers = curl_slist_append(headers, range);
	if (q->content_type && asprintf(&type, "Content-Type: %s", q->content_type) >= 0)
		headers = curl_slist_append(headers, type);
	if (strcmp(q->method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (q->upload_fd >= 0) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(curl, CURLOPT_READDATA, q);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->upload_size);
		headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
	} else if (strcmp(q->method, "PUT") == 0 || strcmp(q->method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, q->body ? q->body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, q->method);
	}
	/* Uploads: no "Expect: 100-continue" round trip. */
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &q->status);
	if (q->status >= 300 && q->status < 400 && q->location) {
		char *absolute = NULL;
		/* curl resolves a relative Location against the request's URL. */
		if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &absolute) == CURLE_OK && absolute) {
			free(q->location);
			q->location = strdup(absolute);
		}
	}
	curl_slist_free_all(headers);
	registry_handle_give(q->r, curl);
	return rc;
}

/* The message for a failed request: "GET <url>: 404 MANIFEST_UNKNOWN: manifest unknown". */
static int request_error(struct request *q, struct hull_error **err)
{
	cleanup_free char *phrase = registry_error_phrase(q->data, q->len);
	int errnum = q->status == 404 ? ENOENT : q->status == 401 || q->status == 403 ? EACCES : EIO;

	const char *hint = "";

	if ((q->status == 401 || q->status == 403) && q->r->username == NULL)
		hint = " (no credentials for this registry: run `hull login` first)";
	else if (q->status == 401 || q->status == 403)
		hint = " (the credentials do not grant this)";
	return hull_error_fail(err, errnum, "%s %s: HTTP %ld%s%s%s", q->method, q->url, q->status,
			       phrase ? ": " : "", phrase ? phrase : "", hint);
}

static bool retryable_transport_error(CURLcode rc)
{
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_SEND_ERROR;
}

/* Builds the URL from the registry's current scheme; an insecure registry that does not speak TLS is
 * switched to plain HTTP once. */
static int request_url(struct request *q, const char *path)
{
	const char *scheme;

	pthread_mutex_lock(&q->r->lock);
	scheme = q->r->scheme;
	pthread_mutex_unlock(&q->r->lock);
	free(q->url);
	q->url = NULL;
	return asprintf(&q->url, "%s://%s%s", scheme, q->r->host, path) < 0 ? -ENOMEM : 0;
}

/* An insecure registry answered in a way that says it speaks the other protocol: TLS failed against a
 * plain HTTP server, or a TLS server said so to a plain request (Go's and nginx's 400 answers name HTTPS). */
static bool wrong_scheme(const struct request *q, CURLcode rc)
{
	if (strncmp(q->url, "https:", 6) == 0)
		return rc != CURLE_OK && (retryable_transport_error(rc) || rc == CURLE_COULDNT_CONNECT);
	if (rc != CURLE_OK)
		return rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_COULDNT_CONNECT;
	return q->status == 400 && q->data && strcasestr(q->data, "https");
}

static int switch_scheme(struct request *q, const char *path)
{
	bool to_http = strncmp(q->url, "https:", 6) == 0;

	hull_log_debug("registry `%s`: trying %s", q->r->host, to_http ? "plain HTTP" : "HTTPS");
	pthread_mutex_lock(&q->r->lock);
	q->r->scheme = to_http ? "http" : "https";
	pthread_mutex_unlock(&q->r->lock);
	return request_url(q, path);
}

/* Performs the request on path (or on q->url as it is when path is NULL), through authentication, retries
 * and redirects. */
static int perform(struct request *q, const char *path, struct hull_error **err)
{
	int redirects = 0, retries = 0, ret;
	bool authenticated = false, switched = path == NULL;
	long wait = 1;

	if (path && request_url(q, path) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	for (;;) {
		CURLcode rc = perform_once(q, err);
		if (q->sink_ret < 0)
			return q->sink_ret;
		if (!switched && !q->foreign && q->r->insecure && wrong_scheme(q, rc)) {
			switched = true;
			if (switch_scheme(q, path) < 0)
				return hull_error_set(err, ENOMEM, "registry");
			continue;
		}
		if (rc != CURLE_OK) {
			if (rc == CURLE_ABORTED_BY_CALLBACK && interrupt_signal())
				return hull_error_fail(err, EINTR, "interrupted by SIG%s",
						       sigabbrev_np(interrupt_signal()));
			if (q->too_big)
				return hull_error_fail(err, EFBIG, "%s %s: larger than %zu bytes", q->method,
						       q->url, q->max);
			return hull_error_fail(err, EIO, "%s %s: %s", q->method, q->url,
					       curl_easy_strerror(rc));
		}
		if (q->status == 401 && !authenticated && !q->foreign) {
			authenticated = true;
			if ((ret = registry_authenticate(q->r, q->www_authenticate, q->scope, err)) < 0)
				return hull_error_wrap(err, "%s %s", q->method, q->url);
			continue;
		}
		if ((q->status == 429 || q->status == 503) && retries < MAX_RETRIES) {
			long secs = q->retry_after >= 0 ? q->retry_after : wait;
			if (secs > MAX_WAIT)
				return hull_error_fail(err, EAGAIN, "%s %s: HTTP %ld, retry after %ld s",
						       q->method, q->url, q->status, secs);
			hull_log_debug("%s %s: HTTP %ld, retrying in %ld s", q->method, q->url, q->status,
				       secs);
			sleep((unsigned)secs);
			wait *= 2;
			retries++;
			continue;
		}
		if (q->status >= 300 && q->status < 400 && q->location) {
			if (++redirects > MAX_REDIRECTS)
				return hull_error_fail(err, ELOOP, "%s %s: too many redirects", q->method,
						       q->url);
			free(q->url);
			q->url = steal_pointer(&q->location);
			/* Blob storage elsewhere gets no credentials of the registry. */
			q->foreign = !same_host(q->url, q->r->host);
			continue;
		}
		return success(q->status) ? 0 : request_error(q, err);
	}
}

static int repo_path(char **out, const char *repository, const char *kind, const char *ref)
{
	return asprintf(out, "/v2/%s/%s/%s", repository, kind, ref) < 0 ? -ENOMEM : 0;
}

static char *scope_for(const char *repository, const char *actions)
{
	char *s = NULL;
	return asprintf(&s, "repository:%s:%s", repository, actions) < 0 ? NULL : s;
}

int registry_check(struct registry *r, struct hull_error **err)
{
	struct request q = {.r = r, .method = "GET", .upload_fd = -1, .max = MAX_ERROR};
	int ret = perform(&q, "/v2/", err);

	request_free(&q);
	return ret < 0 ? hull_error_wrap(err, "registry `%s`", r->host) : 0;
}

int registry_get_manifest(struct registry *r, const char *repository, const char *reference,
			  struct registry_response *out, struct hull_error **err)
{
	cleanup_free char *path = NULL, *scope = scope_for(repository, "pull");
	struct request q = {.r = r,
			    .method = "GET",
			    .scope = scope,
			    .accept = manifest_accept,
			    .upload_fd = -1,
			    .max = MAX_MANIFEST};
	int ret;

	if (scope == NULL || repo_path(&path, repository, "manifests", reference) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	ret = perform(&q, path, err);
	if (ret >= 0) {
		out->body = q.data ? steal_pointer(&q.data) : strdup("");
		out->len = q.len;
		out->content_type = steal_pointer(&q.content_type_in);
		out->digest = steal_pointer(&q.digest);
	}
	request_free(&q);
	return ret;
}

int registry_get_blob(struct registry *r, const char *repository, const char *digest, uint64_t offset,
		      registry_sink sink, void *arg, struct hull_error **err)
{
	cleanup_free char *path = NULL, *scope = scope_for(repository, "pull");
	struct request q = {.r = r,
			    .method = "GET",
			    .scope = scope,
			    .upload_fd = -1,
			    .max = MAX_ERROR,
			    .range_from = offset,
			    .sink = sink,
			    .sink_arg = arg,
			    .sink_err = err};
	int ret;

	if (scope == NULL || repo_path(&path, repository, "blobs", digest) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	ret = perform(&q, path, err);
	/* ERANGE tells the caller to start over: the registry sent the whole blob (200, cut off before any of
	 * it reached the sink) or refused the range (416). */
	if (offset && (q.status == 200 || q.status == 416)) {
		hull_error_free(err);
		ret = hull_error_fail(err, ERANGE,
				      "GET %s: the registry did not resume at byte %llu (HTTP %ld)", q.url,
				      (unsigned long long)offset, q.status);
	}
	request_free(&q);
	return ret;
}

int registry_blob_exists(struct registry *r, const char *repository, const char *digest, bool *exists,
			 struct hull_error **err)
{
	cleanup_free char *path = NULL, *scope = scope_for(repository, "pull,push");
	struct request q = {.r = r, .method = "HEAD", .scope = scope, .upload_fd = -1, .max = MAX_ERROR};
	int ret;

	if (scope == NULL || repo_path(&path, repository, "blobs", digest) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	ret = perform(&q, path, err);
	*exists = ret >= 0;
	if (ret < 0 && q.status == 404) {
		hull_error_free(err);
		ret = 0;
	}
	request_free(&q);
	return ret;
}

int registry_mount_blob(struct registry *r, const char *repository, const char *digest, const char *from,
			bool *mounted, struct hull_error **err)
{
	cleanup_free char *path = NULL, *scope = NULL;
	struct request q = {.r = r, .method = "POST", .upload_fd = -1, .max = MAX_ERROR};
	int ret;

	if (asprintf(&scope, "repository:%s:pull,push repository:%s:pull", repository, from) < 0 ||
	    asprintf(&path, "/v2/%s/blobs/uploads/?mount=%s&from=%s", repository, digest, from) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	q.scope = scope;
	ret = perform(&q, path, err);
	*mounted = ret >= 0 && q.status == 201;
	request_free(&q);
	return ret;
}

int registry_upload_blob(struct registry *r, const char *repository, const char *digest, int fd,
			 uint64_t size, struct hull_error **err)
{
	cleanup_free char *path = NULL, *scope = scope_for(repository, "pull,push"), *put = NULL;
	struct request start = {.r = r, .method = "POST", .scope = scope, .upload_fd = -1, .max = MAX_ERROR};
	struct request q = {
	    .r = r, .method = "PUT", .scope = scope, .upload_fd = fd, .upload_size = size, .max = MAX_ERROR};
	int ret;

	if (scope == NULL || asprintf(&path, "/v2/%s/blobs/uploads/", repository) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	ret = perform(&start, path, err);
	if (ret >= 0 && start.status != 202)
		ret = hull_error_fail(err, EPROTO, "POST %s: HTTP %ld where 202 was expected", start.url,
				      start.status);
	if (ret >= 0 && start.location == NULL)
		ret = hull_error_fail(err, EPROTO, "POST %s: no upload location", start.url);
	if (ret >= 0) {
		/* The session URL is the registry's; it may carry a query string already. */
		const char *base = start.location[0] == '/' ? start.url : "";
		size_t base_len = start.location[0] == '/' ? strcspn(strstr(base, "://") + 3, "/") + 3 +
								 (size_t)(strstr(base, "://") - base)
							   : 0;
		if (asprintf(&put, "%.*s%s%sdigest=%s", (int)base_len, base, start.location,
			     strchr(start.location, '?') ? "&" : "?", digest) < 0)
			ret = hull_error_set(err, ENOMEM, "registry");
		else {
			q.url = steal_pointer(&put);
			q.foreign = !same_host(q.url, r->host);
			ret = perform(&q, NULL, err);
		}
	}
	request_free(&start);
	request_free(&q);
	return ret;
}

int registry_put_manifest(struct registry *r, const char *repository, const char *reference,
			  const char *media_type, const char *body, size_t len, struct hull_error **err)
{
	cleanup_free char *path = NULL, *scope = scope_for(repository, "pull,push");
	struct request q = {.r = r,
			    .method = "PUT",
			    .scope = scope,
			    .upload_fd = -1,
			    .max = MAX_ERROR,
			    .content_type = media_type,
			    .body = body,
			    .body_len = len};
	int ret;

	if (scope == NULL || repo_path(&path, repository, "manifests", reference) < 0)
		return hull_error_set(err, ENOMEM, "registry");
	ret = perform(&q, path, err);
	request_free(&q);
	return ret;
}
