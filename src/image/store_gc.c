#include "image/store_gc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/local_image.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

struct name_edit {
	const char *name, *tag;
	const struct local_image *img;
	int64_t size;
};

static void remove_name(json_object *manifests, const char *name)
{
	for (size_t i = json_object_array_length(manifests); name && i-- > 0;) {
		const char *n =
		    local_image_annotation(json_object_array_get_idx(manifests, i), ANNOTATION_NAME);
		if (n && strcmp(n, name) == 0)
			json_object_array_del_idx(manifests, i, 1);
	}
}

static int add_entry(json_object *index, void *arg, struct hull_error **err)
{
	struct name_edit *t = arg;
	json_object *manifests, *entry = json_object_new_object(), *annotations = json_object_new_object();
	json_object *platform = json_object_new_object();

	json_object_object_get_ex(index, "manifests", &manifests);
	remove_name(manifests, t->name);
	json_object_object_add(entry, "mediaType", json_object_new_string(t->img->manifest.media_type));
	json_object_object_add(entry, "digest", json_object_new_string(t->img->manifest_digest));
	json_object_object_add(entry, "size", json_object_new_int64(t->size));
	if (t->name)
		json_object_object_add(annotations, ANNOTATION_NAME, json_object_new_string(t->name));
	json_object_object_add(annotations, ANNOTATION_CONFIG,
			       json_object_new_string(t->img->manifest.config.digest));
	if (t->tag)
		json_object_object_add(annotations, ANNOTATION_REF, json_object_new_string(t->tag));
	json_object_object_add(entry, "annotations", annotations);
	json_object_object_add(platform, "os",
			       json_object_new_string(json_get_string(t->img->config, "os", "linux")));
	json_object_object_add(
	    platform, "architecture",
	    json_object_new_string(json_get_string(t->img->config, "architecture", "amd64")));
	json_object_object_add(entry, "platform", platform);
	json_object_array_add(manifests, entry);
	return 1;
}

int store_name_image(struct store *s, const char *name, const char *manifest_digest, struct hull_error **err)
{
	struct image_ref ref = {0};
	struct local_image img;
	cleanup_free char *canonical = NULL, *text = NULL;
	size_t len;
	int ret;

	if (name && (ret = image_ref_parse(name, &ref, err)) < 0)
		return ret;
	if (name && (canonical = image_ref_format(&ref)) == NULL) {
		image_ref_free(&ref);
		return hull_error_set(err, ENOMEM, "name");
	}
	if ((ret = local_image_load(s, manifest_digest, &img, err)) >= 0 &&
	    (ret = store_blob_read(s, manifest_digest, 4u << 20, &text, &len, err)) >= 0) {
		struct name_edit t = {.name = canonical, .tag = ref.tag, .img = &img, .size = (int64_t)len};
		ret = store_index_update(s, add_entry, &t, err);
	}
	local_image_free(&img); /* load leaves it empty when it fails */
	image_ref_free(&ref);
	return ret;
}

struct tag_edit {
	const char *name, *tag, *digest;
	json_object *source; /* the entry being copied */
};

static int add_name(json_object *index, void *arg, struct hull_error **err)
{
	struct tag_edit *t = arg;
	json_object *manifests, *copy = NULL, *annotations;

	json_object_object_get_ex(index, "manifests", &manifests);
	for (size_t i = 0; i < json_object_array_length(manifests); i++) {
		json_object *e = json_object_array_get_idx(manifests, i), *d;
		if (json_object_object_get_ex(e, "digest", &d) &&
		    strcmp(json_object_get_string(d), t->digest) == 0) {
			if (json_object_deep_copy(e, &copy, NULL) < 0)
				return hull_error_set(err, ENOMEM, "tag");
			break;
		}
	}
	if (copy == NULL)
		return hull_error_fail(err, ENOENT, "tag: the image went away meanwhile");
	for (size_t i = json_object_array_length(manifests); i-- > 0;) {
		const char *name =
		    local_image_annotation(json_object_array_get_idx(manifests, i), ANNOTATION_NAME);
		if (name && strcmp(name, t->name) == 0)
			json_object_array_del_idx(manifests, i, 1);
	}
	json_object_object_get_ex(copy, "annotations", &annotations);
	json_object_object_add(annotations, ANNOTATION_NAME, json_object_new_string(t->name));
	if (t->tag)
		json_object_object_add(annotations, ANNOTATION_REF, json_object_new_string(t->tag));
	else
		json_object_object_del(annotations, ANNOTATION_REF);
	json_object_array_add(manifests, copy);
	return 1;
}

int store_tag(struct store *s, const char *source, const char *name, struct hull_error **err)
{
	char digest[DIGEST_MAX];
	struct image_ref ref = {0};
	cleanup_free char *canonical = NULL;
	int ret;

	if ((ret = local_image_find(s, source, digest, err)) < 0)
		return hull_error_wrap(err, "tag");
	if ((ret = image_ref_parse(name, &ref, err)) < 0)
		return hull_error_wrap(err, "tag");
	if (ref.digest) {
		image_ref_free(&ref);
		return hull_error_invalid(err, "tag `%s`: a tag cannot name a digest", name);
	}
	canonical = image_ref_format(&ref);
	struct tag_edit t = {.name = canonical, .tag = ref.tag, .digest = digest};
	ret = canonical ? store_index_update(s, add_name, &t, err) : hull_error_set(err, ENOMEM, "tag");
	image_ref_free(&ref);
	return ret;
}

struct untag_edit {
	const char *name; /* canonical, or NULL when removing by digest */
	const char *digest;
	bool force;
	size_t removed;
};

static bool untag_hit(const struct untag_edit *u, json_object *entry)
{
	const char *name = local_image_annotation(entry, ANNOTATION_NAME);
	json_object *d;

	if (u->name)
		return name && strcmp(name, u->name) == 0;
	return json_object_object_get_ex(entry, "digest", &d) &&
	       strcmp(json_object_get_string(d), u->digest) == 0;
}

static int remove_names(json_object *index, void *arg, struct hull_error **err)
{
	struct untag_edit *u = arg;
	json_object *manifests;
	size_t matches = 0;

	json_object_object_get_ex(index, "manifests", &manifests);
	for (size_t i = 0; i < json_object_array_length(manifests); i++)
		matches += untag_hit(u, json_object_array_get_idx(manifests, i));
	if (matches > 1 && !u->name && !u->force)
		return hull_error_fail(
		    err, EBUSY, "the image has %zu names: remove them by name, or use --force", matches);
	for (size_t i = json_object_array_length(manifests); i-- > 0;)
		if (untag_hit(u, json_object_array_get_idx(manifests, i))) {
			json_object_array_del_idx(manifests, i, 1);
			u->removed++;
		}
	return u->removed ? 1 : 0;
}

int store_untag(struct store *s, const char *name_or_id, bool force, size_t *removed, struct hull_error **err)
{
	char digest[DIGEST_MAX];
	struct image_ref ref = {0};
	cleanup_free char *canonical = NULL;
	struct untag_edit u = {.force = force};
	int ret;

	if ((ret = local_image_find(s, name_or_id, digest, err)) < 0)
		return ret;
	/* By name only when the text is a reference that names it (an id prefix parses as a name too). */
	if (image_ref_parse(name_or_id, &ref, NULL) >= 0)
		canonical = image_ref_format(&ref);
	image_ref_free(&ref);
	u.digest = digest;
	u.name = canonical;
	ret = store_index_update(s, remove_names, &u, err);
	if (ret >= 0 && u.removed == 0 && canonical) {
		u.name = NULL;
		ret = store_index_update(s, remove_names, &u, err);
	}
	*removed = u.removed;
	return ret;
}

static char *bundle_ref_name(const char *bundle_dir)
{
	char digest[DIGEST_MAX], *out = NULL;

	digest_buffer(bundle_dir, strlen(bundle_dir), NULL, digest);
	return asprintf(&out, "bundles/%s", digest_hex(digest)) < 0 ? NULL : out;
}

int store_bundle_ref_add(struct store *s, const char *bundle_dir, const char *manifest_digest,
			 struct hull_error **err)
{
	cleanup_free char *name = bundle_ref_name(bundle_dir), *text = NULL;

	if (name == NULL || asprintf(&text, "%s\n%s\n", manifest_digest, bundle_dir) < 0)
		return hull_error_set(err, ENOMEM, "bundle");
	if (mkdirat(s->fd, "bundles", 0700) < 0 && errno != EEXIST)
		return hull_error_errno(err, "store: mkdir `bundles`");
	return fs_write_file_atomic(s->fd, name, text, strlen(text), 0600, err);
}

void store_bundle_ref_remove(struct store *s, const char *bundle_dir)
{
	cleanup_free char *name = bundle_ref_name(bundle_dir);

	if (name)
		unlinkat(s->fd, name, 0);
}

/* The set of names (hex digests) to keep, as a flat list: stores hold tens of images, not millions. */
struct keep {
	char **items;
	size_t n, cap;
};

static int keep_add(struct keep *k, const char *digest)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		char **grown = realloc(k->items, cap * sizeof(char *));
		if (grown == NULL)
			return -ENOMEM;
		k->items = grown;
		k->cap = cap;
	}
	k->items[k->n] = strdup(digest_hex(digest));
	return k->items[k->n++] ? 0 : -ENOMEM;
}

static bool keep_has(const struct keep *k, const char *hex)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->items[i], hex) == 0)
			return true;
	return false;
}

static void keep_free(struct keep *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->items[i]);
	free(k->items);
}

/* Everything one image needs: its manifest, config, layer blobs and unpacked layers. */
static int keep_image(struct store *s, const char *digest, struct keep *blobs, struct keep *layers,
		      struct hull_error **err)
{
	struct local_image img;
	int ret = local_image_load(s, digest, &img, err);

	if (ret < 0)
		return ret;
	ret = keep_add(blobs, digest) < 0 || keep_add(blobs, img.manifest.config.digest) < 0 ? -ENOMEM : 0;
	for (size_t i = 0; ret >= 0 && i < img.manifest.n_layers; i++)
		if (keep_add(blobs, img.manifest.layers[i].digest) < 0 ||
		    keep_add(layers, img.chain_ids[i]) < 0)
			ret = -ENOMEM;
	local_image_free(&img);
	return ret < 0 ? hull_error_set(err, ENOMEM, "gc") : 0;
}

/* Live bundles: their reference file names an existing directory whose rootfs is still there. */
static int keep_bundles(struct store *s, struct keep *blobs, struct keep *layers, struct hull_error **err)
{
	cleanup_closedir DIR *d = NULL;
	int fd = openat(s->fd, "bundles", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return hull_error_errno(err, "store: bundles");
	}
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *text = NULL, *rootfs = NULL;
		char *nl;
		struct stat st;
		if (e->d_name[0] == '.' || fs_read_file(dirfd(d), e->d_name, &text, NULL, NULL) < 0)
			continue;
		nl = strchr(text, '\n');
		if (nl == NULL)
			continue;
		*nl = '\0';
		nl[1 + strcspn(nl + 1, "\n")] = '\0';
		if (asprintf(&rootfs, "%s/rootfs", nl + 1) < 0)
			return hull_error_set(err, ENOMEM, "gc");
		if (stat(rootfs, &st) < 0 || digest_validate(text, NULL) < 0) {
			unlinkat(dirfd(d), e->d_name, 0); /* the bundle is gone */
			continue;
		}
		if (keep_image(s, text, blobs, layers, err) < 0) {
			hull_log_warning("bundle `%s`: %s", nl + 1, (*err)->message);
			hull_error_free(err);
		}
	}
	return 0;
}

static uint64_t tree_size(int dir_fd, const char *name)
{
	struct stat st;
	uint64_t total = 0;
	int fd;
	DIR *d;
	struct dirent *e;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return (uint64_t)st.st_blocks * 512;
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			total += tree_size(dirfd(d), e->d_name);
	closedir(d);
	return total;
}

/* Removes the entries of dir that keep does not name (all of them when keep is NULL). */
static int sweep(struct store *s, const char *dir, const struct keep *keep, size_t *count, uint64_t *bytes,
		 struct hull_error **err)
{
	int fd = openat(s->fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;

	if (fd < 0)
		return errno == ENOENT ? 0 : hull_error_errno(err, "store: `%s`", dir);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return hull_error_errno(err, "store: `%s`", dir);
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_name[0] == '.' || (keep && keep_has(keep, e->d_name)))
			continue;
		*bytes += tree_size(dirfd(d), e->d_name);
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
			? fs_remove_tree(dirfd(d), e->d_name, err) < 0
			: unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
			return hull_error_wrap(err, "store: remove `%s/%s`", dir, e->d_name);
		(*count)++;
	}
	return 0;
}

/* What the images in index.json and the live bundles need. */
static int collect_kept(struct store *s, struct keep *blobs, struct keep *layers, struct hull_error **err)
{
	json_object *index = NULL, *manifests;
	int ret;

	if ((ret = store_index_read(s, &index, err)) < 0)
		return ret;
	json_object_object_get_ex(index, "manifests", &manifests);
	for (size_t i = 0; ret >= 0 && i < json_object_array_length(manifests); i++) {
		json_object *d;
		if (!json_object_object_get_ex(json_object_array_get_idx(manifests, i), "digest", &d))
			continue;
		ret = keep_image(s, json_object_get_string(d), blobs, layers, err);
	}
	json_object_put(index);
	return ret < 0 ? ret : keep_bundles(s, blobs, layers, err);
}

int store_gc(struct store *s, struct gc_report *report, struct hull_error **err)
{
	struct keep blobs = {0}, layers = {0};
	int ret;

	*report = (struct gc_report){0};
	ret = collect_kept(s, &blobs, &layers, err);
	if (ret >= 0)
		ret = sweep(s, "blobs/sha256", &blobs, &report->blobs, &report->bytes, err);
	if (ret >= 0)
		ret = sweep(s, "blobs/sha512", &blobs, &report->blobs, &report->bytes, err);
	if (ret >= 0)
		ret = sweep(s, "layers", &layers, &report->layers, &report->bytes, err);
	/* Only a pull writes under tmp/, and none runs while gc.lock is held exclusively. */
	if (ret >= 0)
		ret = sweep(s, "tmp", NULL, &report->partials, &report->bytes, err);
	keep_free(&blobs);
	keep_free(&layers);
	return ret;
}

static void relock_shared(struct store *s)
{
	while (flock(s->gc_lock, LOCK_SH) < 0 && errno == EINTR)
		;
}

void store_drop_unused(struct store *s, const char *const *blobs, size_t n_blobs, const char *const *layers,
		       size_t n_layers)
{
	struct keep keep_blobs = {0}, keep_layers = {0};
	struct hull_error *err = NULL;

	/* Converting the shared lock may drop it before failing; it is taken again either way. */
	if (flock(s->gc_lock, LOCK_EX | LOCK_NB) < 0) {
		hull_log_debug(
		    "store: in use by another command; what the failed pull added stays for prune");
		relock_shared(s);
		return;
	}
	if (collect_kept(s, &keep_blobs, &keep_layers, &err) < 0) {
		hull_log_warning("%s", err->message);
		hull_error_free(&err);
		goto out;
	}
	for (size_t i = 0; i < n_blobs; i++) {
		cleanup_free char *name = NULL;
		if (blobs[i] == NULL || digest_validate(blobs[i], NULL) < 0 ||
		    keep_has(&keep_blobs, digest_hex(blobs[i])) || (name = store_blob_name(blobs[i])) == NULL)
			continue;
		if (unlinkat(s->fd, name, 0) < 0 && errno != ENOENT)
			hull_log_warning("store: remove `%s`: %s", name, strerror(errno));
	}
	for (size_t i = 0; i < n_layers; i++) {
		cleanup_free char *name = NULL;
		if (layers[i] == NULL || digest_validate(layers[i], NULL) < 0 ||
		    keep_has(&keep_layers, digest_hex(layers[i])) ||
		    (name = store_layer_name(layers[i])) == NULL)
			continue;
		if (fs_remove_tree(s->fd, name, &err) < 0 && hull_error_code(err) != -ENOENT) {
			hull_log_warning("%s", err->message);
		}
		hull_error_free(&err);
	}
out:
	keep_free(&keep_blobs);
	keep_free(&keep_layers);
	relock_shared(s);
}
