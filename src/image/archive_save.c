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
#include "image/local_image.h"
#include "image/reference.h"
#include "util/cleanup.h"

struct saver {
	struct store *s;
	struct archive *a;
	char **written; /* blobs already in the archive */
	size_t n_written;
};

static int add_bytes(struct saver *v, const char *path, const void *data, size_t len, struct hull_error **err)
{
	struct archive_entry *e = archive_entry_new();
	int ret = 0;

	if (e == NULL)
		return hull_error_set(err, ENOMEM, "save");
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(v->a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(v->a, data, len) != (la_ssize_t)len))
		ret = hull_error_fail(err, EIO, "save: `%s`: %s", path, archive_error_string(v->a));
	archive_entry_free(e);
	return ret;
}

static int add_blob(struct saver *v, const char *digest, struct hull_error **err)
{
	cleanup_free char *name = store_blob_name(digest);
	cleanup_close int fd = -1;
	struct archive_entry *e;
	struct stat st;
	char buf[1 << 16];
	ssize_t n;
	int ret = 0;

	if (name == NULL)
		return hull_error_set(err, ENOMEM, "save");
	for (size_t i = 0; i < v->n_written; i++)
		if (strcmp(v->written[i], digest) == 0)
			return 0;
	fd = openat(v->s->fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return hull_error_errno(err, "save: blob `%s`", digest);
	e = archive_entry_new();
	if (e == NULL)
		return hull_error_set(err, ENOMEM, "save");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	if (archive_write_header(v->a, e) != ARCHIVE_OK)
		ret = hull_error_fail(err, EIO, "save: `%s`: %s", name, archive_error_string(v->a));
	while (ret >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(v->a, buf, (size_t)n) != n)
			ret = hull_error_fail(err, EIO, "save: `%s`: %s", name, archive_error_string(v->a));
	archive_entry_free(e);
	if (ret >= 0) {
		char **grown = realloc(v->written, (v->n_written + 1) * sizeof(char *));
		if (grown == NULL)
			return hull_error_set(err, ENOMEM, "save");
		v->written = grown;
		if ((grown[v->n_written] = strdup(digest)) == NULL)
			return hull_error_set(err, ENOMEM, "save");
		v->n_written++;
	}
	return ret;
}

/* One image: its blobs, its index.json entry and, for Docker, its manifest.json entry. */
static int add_image(struct saver *v, const char *image, json_object *index, json_object *docker,
		     struct hull_error **err)
{
	char digest[DIGEST_MAX];
	struct local_image img;
	struct image_ref ref = {0};
	cleanup_free char *name = NULL, *text = NULL;
	json_object *entry, *annotations, *layers, *tags;
	size_t len;
	int ret;

	if ((ret = local_image_find(v->s, image, digest, err)) < 0 ||
	    (ret = local_image_load(v->s, digest, &img, err)) < 0)
		return ret;
	if (image_ref_parse(image, &ref, NULL) >= 0 && ref.tag)
		name = image_ref_format(&ref);
	if ((ret = store_blob_read(v->s, digest, 4u << 20, &text, &len, err)) < 0 ||
	    (ret = add_blob(v, digest, err)) < 0 || (ret = add_blob(v, img.manifest.config.digest, err)) < 0)
		goto out;
	for (size_t i = 0; i < img.manifest.n_layers; i++)
		if ((ret = add_blob(v, img.manifest.layers[i].digest, err)) < 0)
			goto out;
	entry = json_object_new_object();
	annotations = json_object_new_object();
	json_object_object_add(entry, "mediaType", json_object_new_string(img.manifest.media_type));
	json_object_object_add(entry, "digest", json_object_new_string(digest));
	json_object_object_add(entry, "size", json_object_new_int64((int64_t)len));
	/* As Docker writes it: the full name for containerd and the tag as the OCI ref name. */
	if (name) {
		json_object_object_add(annotations, "io.containerd.image.name", json_object_new_string(name));
		json_object_object_add(annotations, ANNOTATION_REF, json_object_new_string(ref.tag));
	}
	json_object_object_add(entry, "annotations", annotations);
	json_object_array_add(json_object_object_get(index, "manifests"), entry);
	if (docker) {
		cleanup_free char *config = store_blob_name(img.manifest.config.digest);
		entry = json_object_new_object();
		layers = json_object_new_array();
		tags = json_object_new_array();
		json_object_object_add(entry, "Config", json_object_new_string(config));
		if (name)
			json_object_array_add(tags, json_object_new_string(name));
		json_object_object_add(entry, "RepoTags", tags);
		for (size_t i = 0; i < img.manifest.n_layers; i++) {
			cleanup_free char *layer = store_blob_name(img.manifest.layers[i].digest);
			json_object_array_add(layers, json_object_new_string(layer));
		}
		json_object_object_add(entry, "Layers", layers);
		json_object_array_add(docker, entry);
	}
out:
	image_ref_free(&ref);
	local_image_free(&img);
	return ret;
}

int image_save(struct store *s, const char *const *images, size_t n, enum archive_format format, int out_fd,
	       struct hull_error **err)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	struct saver v = {.s = s, .a = archive_write_new()};
	json_object *index = json_object_new_object(),
		    *docker = format == ARCHIVE_DOCKER ? json_object_new_array() : NULL;
	int ret = 0;

	if (v.a == NULL)
		return hull_error_set(err, ENOMEM, "save");
	json_object_object_add(index, "schemaVersion", json_object_new_int(2));
	json_object_object_add(index, "mediaType",
			       json_object_new_string("application/vnd.oci.image.index.v1+json"));
	json_object_object_add(index, "manifests", json_object_new_array());
	archive_write_set_format_pax_restricted(v.a);
	if (archive_write_open_fd(v.a, out_fd) != ARCHIVE_OK)
		ret = hull_error_fail(err, EIO, "save: %s", archive_error_string(v.a));
	if (ret >= 0)
		ret = add_bytes(&v, "oci-layout", layout, strlen(layout), err);
	for (size_t i = 0; ret >= 0 && i < n; i++)
		if ((ret = add_image(&v, images[i], index, docker, err)) < 0)
			hull_error_wrap(err, "save `%s`", images[i]);
	if (ret >= 0) {
		const char *text = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN |
									     JSON_C_TO_STRING_NOSLASHESCAPE);
		ret = add_bytes(&v, "index.json", text, strlen(text), err);
	}
	if (ret >= 0 && docker) {
		const char *text = json_object_to_json_string_ext(docker, JSON_C_TO_STRING_PLAIN |
									      JSON_C_TO_STRING_NOSLASHESCAPE);
		ret = add_bytes(&v, "manifest.json", text, strlen(text), err);
	}
	if (archive_write_close(v.a) != ARCHIVE_OK && ret >= 0)
		ret = hull_error_fail(err, EIO, "save: %s", archive_error_string(v.a));
	archive_write_free(v.a);
	json_object_put(index);
	if (docker)
		json_object_put(docker);
	for (size_t i = 0; i < v.n_written; i++)
		free(v.written[i]);
	free(v.written);
	return ret;
}
