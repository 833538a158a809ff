#include "image/push.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/local_image.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/log.h"

#define MAX_MANIFEST (4u << 20)

/* A repository of the destination registry that already holds the image (it was pulled from there or
 * pushed there), for cross-repository mounts; NULL when none. */
static char *mount_source(struct store *s, const char *manifest_digest, const struct image_ref *dest)
{
	json_object *index = NULL, *manifests;
	char *found = NULL;

	if (store_index_read(s, &index, NULL) < 0)
		return NULL;
	json_object_object_get_ex(index, "manifests", &manifests);
	for (size_t i = 0; found == NULL && i < json_object_array_length(manifests); i++) {
		json_object *e = json_object_array_get_idx(manifests, i), *d;
		const char *name = local_image_annotation(e, ANNOTATION_NAME);
		struct image_ref ref = {0};
		if (name == NULL || !json_object_object_get_ex(e, "digest", &d) ||
		    strcmp(json_object_get_string(d), manifest_digest) != 0 ||
		    image_ref_parse(name, &ref, NULL) < 0)
			continue;
		if (strcmp(ref.domain, dest->domain) == 0 && strcmp(ref.repository, dest->repository) != 0)
			found = strdup(ref.repository);
		image_ref_free(&ref);
	}
	json_object_put(index);
	return found;
}

static int push_blob(struct store *s, struct registry *r, const struct image_ref *dest, const char *from,
		     const struct descriptor *d, const struct push_options *o, struct hull_error **err)
{
	cleanup_free char *name = store_blob_name(d->digest);
	cleanup_close int fd = -1;
	enum push_blob_fate fate = PUSH_BLOB_EXISTS;
	bool exists = false, mounted = false;
	struct stat st;
	int ret;

	if (name == NULL)
		return hull_error_set(err, ENOMEM, "push");
	if ((ret = registry_blob_exists(r, dest->repository, d->digest, &exists, err)) < 0)
		return ret;
	if (!exists && from &&
	    (ret = registry_mount_blob(r, dest->repository, d->digest, from, &mounted, err)) < 0)
		return ret;
	if (mounted) {
		fate = PUSH_BLOB_MOUNTED;
		hull_log_debug("blob %s mounted from %s", d->digest, from);
	} else if (!exists) {
		fd = openat(s->fd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return hull_error_errno(err, "blob `%s`", d->digest);
		if ((ret = registry_upload_blob(r, dest->repository, d->digest, fd, (uint64_t)st.st_size,
						err)) < 0)
			return ret;
		fate = PUSH_BLOB_UPLOADED;
	}
	if (o->observer && o->observer->blob)
		o->observer->blob(o->observer->arg, d->digest, d->size, fate);
	return 0;
}

int image_push(struct store *s, const char *image, const char *destination, const struct push_options *o,
	       char manifest_digest[DIGEST_MAX], struct hull_error **err)
{
	char digest[DIGEST_MAX];
	struct local_image img = {0};
	struct image_ref dest = {0};
	cleanup_registry struct registry *r = NULL;
	cleanup_free char *from = NULL, *body = NULL;
	const char *target = destination ? destination : image;
	size_t len;
	int ret;

	if ((ret = local_image_find(s, image, digest, err)) < 0 ||
	    (ret = local_image_load(s, digest, &img, err)) < 0)
		goto out;
	if ((ret = image_ref_parse(target, &dest, err)) < 0)
		goto out;
	if (dest.digest && strcmp(dest.digest, digest) != 0) {
		ret = hull_error_invalid(err, "destination `%s` names another digest than the image's `%s`",
					 target, digest);
		goto out;
	}
	if ((ret = registry_open(image_ref_registry_host(&dest), &o->registry, &r, err)) < 0)
		goto out;
	from = mount_source(s, digest, &dest);
	if ((ret = push_blob(s, r, &dest, from, &img.manifest.config, o, err)) < 0)
		goto out;
	for (size_t i = 0; i < img.manifest.n_layers; i++)
		if ((ret = push_blob(s, r, &dest, from, &img.manifest.layers[i], o, err)) < 0)
			goto out;
	/* The manifest as stored: the same bytes keep the same digest. */
	if ((ret = store_blob_read(s, digest, MAX_MANIFEST, &body, &len, err)) < 0 ||
	    (ret = registry_put_manifest(r, dest.repository, dest.tag ? dest.tag : digest,
					 img.manifest.media_type, body, len, err)) < 0)
		goto out;
	snprintf(manifest_digest, DIGEST_MAX, "%s", digest);
out:
	if (ret < 0)
		hull_error_wrap(err, "push `%s`", target);
	image_ref_free(&dest);
	local_image_free(&img);
	return ret;
}
