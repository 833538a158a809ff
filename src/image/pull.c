#include "image/pull.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "image/layer_store.h"
#include "image/local_image.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/store_gc.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/interrupt.h"
#include "util/log.h"

#define MAX_CONFIG (16u << 20)

struct pull {
	struct store *store;
	struct registry *registry;
	const struct image_ref *ref;
	const struct pull_observer *observer;
	const struct manifest *manifest;
	char (*chain_ids)[DIGEST_MAX];
	const char **diff_ids;
	pthread_mutex_t lock; /* next, failed, err, observer calls */
	size_t next;
	bool failed;
	struct hull_error *err;
};

static void observe(struct pull *p, enum pull_event ev, size_t i, uint64_t done)
{
	const struct descriptor *d = &p->manifest->layers[i];

	if (p->observer == NULL || p->observer->layer == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->observer->layer(p->observer->arg, ev, i, d->digest, d->size, done);
	pthread_mutex_unlock(&p->lock);
}

/* A manifest by tag or digest, checked against the digest it was asked by (or that the registry names). */
static int fetch_manifest(struct pull *p, const char *reference, struct registry_response *resp,
			  char digest[DIGEST_MAX], struct hull_error **err)
{
	int ret = registry_get_manifest(p->registry, p->ref->repository, reference, resp, err);
	const char *expected = strchr(reference, ':') ? reference : resp->digest;

	if (ret < 0)
		return ret;
	if (expected && digest_validate(expected, NULL) < 0)
		expected = NULL; /* a malformed header is ignored; the content still gets its own digest */
	digest_buffer(resp->body, resp->len, expected, digest);
	if (expected && strcmp(expected, digest) != 0)
		return hull_error_fail(err, EBADMSG,
				       "manifest `%s`: content has digest `%s` where `%s` was expected",
				       reference, digest, expected);
	return 0;
}

static int parse_platform(const char *text, char **os, char **arch, char **variant, struct hull_error **err)
{
	cleanup_free char *copy = text ? strdup(text) : NULL;
	char *save = NULL, *a, *b, *c;

	*os = *arch = *variant = NULL;
	if (text == NULL) {
		const char *o, *ar, *v;
		manifest_host_platform(&o, &ar, &v);
		*os = strdup(o);
		*arch = strdup(ar);
		*variant = v ? strdup(v) : NULL;
		return 0;
	}
	a = copy ? strtok_r(copy, "/", &save) : NULL;
	b = a ? strtok_r(NULL, "/", &save) : NULL;
	c = b ? strtok_r(NULL, "/", &save) : NULL;
	if (a == NULL || b == NULL || strtok_r(NULL, "/", &save) != NULL)
		return hull_error_invalid(err, "platform `%s`: expected os/architecture[/variant]", text);
	*os = strdup(a);
	*arch = strdup(b);
	*variant = c ? strdup(c) : NULL;
	return 0;
}

/* The image manifest for the platform: the document itself, or the index entry's. */
static int resolve(struct pull *p, const struct pull_options *o, struct manifest *m, char digest[DIGEST_MAX],
		   struct hull_error **err)
{
	struct registry_response resp = {0};
	const char *reference = p->ref->digest ? p->ref->digest : p->ref->tag;
	int ret = fetch_manifest(p, reference, &resp, digest, err);

	if (ret >= 0)
		ret = manifest_parse(resp.body, resp.len, resp.content_type, m, err);
	if (ret >= 0 && m->kind == MANIFEST_INDEX) {
		cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
		const struct descriptor *d = NULL;
		struct manifest index = *m;
		*m = (struct manifest){0};
		if ((ret = parse_platform(o->platform, &os, &arch, &variant, err)) >= 0 &&
		    (ret = manifest_select(&index, os, arch, variant, &d, err)) >= 0) {
			char wanted[DIGEST_MAX];
			snprintf(wanted, sizeof(wanted), "%s", d->digest);
			registry_response_free(&resp);
			if ((ret = fetch_manifest(p, wanted, &resp, digest, err)) >= 0 &&
			    (ret = manifest_parse(resp.body, resp.len, resp.content_type, m, err)) >= 0 &&
			    m->kind != MANIFEST_IMAGE)
				ret = hull_error_invalid(err, "index entry `%s` is not an image manifest",
							 wanted);
		}
		manifest_free(&index);
	}
	if (ret >= 0)
		ret = store_blob_put(p->store, digest, resp.body, resp.len, err);
	registry_response_free(&resp);
	return ret;
}

struct memory_sink {
	char *data;
	size_t len;
	int64_t limit; /* the descriptor's size */
};

static int to_memory(const void *data, size_t len, void *arg, struct hull_error **err)
{
	struct memory_sink *m = arg;
	char *grown;

	if (m->len + len > MAX_CONFIG)
		return hull_error_fail(err, EFBIG, "larger than %u bytes", MAX_CONFIG);
	if (m->limit >= 0 && m->len + len > (uint64_t)m->limit)
		return hull_error_fail(err, EFBIG,
				       "the registry sent more than the %lld bytes its descriptor gives",
				       (long long)m->limit);
	grown = realloc(m->data, m->len + len + 1);
	if (grown == NULL)
		return hull_error_set(err, ENOMEM, "image config");
	m->data = grown;
	memcpy(m->data + m->len, data, len);
	m->len += len;
	m->data[m->len] = '\0';
	return 0;
}

static int fetch_config(struct pull *p, json_object **config, struct hull_error **err)
{
	const char *digest = p->manifest->config.digest;
	cleanup_free char *stored = NULL;
	size_t len;
	int ret;

	if (store_has_blob(p->store, digest))
		ret = store_blob_read(p->store, digest, MAX_CONFIG, &stored, &len, err);
	else {
		struct memory_sink m = {.limit = p->manifest->config.size};
		ret = registry_get_blob(p->registry, p->ref->repository, digest, 0, to_memory, &m, err);
		if (ret >= 0)
			ret = store_blob_put(p->store, digest, m.data ? m.data : "", m.len, err);
		stored = m.data ? m.data : strdup("");
		len = m.len;
		if (ret < 0)
			return hull_error_wrap(err, "image config");
	}
	if (ret < 0)
		return ret;
	return json_parse_text(stored ? stored : "", stored ? len : 0, "image config", config, err);
}

/* What a layer's download feeds: the blob file and, on a fresh download, the unpacker's socket. */
struct layer_job {
	struct pull *p;
	size_t index;
	struct blob_writer w;
	int unpack_fd; /* write end, -1 when not unpacking while downloading */
	uint64_t reported;
	int result;
	struct hull_error *err;
};

static int layer_sink(const void *data, size_t len, void *arg, struct hull_error **err)
{
	struct layer_job *j = arg;
	const char *b = data;
	size_t done = 0;
	int ret;

	if (j->p->failed)
		return hull_error_fail(err, ECANCELED, "cancelled: another layer failed");
	if ((ret = store_blob_write(&j->w, data, len, err)) < 0)
		return ret;
	while (j->unpack_fd >= 0 && done < len) {
		ssize_t n = send(j->unpack_fd, b + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hull_error_errno(err, "unpacking stopped");
		done += (size_t)n;
	}
	if (j->w.have - j->reported >= (256u << 10)) {
		j->reported = j->w.have;
		observe(j->p, PULL_LAYER_PROGRESS, j->index, j->w.have);
	}
	return 0;
}

static void *download_thread(void *arg)
{
	struct layer_job *j = arg;
	const struct descriptor *d = &j->p->manifest->layers[j->index];

	j->result = registry_get_blob(j->p->registry, j->p->ref->repository, d->digest, j->w.have, layer_sink,
				      j, &j->err);
	/* A registry that cannot resume (200 for the whole blob, or 416) gets the whole download again. */
	if (j->result == -ERANGE && j->w.have > 0) {
		hull_log_debug("layer %s: %s; downloading it from the start", d->digest, j->err->message);
		hull_error_free(&j->err);
		j->result = store_blob_restart(&j->w, &j->err);
		j->reported = 0;
		if (j->result == 0)
			j->result = registry_get_blob(j->p->registry, j->p->ref->repository, d->digest, 0,
						      layer_sink, j, &j->err);
	}
	if (j->unpack_fd >= 0) {
		/* End of stream for the unpacker, whether the download completed or not. */
		close(j->unpack_fd);
		j->unpack_fd = -1;
	}
	return NULL;
}

static int unpack_layer(struct pull *p, size_t i, int fd, struct hull_error **err)
{
	/* Unpacked as it downloads: the blob's bytes land in the store at the same time. */
	return layer_store_unpack(p->store, fd, p->diff_ids[i], p->chain_ids[i],
				  (uint64_t)p->manifest->layers[i].size, err);
}

static int unpack_from_blob(struct pull *p, size_t i, struct hull_error **err)
{
	return layer_store_unpack_blob(p->store, p->manifest->layers[i].digest, p->diff_ids[i],
				       p->chain_ids[i], err);
}

/* One layer: download (resuming a partial one) and unpack in one pass, or only what is missing.  *resumed
 * says whether an earlier partial file was used, which a digest mismatch then blames. */
static int pull_layer_once(struct pull *p, size_t i, bool *resumed, struct hull_error **err)
{
	const struct descriptor *d = &p->manifest->layers[i];
	bool need_layer = !store_has_layer(p->store, p->chain_ids[i]);
	struct layer_job j = {.p = p, .index = i, .unpack_fd = -1};
	int pair[2] = {-1, -1}, ret;
	pthread_t thread;

	ret = store_blob_begin(p->store, d->digest, d->size, &j.w, err);
	if (ret < 0)
		return ret;
	if (ret == 1) /* the blob is complete: only unpacking may be left */
		return need_layer ? unpack_from_blob(p, i, err) : 0;
	*resumed = j.w.have > 0;
	/* Killed after the last byte but before the rename: nothing left to download, the commit checks it.
	 */
	if (j.w.have == (uint64_t)d->size) {
		ret = store_blob_commit(p->store, &j.w, d->size, err);
		store_blob_close(&j.w);
		if (ret >= 0 && need_layer)
			ret = unpack_from_blob(p, i, err);
		return ret;
	}
	/* A fresh download streams into the unpacker; a resumed one is unpacked from the file afterwards. */
	if (need_layer && j.w.have == 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			store_blob_close(&j.w);
			return hull_error_errno(err, "socketpair");
		}
		j.unpack_fd = pair[1];
	} else if (j.w.have)
		hull_log_debug("layer %s: resuming at byte %llu", d->digest, (unsigned long long)j.w.have);
	j.reported = j.w.have;
	if (j.unpack_fd < 0)
		download_thread(&j);
	else if ((ret = pthread_create(&thread, NULL, download_thread, &j)) != 0) {
		close(pair[0]);
		close(pair[1]);
		store_blob_close(&j.w);
		return hull_error_set(err, ret, "thread");
	} else {
		char sink[1 << 16];
		ret = unpack_layer(p, i, pair[0], err);
		/* An unpacking failure may only be the symptom of content that is not what the manifest names
		 * (garbage is no tar): the download runs to its end so that the digest can tell. */
		while (ret < 0 && read(pair[0], sink, sizeof(sink)) > 0)
			;
		close(pair[0]);
		pthread_join(thread, NULL);
	}
	if (j.result < 0) {
		/* The download's cause comes first: an unpacker cut off mid-stream only reports truncation.
		 */
		hull_error_free(err);
		*err = steal_pointer(&j.err);
		store_blob_close(&j.w);
		return j.result;
	}
	hull_error_free(&j.err);
	if (ret >= 0)
		ret = store_blob_commit(p->store, &j.w, d->size, err);
	else {
		struct hull_error *digest_err = NULL;
		/* A digest mismatch is the cause to report; the commit drops the partial file either way. */
		if (store_blob_commit(p->store, &j.w, d->size, &digest_err) < 0) {
			hull_error_free(err);
			*err = digest_err;
			ret = hull_error_code(digest_err);
		} else {
			/* Right content that does not unpack: keep the blob, the layer stays missing. */
		}
	}
	store_blob_close(&j.w);
	if (ret >= 0 && need_layer && pair[0] < 0)
		ret = unpack_from_blob(p, i, err);
	return ret;
}

/* A partial file that is wrong (another writer's bytes, a disk error) shows only at the digest check: the
 * layer is downloaded once more from the start, so that a stale partial file never fails a pull. */
static int pull_layer(struct pull *p, size_t i, struct hull_error **err)
{
	bool resumed = false;
	int ret = pull_layer_once(p, i, &resumed, err);

	if (ret == -EBADMSG && resumed && !p->failed) {
		hull_log_debug("layer %s: the resumed download does not check out (%s); downloading it again",
			       p->manifest->layers[i].digest, (*err)->message);
		hull_error_free(err);
		ret = pull_layer_once(p, i, &resumed, err);
	}
	return ret;
}

static void *worker(void *arg)
{
	struct pull *p = arg;

	for (;;) {
		struct hull_error *err = NULL;
		size_t i;
		int ret;
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->manifest->n_layers || p->failed)
			return NULL;
		if (store_has_layer(p->store, p->chain_ids[i]) &&
		    store_has_blob(p->store, p->manifest->layers[i].digest)) {
			observe(p, PULL_LAYER_EXISTS, i, 0);
			continue;
		}
		ret = pull_layer(p, i, &err);
		if (ret < 0) {
			hull_error_wrap(&err, "layer `%s`", p->manifest->layers[i].digest);
			pthread_mutex_lock(&p->lock);
			if (!p->failed) {
				p->failed = true;
				p->err = steal_pointer(&err);
			}
			pthread_mutex_unlock(&p->lock);
			hull_error_free(&err);
			return NULL;
		}
		observe(p, PULL_LAYER_UNPACKED, i, 0);
	}
}

static int pull_layers(struct pull *p, unsigned jobs, struct hull_error **err)
{
	pthread_t threads[16];
	size_t n = jobs ? jobs : 3, started = 0;

	if (n > 16)
		n = 16;
	if (n > p->manifest->n_layers)
		n = p->manifest->n_layers;
	for (size_t i = 0; i < p->manifest->n_layers; i++)
		observe(p, PULL_LAYER_QUEUED, i, 0);
	/* The calling thread is one of the workers. */
	for (size_t i = 1; i < n; i++)
		if (pthread_create(&threads[started], NULL, worker, p) == 0)
			started++;
	worker(p);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (p->failed) {
		hull_error_free(err);
		*err = steal_pointer(&p->err);
		return hull_error_code(*err);
	}
	return 0;
}

/* A failed pull leaves the store as it found it, apart from partial files a later pull resumes: the
 * manifest, config, layer blobs and unpacked layers it got before failing go unless something needs them. */
static void undo(struct pull *p, const struct manifest *m, const char manifest_digest[DIGEST_MAX])
{
	size_t n = m->n_layers;
	cleanup_free const char **blobs = calloc(n + 2, sizeof(*blobs));
	cleanup_free const char **layers = calloc(n ? n : 1, sizeof(*layers));

	if (blobs == NULL || layers == NULL || manifest_digest[0] == '\0')
		return;
	blobs[0] = manifest_digest;
	blobs[1] = m->config.digest;
	for (size_t i = 0; i < n; i++) {
		blobs[i + 2] = m->layers[i].digest;
		layers[i] = p->chain_ids ? p->chain_ids[i] : NULL;
	}
	store_drop_unused(p->store, blobs, n + 2, layers, n);
}

int image_pull(struct store *s, const char *reference, const struct pull_options *o,
	       char manifest_digest[DIGEST_MAX], struct hull_error **err)
{
	struct image_ref ref = {0};
	cleanup_registry struct registry *registry = NULL;
	struct manifest m = {0};
	json_object *config = NULL;
	cleanup_free const char **diff_ids = NULL;
	json_object *rootfs = NULL;
	size_t n = 0;
	struct pull p = {.store = s, .observer = o->observer, .ref = &ref};
	int ret;

	manifest_digest[0] = '\0';
	pthread_mutex_init(&p.lock, NULL);
	if ((ret = image_ref_parse(reference, &ref, err)) < 0)
		goto out;
	if ((ret = registry_open(image_ref_registry_host(&ref), &o->registry, &registry, err)) < 0)
		goto out;
	p.registry = registry;
	if ((ret = resolve(&p, o, &m, manifest_digest, err)) < 0)
		goto out;
	p.manifest = &m;
	if (o->observer && o->observer->resolved)
		o->observer->resolved(o->observer->arg, reference, manifest_digest, m.n_layers);
	if ((ret = fetch_config(&p, &config, err)) < 0 ||
	    (ret = local_image_chain_ids(config, m.n_layers, &p.chain_ids, err)) < 0)
		goto out;
	json_object_object_get_ex(config, "rootfs", &rootfs);
	if ((ret = json_field_strv(rootfs, "image config rootfs", "diff_ids", &diff_ids, &n, err)) < 0)
		goto out;
	p.diff_ids = diff_ids;
	if ((ret = pull_layers(&p, o->jobs, err)) < 0)
		goto out;
	ret = store_name_image(s, reference, manifest_digest, err);
out:
	if (ret < 0) {
		/* The first error of an interrupted pull may be a layer cut short by the abort. */
		if (interrupt_signal()) {
			hull_error_free(err);
			ret = hull_error_fail(err, EINTR, "interrupted by SIG%s",
					      sigabbrev_np(interrupt_signal()));
		}
		hull_error_wrap(err, "pull `%s`", reference);
		undo(&p, &m, manifest_digest);
	}
	free(p.chain_ids);
	if (config)
		json_object_put(config);
	manifest_free(&m);
	image_ref_free(&ref);
	pthread_mutex_destroy(&p.lock);
	return ret;
}
