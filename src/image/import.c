#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/import_export.h"
#include "image/layer_store.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/store_gc.h"
#include "util/cleanup.h"

static int copy_to_blob(struct store *s, int in_fd, char digest[DIGEST_MAX], struct hull_error **err)
{
	struct blob_writer w;
	char buf[1 << 16];
	ssize_t n;
	int ret = store_blob_begin_any(s, &w, err);

	if (ret < 0)
		return ret;
	while (ret >= 0 && (n = read(in_fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		ret =
		    n < 0 ? hull_error_errno(err, "import: read") : store_blob_write(&w, buf, (size_t)n, err);
	}
	if (ret >= 0)
		ret = store_blob_commit_any(s, &w, digest, err);
	else
		store_tmp_remove(s, w.partial);
	store_blob_close(&w);
	return ret;
}

static json_object *descriptor(const char *media_type, const char *digest, int64_t size)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "mediaType", json_object_new_string(media_type));
	json_object_object_add(d, "digest", json_object_new_string(digest));
	json_object_object_add(d, "size", json_object_new_int64(size));
	return d;
}

/* The image config Docker gives an imported root: nothing to run yet, a PATH, one layer. */
static json_object *import_config(const char *diff_id)
{
	const char *os, *arch, *variant;
	char created[32];
	time_t now = time(NULL);
	json_object *c = json_object_new_object(), *config = json_object_new_object(),
		    *env = json_object_new_array();
	json_object *rootfs = json_object_new_object(), *diffs = json_object_new_array();
	json_object *history = json_object_new_array(), *h = json_object_new_object();

	manifest_host_platform(&os, &arch, &variant);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_object_object_add(c, "created", json_object_new_string(created));
	json_object_object_add(c, "architecture", json_object_new_string(arch));
	if (variant)
		json_object_object_add(c, "variant", json_object_new_string(variant));
	json_object_object_add(c, "os", json_object_new_string(os));
	json_object_array_add(
	    env, json_object_new_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	json_object_object_add(config, "Env", env);
	json_object_object_add(c, "config", config);
	json_object_array_add(diffs, json_object_new_string(diff_id));
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", diffs);
	json_object_object_add(c, "rootfs", rootfs);
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "created_by", json_object_new_string("hull import"));
	json_object_array_add(history, h);
	json_object_object_add(c, "history", history);
	return c;
}

static int put_json(struct store *s, json_object *doc, char digest[DIGEST_MAX], int64_t *size,
		    struct hull_error **err)
{
	const char *text =
	    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	*size = (int64_t)strlen(text);
	digest_buffer(text, strlen(text), NULL, digest);
	return store_blob_put(s, digest, text, strlen(text), err);
}

int image_import(struct store *s, int in_fd, const char *name, char manifest_digest[DIGEST_MAX],
		 struct hull_error **err)
{
	char layer[DIGEST_MAX], diff_id[DIGEST_MAX], config_digest[DIGEST_MAX];
	cleanup_free char *blob = NULL;
	cleanup_close int fd = -1;
	json_object *config = NULL, *manifest = NULL, *layers;
	int64_t config_size, manifest_size;
	struct stat st;
	int ret;

	/* A bad name is refused before anything is written. */
	if (name) {
		struct image_ref ref = {0};
		if ((ret = image_ref_parse(name, &ref, err)) < 0)
			goto out;
		image_ref_free(&ref);
	}
	if ((ret = copy_to_blob(s, in_fd, layer, err)) < 0)
		goto out;
	blob = store_blob_name(layer);
	fd = blob ? openat(s->fd, blob, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = hull_error_errno(err, "blob `%s`", layer);
		goto out;
	}
	/* Unpacked like any pulled layer, which also refuses what is not a tarball. */
	if ((ret = layer_store_unpack_new(s, fd, diff_id, err)) < 0)
		goto out;
	config = import_config(diff_id);
	if ((ret = put_json(s, config, config_digest, &config_size, err)) < 0)
		goto out;
	manifest = json_object_new_object();
	layers = json_object_new_array();
	json_object_object_add(manifest, "schemaVersion", json_object_new_int(2));
	json_object_object_add(manifest, "mediaType", json_object_new_string(MEDIA_OCI_MANIFEST));
	json_object_object_add(
	    manifest, "config",
	    descriptor("application/vnd.oci.image.config.v1+json", config_digest, config_size));
	json_object_array_add(layers, descriptor(layer_store_media_type(s, layer), layer, st.st_size));
	json_object_object_add(manifest, "layers", layers);
	if ((ret = put_json(s, manifest, manifest_digest, &manifest_size, err)) < 0)
		goto out;
	ret = store_name_image(s, name, manifest_digest, err);
out:
	if (config)
		json_object_put(config);
	if (manifest)
		json_object_put(manifest);
	return ret < 0 ? hull_error_wrap(err, "import") : 0;
}
