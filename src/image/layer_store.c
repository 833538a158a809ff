#include "image/layer_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/local_image.h"
#include "image/unpack.h"
#include "util/json.h"
#include "util/cleanup.h"

/* diff_id NULL: any, written to actual. */
static int unpack(struct store *s, int fd, const char *diff_id, const char *chain_id, char actual[DIGEST_MAX],
		  struct hull_error **err)
{
	cleanup_free char *tmp = NULL;
	cleanup_close int diff_fd = -1;
	struct unpack_options o = {.overlay = true, .diff_id = actual};
	int ret;

	if ((ret = store_layer_begin(s, &tmp, &diff_fd, err)) < 0)
		return ret;
	ret = image_unpack_layer(diff_fd, fd, &o, err);
	if (ret >= 0 && diff_id && strcmp(actual, diff_id) != 0)
		ret = hull_error_fail(err, EBADMSG,
				      "uncompressed content has digest `%s` where the config says `%s`",
				      actual, diff_id);
	if (ret < 0) {
		store_tmp_remove(s, tmp);
		return ret;
	}
	return store_layer_commit(s, tmp, chain_id ? chain_id : actual, err);
}

int layer_store_unpack(struct store *s, int fd, const char *diff_id, const char *chain_id,
		       struct hull_error **err)
{
	char actual[DIGEST_MAX] = "";
	return unpack(s, fd, diff_id, chain_id, actual, err);
}

int layer_store_unpack_new(struct store *s, int fd, char diff_id[DIGEST_MAX], struct hull_error **err)
{
	return unpack(s, fd, NULL, NULL, diff_id, err);
}

const char *layer_store_media_type(struct store *s, const char *blob_digest)
{
	cleanup_free char *name = store_blob_name(blob_digest);
	cleanup_close int fd = name ? openat(s->fd, name, O_RDONLY | O_CLOEXEC) : -1;
	unsigned char magic[4] = {0};

	if (fd >= 0 && read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic)) {
		if (magic[0] == 0x1f && magic[1] == 0x8b)
			return "application/vnd.oci.image.layer.v1.tar+gzip";
		if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
			return "application/vnd.oci.image.layer.v1.tar+zstd";
	}
	return "application/vnd.oci.image.layer.v1.tar";
}

int layer_store_unpack_blob(struct store *s, const char *blob_digest, const char *diff_id,
			    const char *chain_id, struct hull_error **err)
{
	cleanup_free char *name = store_blob_name(blob_digest);
	cleanup_close int fd = name ? openat(s->fd, name, O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0)
		return hull_error_errno(err, "blob `%s`", blob_digest);
	return layer_store_unpack(s, fd, diff_id, chain_id, err);
}

int layer_store_unpack_missing(struct store *s, const struct local_image *img, struct hull_error **err)
{
	json_object *rootfs = NULL;
	cleanup_free const char **diff_ids = NULL;
	size_t n = 0;
	int ret;

	/* local_image_load checked that there is one diff id per layer. */
	json_object_object_get_ex(img->config, "rootfs", &rootfs);
	if ((ret = json_field_strv(rootfs, "image config rootfs", "diff_ids", &diff_ids, &n, err)) < 0)
		return ret;
	for (size_t i = 0; i < img->manifest.n_layers && i < n; i++) {
		if (store_has_layer(s, img->chain_ids[i]))
			continue;
		if ((ret = layer_store_unpack_blob(s, img->manifest.layers[i].digest, diff_ids[i],
						   img->chain_ids[i], err)) < 0)
			return hull_error_wrap(err, "layer `%s`", img->manifest.layers[i].digest);
	}
	return 0;
}
