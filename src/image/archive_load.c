#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/archive.h"
#include "image/layer_store.h"
#include "image/local_image.h"
#include "image/manifest.h"
#include "image/store_gc.h"
#include "util/cleanup.h"
#include "util/json.h"

#define MAX_DOCUMENT (4u << 20)
#define MAX_FILES    100000

/* Files of an older docker-archive (<id>/layer.tar, <id>.json), kept as blobs under their digests. */
struct loaded_file {
	char *path;
	char digest[DIGEST_MAX];
};

struct loader {
	struct store *s;
	struct archive *a;
	char *index, *manifest; /* index.json, manifest.json */
	size_t index_len, manifest_len;
	struct loaded_file *files;
	size_t n_files;
	image_loaded_fn loaded;
	void *arg;
};

static int read_document(struct loader *l, const char *path, char **out, size_t *len, struct hull_error **err)
{
	char *buf = NULL;
	size_t used = 0;
	la_ssize_t n;
	char chunk[1 << 14];

	while ((n = archive_read_data(l->a, chunk, sizeof(chunk))) > 0) {
		char *grown;
		if (used + (size_t)n > MAX_DOCUMENT) {
			free(buf);
			return hull_error_fail(err, EFBIG, "load: `%s` is larger than %u bytes", path,
					       MAX_DOCUMENT);
		}
		grown = realloc(buf, used + (size_t)n + 1);
		if (grown == NULL) {
			free(buf);
			return hull_error_set(err, ENOMEM, "load");
		}
		buf = grown;
		memcpy(buf + used, chunk, (size_t)n);
		used += (size_t)n;
		buf[used] = '\0';
	}
	if (n < 0) {
		free(buf);
		return hull_error_fail(err, EIO, "load: `%s`: %s", path, archive_error_string(l->a));
	}
	free(*out);
	*out = buf ? buf : strdup("");
	*len = used;
	return 0;
}

/* Streams the entry's data into a new blob; digest receives what it turned out to be. */
static int read_blob(struct loader *l, char digest[DIGEST_MAX], struct hull_error **err)
{
	struct blob_writer w;
	char chunk[1 << 16];
	la_ssize_t n;
	int ret = store_blob_begin_any(l->s, &w, err);

	if (ret < 0)
		return ret;
	while (ret >= 0 && (n = archive_read_data(l->a, chunk, sizeof(chunk))) > 0)
		ret = store_blob_write(&w, chunk, (size_t)n, err);
	if (ret >= 0 && n < 0)
		ret = hull_error_fail(err, EIO, "load: %s", archive_error_string(l->a));
	if (ret >= 0)
		ret = store_blob_commit_any(l->s, &w, digest, err);
	else
		store_tmp_remove(l->s, w.partial);
	store_blob_close(&w);
	return ret;
}

/* "blobs/sha256/<hex>" names its own digest; the content must have it. */
static int read_named_blob(struct loader *l, const char *path, struct hull_error **err)
{
	char expected[DIGEST_MAX], actual[DIGEST_MAX];
	const char *alg = path + 6, *slash = strchr(alg, '/');
	int ret;

	if (slash == NULL ||
	    snprintf(expected, sizeof(expected), "%.*s:%s", (int)(slash - alg), alg, slash + 1) >=
		(int)sizeof(expected) ||
	    digest_validate(expected, NULL) < 0)
		return hull_error_invalid(err, "load: `%.200s` is not a blob name", path);
	if (store_has_blob(l->s, expected))
		return 0;
	if ((ret = read_blob(l, actual, err)) < 0)
		return ret;
	if (strcmp(actual, expected) != 0) {
		/* The blob went in under the digest of what it holds; no name points at it, gc takes it. */
		return hull_error_fail(err, EBADMSG, "load: `%s` holds content with digest `%s`", path,
				       actual);
	}
	return 0;
}

static int remember_file(struct loader *l, const char *path, struct hull_error **err)
{
	struct loaded_file *grown;
	int ret;

	if (l->n_files >= MAX_FILES)
		return hull_error_fail(err, EFBIG, "load: more than %u files", MAX_FILES);
	grown = realloc(l->files, (l->n_files + 1) * sizeof(*grown));
	if (grown == NULL)
		return hull_error_set(err, ENOMEM, "load");
	l->files = grown;
	grown[l->n_files] = (struct loaded_file){.path = strdup(path)};
	if (grown[l->n_files].path == NULL)
		return hull_error_set(err, ENOMEM, "load");
	if ((ret = read_blob(l, grown[l->n_files].digest, err)) < 0) {
		free(grown[l->n_files].path);
		return ret;
	}
	l->n_files++;
	return 0;
}

static int read_entries(struct loader *l, struct hull_error **err)
{
	struct archive_entry *e;
	int r, ret;

	while ((r = archive_read_next_header(l->a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *path = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
		while (strncmp(path, "./", 2) == 0)
			path += 2;
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (strcmp(path, "index.json") == 0)
			ret = read_document(l, path, &l->index, &l->index_len, err);
		else if (strcmp(path, "manifest.json") == 0)
			ret = read_document(l, path, &l->manifest, &l->manifest_len, err);
		else if (strncmp(path, "blobs/", 6) == 0)
			ret = read_named_blob(l, path, err);
		else if (strcmp(path, "oci-layout") == 0 || strcmp(path, "repositories") == 0)
			ret = 0;
		else
			ret = remember_file(l, path, err);
		if (ret < 0)
			return ret;
	}
	if (r != ARCHIVE_EOF)
		return hull_error_fail(err, EIO, "load: not a tar archive, or a truncated one: %s",
				       archive_error_string(l->a));
	return 0;
}

/* The image manifest a descriptor names: itself, or the host's platform of an index. */
static int image_manifest_of(struct loader *l, const char *digest, char out[DIGEST_MAX],
			     struct hull_error **err)
{
	cleanup_free char *text = NULL;
	struct manifest m;
	const struct descriptor *d;
	const char *os, *arch, *variant;
	size_t len;
	int ret;

	if ((ret = store_blob_read(l->s, digest, MAX_DOCUMENT, &text, &len, err)) < 0 ||
	    (ret = manifest_parse(text, len, NULL, &m, err)) < 0)
		return ret;
	snprintf(out, DIGEST_MAX, "%s", digest);
	if (m.kind == MANIFEST_INDEX) {
		manifest_host_platform(&os, &arch, &variant);
		if ((ret = manifest_select(&m, os, arch, variant, &d, err)) >= 0)
			snprintf(out, DIGEST_MAX, "%s", d->digest);
	}
	manifest_free(&m);
	return ret;
}

static int finish_image(struct loader *l, const char *digest, const char *const *names, size_t n_names,
			struct hull_error **err)
{
	struct local_image img;
	int ret = local_image_load(l->s, digest, &img, err);

	if (ret >= 0)
		ret = layer_store_unpack_missing(l->s, &img, err);
	local_image_free(&img);
	if (ret >= 0 && n_names == 0)
		ret = store_name_image(l->s, NULL, digest, err);
	for (size_t i = 0; ret >= 0 && i < n_names; i++)
		ret = store_name_image(l->s, names[i], digest, err);
	if (ret >= 0 && l->loaded)
		for (size_t i = 0; i < (n_names ? n_names : 1); i++)
			l->loaded(l->arg, n_names ? names[i] : NULL, digest);
	return ret;
}

/* index.json: an OCI layout, as skopeo and podman write oci-archives and Docker 25 writes its archives. */
static int load_layout(struct loader *l, struct hull_error **err)
{
	json_object *doc = NULL, *manifests;
	struct manifest index;
	int ret;

	if ((ret = manifest_parse(l->index, l->index_len, NULL, &index, err)) < 0)
		return hull_error_wrap(err, "load: index.json");
	if (index.kind != MANIFEST_INDEX) {
		manifest_free(&index);
		return hull_error_invalid(err, "load: index.json is not an image index");
	}
	/* Parsed twice: the descriptors checked by manifest_parse, their annotations from the document. */
	if ((ret = json_parse_text(l->index, l->index_len, "index.json", &doc, err)) < 0) {
		manifest_free(&index);
		return ret;
	}
	json_object_object_get_ex(doc, "manifests", &manifests);
	for (size_t i = 0; ret >= 0 && i < index.n_manifests; i++) {
		json_object *entry = json_object_array_get_idx(manifests, i);
		const char *name = local_image_annotation(entry, "io.containerd.image.name");
		char digest[DIGEST_MAX];
		if (name == NULL)
			name = local_image_annotation(entry, ANNOTATION_REF);
		if ((ret = image_manifest_of(l, index.manifests[i].digest, digest, err)) >= 0)
			ret = finish_image(l, digest, name ? &name : NULL, name ? 1 : 0, err);
		if (ret < 0)
			hull_error_wrap(err, "load: `%s`", index.manifests[i].digest);
	}
	json_object_put(doc);
	manifest_free(&index);
	return ret;
}

/* The digest of the blob a manifest.json path names, into out; false when the archive had no such file. */
static bool file_digest(struct loader *l, const char *path, char out[DIGEST_MAX])
{
	const char *slash = strncmp(path, "blobs/", 6) == 0 ? strchr(path + 6, '/') : NULL;

	for (size_t i = 0; i < l->n_files; i++)
		if (strcmp(l->files[i].path, path) == 0) {
			snprintf(out, DIGEST_MAX, "%s", l->files[i].digest);
			return true;
		}
	/* Docker 25 points manifest.json at the layout's blobs. */
	if (slash == NULL)
		return false;
	snprintf(out, DIGEST_MAX, "%.*s:%s", (int)(slash - path - 6), path + 6, slash + 1);
	return digest_validate(out, NULL) == 0 && store_has_blob(l->s, out);
}

static json_object *descriptor_json(struct loader *l, const char *media_type, const char *digest)
{
	cleanup_free char *name = store_blob_name(digest);
	json_object *d = json_object_new_object();
	struct stat st;

	json_object_object_add(d, "mediaType", json_object_new_string(media_type));
	json_object_object_add(d, "digest", json_object_new_string(digest));
	json_object_object_add(
	    d, "size", json_object_new_int64(name && fstatat(l->s->fd, name, &st, 0) == 0 ? st.st_size : 0));
	return d;
}

/* manifest.json alone: the older docker-archive; an OCI manifest is made for each image (the config keeps
 * its digest, so the image keeps its id). */
static int load_docker(struct loader *l, struct hull_error **err)
{
	json_object *doc = NULL;
	int ret = json_parse_text(l->manifest, l->manifest_len, "manifest.json", &doc, err);

	if (ret < 0)
		return ret;
	if (!json_object_is_type(doc, json_type_array)) {
		json_object_put(doc);
		return hull_error_invalid(err, "load: manifest.json is not an array");
	}
	for (size_t i = 0; ret >= 0 && i < json_object_array_length(doc); i++) {
		json_object *entry = json_object_array_get_idx(doc, i), *m, *list;
		const char *config_path = NULL, *text;
		char config[DIGEST_MAX];
		cleanup_free const char **tags = NULL, **layer_paths = NULL;
		size_t n_tags = 0, n_layers = 0;
		char digest[DIGEST_MAX];
		if ((ret = json_field_string(entry, "manifest.json", "Config", &config_path, err)) < 0 ||
		    (ret = json_field_strv(entry, "manifest.json", "RepoTags", &tags, &n_tags, err)) < 0 ||
		    (ret = json_field_strv(entry, "manifest.json", "Layers", &layer_paths, &n_layers, err)) <
			0)
			break;
		if (config_path == NULL || !file_digest(l, config_path, config)) {
			ret = hull_error_invalid(err,
						 "load: manifest.json: config `%.200s` is not in the archive",
						 config_path ? config_path : "");
			break;
		}
		m = json_object_new_object();
		list = json_object_new_array();
		json_object_object_add(m, "schemaVersion", json_object_new_int(2));
		json_object_object_add(m, "mediaType", json_object_new_string(MEDIA_OCI_MANIFEST));
		json_object_object_add(
		    m, "config", descriptor_json(l, "application/vnd.oci.image.config.v1+json", config));
		for (size_t k = 0; k < n_layers; k++) {
			char layer[DIGEST_MAX];
			if (!file_digest(l, layer_paths[k], layer)) {
				ret = hull_error_invalid(
				    err, "load: manifest.json: layer `%.200s` is not in the archive",
				    layer_paths[k]);
				break;
			}
			json_object_array_add(list,
					      descriptor_json(l, layer_store_media_type(l->s, layer), layer));
		}
		json_object_object_add(m, "layers", list);
		text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
		digest_buffer(text, strlen(text), NULL, digest);
		if (ret >= 0 && (ret = store_blob_put(l->s, digest, text, strlen(text), err)) >= 0 &&
		    (ret = finish_image(l, digest, tags, n_tags, err)) < 0)
			hull_error_wrap(err, "load: manifest.json entry %zu", i);
		json_object_put(m);
	}
	json_object_put(doc);
	return ret;
}

int image_load(struct store *s, int in_fd, image_loaded_fn loaded, void *arg, struct hull_error **err)
{
	struct loader l = {.s = s, .a = archive_read_new(), .loaded = loaded, .arg = arg};
	int ret = 0;

	if (l.a == NULL)
		return hull_error_set(err, ENOMEM, "load");
	archive_read_support_filter_gzip(l.a);
	archive_read_support_filter_zstd(l.a);
	archive_read_support_filter_none(l.a);
	archive_read_support_format_tar(l.a);
	if (archive_read_open_fd(l.a, in_fd, 1 << 16) != ARCHIVE_OK)
		ret = hull_error_fail(err, EIO, "load: %s", archive_error_string(l.a));
	if (ret >= 0)
		ret = read_entries(&l, err);
	if (ret >= 0 && l.index)
		ret = load_layout(&l, err);
	else if (ret >= 0 && l.manifest)
		ret = load_docker(&l, err);
	else if (ret >= 0)
		ret = hull_error_invalid(err, "load: the archive has neither index.json nor manifest.json");
	archive_read_free(l.a);
	free(l.index);
	free(l.manifest);
	for (size_t i = 0; i < l.n_files; i++)
		free(l.files[i].path);
	free(l.files);
	return ret;
}
