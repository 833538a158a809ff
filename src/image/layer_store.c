#include "image/layer_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "image/local_image.h"
#include "image/unpack.h"
#include "util/json.h"
#include "util/cleanup.h"

/* What a layer may expand to: the caller's figure, else what the store's file system has free less a
 * twentieth of its size, so that a layer (or a bomb) fails with a line before the disk is full. */
static uint64_t layer_limit(const struct store *s, int diff_fd, uint64_t beside)
{
	struct statvfs v;
	uint64_t free_, reserve;

	if (s->max_layer_bytes)
		return s->max_layer_bytes;
	if (fstatvfs(diff_fd, &v) < 0)
		return 0; /* the unpacker's own cap */
	free_ = (uint64_t)v.f_bavail * v.f_frsize;
	reserve = (uint64_t)v.f_blocks * v.f_frsize / 20 + beside;
	return free_ > reserve ? free_ - reserve : 1;
}

/* diff_id NULL: any, written to actual.  beside: what the caller writes to the store meanwhile (the blob
 * of a download unpacked as it arrives). */
static int unpack(struct store *s, int fd, const char *diff_id, const char *chain_id, uint64_t beside,
		  char actual[DIGEST_MAX], struct hull_error **err)
{
	cleanup_free char *tmp = NULL;
	cleanup_close int diff_fd = -1;
	struct unpack_options o = {.overlay = true, .diff_id = actual};
	int ret;

	if ((ret = store_layer_begin(s, &tmp, &diff_fd, err)) < 0)
		return ret;
	o.max_bytes = layer_limit(s, diff_fd, beside);
	o.limit_hint = s->max_layer_bytes ? "--max-layer-size"
					  : "the store's free space less 5%; --max-layer-size sets it";
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

int layer_store_unpack(struct store *s, int fd, const char *diff_id, const char *chain_id, uint64_t beside,
		       struct hull_error **err)
{
	char actual[DIGEST_MAX] = "";
	return unpack(s, fd, diff_id, chain_id, beside, actual, err);
}

int layer_store_unpack_new(struct store *s, int fd, char diff_id[DIGEST_MAX], struct hull_error **err)
{
	return unpack(s, fd, NULL, NULL, 0, diff_id, err);
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
	return layer_store_unpack(s, fd, diff_id, chain_id, 0, err);
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
