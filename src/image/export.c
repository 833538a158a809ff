#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/import_export.h"
#include "image/local_image.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* The layers applied in order, whiteouts applied too, into a directory under the store's tmp/. */
static int flatten(struct store *s, const struct local_image *img, int root_fd, struct hull_error **err)
{
	for (size_t i = 0; i < img->manifest.n_layers; i++) {
		cleanup_free char *name = store_blob_name(img->manifest.layers[i].digest);
		cleanup_close int fd = name ? openat(s->fd, name, O_RDONLY | O_CLOEXEC) : -1;
		int ret;
		if (fd < 0)
			return hull_error_errno(err, "blob `%s`", img->manifest.layers[i].digest);
		if ((ret = image_unpack_layer(root_fd, fd, NULL, err)) < 0)
			return hull_error_wrap(err, "layer `%s`", img->manifest.layers[i].digest);
	}
	return 0;
}

static int write_entry(struct archive *out, struct archive *disk, struct archive_entry *e, const char *root,
		       struct hull_error **err)
{
	const char *path = archive_entry_pathname(e), *link = archive_entry_hardlink(e);
	size_t skip = strlen(root);
	char buf[1 << 16];
	la_ssize_t n;

	/* Paths (and hard link targets) relative to the root, as in a layer: "./etc/passwd". */
	if (strncmp(path, root, skip) == 0) {
		cleanup_free char *rel = NULL;
		if (asprintf(&rel, ".%s", path[skip] ? path + skip : "/") < 0)
			return hull_error_set(err, ENOMEM, "export");
		archive_entry_copy_pathname(e, rel);
	}
	if (link && strncmp(link, root, skip) == 0) {
		cleanup_free char *rel = NULL;
		if (asprintf(&rel, ".%s", link + skip) < 0)
			return hull_error_set(err, ENOMEM, "export");
		archive_entry_copy_hardlink(e, rel);
	}
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	if (archive_write_header(out, e) < ARCHIVE_WARN)
		return hull_error_fail(err, EIO, "export: `%s`: %s", archive_entry_pathname(e),
				       archive_error_string(out));
	if (archive_entry_size(e) > 0 && archive_entry_filetype(e) == AE_IFREG &&
	    archive_entry_hardlink(e) == NULL)
		while ((n = archive_read_data(disk, buf, sizeof(buf))) > 0)
			if (archive_write_data(out, buf, (size_t)n) < 0)
				return hull_error_fail(err, EIO, "export: %s", archive_error_string(out));
	return 0;
}

static int write_tar(const char *root, int out_fd, struct hull_error **err)
{
	struct archive *disk = archive_read_disk_new(), *out = archive_write_new();
	struct archive_entry_linkresolver *links = archive_entry_linkresolver_new();
	struct archive_entry *e, *spare;
	int r, ret = 0;

	if (disk == NULL || out == NULL || links == NULL) {
		ret = hull_error_set(err, ENOMEM, "export");
		goto out;
	}
	/* Symlinks as links, owners as numbers (the image's names mean nothing on the host). */
	archive_read_disk_set_symlink_physical(disk);
	archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	archive_write_set_format_pax_restricted(out);
	/* xattrs in the SCHILY form that GNU tar reads too. */
	archive_write_set_options(out, "xattrheader=SCHILY");
	archive_entry_linkresolver_set_strategy(links, archive_format(out));
	if (archive_write_open_fd(out, out_fd) != ARCHIVE_OK ||
	    archive_read_disk_open(disk, root) != ARCHIVE_OK) {
		ret = hull_error_fail(err, EIO, "export: %s", archive_error_string(disk));
		goto out;
	}
	for (;;) {
		e = archive_entry_new();
		r = archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF) {
			archive_entry_free(e);
			break;
		}
		if (r < ARCHIVE_WARN) {
			archive_entry_free(e);
			ret = hull_error_fail(err, EIO, "export: %s", archive_error_string(disk));
			break;
		}
		archive_read_disk_descend(disk);
		/* Hard links: the first of a set is written whole, the others as links to it. */
		spare = NULL;
		archive_entry_linkify(links, &e, &spare);
		if (e && (ret = write_entry(out, disk, e, root, err)) < 0) {
			archive_entry_free(e);
			archive_entry_free(spare);
			break;
		}
		archive_entry_free(e);
		archive_entry_free(spare);
	}
	if (archive_write_close(out) != ARCHIVE_OK && ret >= 0)
		ret = hull_error_fail(err, EIO, "export: %s", archive_error_string(out));
out:
	if (links)
		archive_entry_linkresolver_free(links);
	if (disk)
		archive_read_free(disk);
	if (out)
		archive_write_free(out);
	return ret;
}

int image_export(struct store *s, const char *image, int out_fd, struct hull_error **err)
{
	char digest[DIGEST_MAX];
	struct local_image img = {0};
	cleanup_free char *tmp = NULL;
	cleanup_close int root_fd = -1;
	int ret;

	if ((ret = local_image_find(s, image, digest, err)) < 0 ||
	    (ret = local_image_load(s, digest, &img, err)) < 0)
		return hull_error_wrap(err, "export");
	if (asprintf(&tmp, "%s/tmp/export-XXXXXX", s->path) < 0 || mkdtemp(tmp) == NULL) {
		local_image_free(&img);
		return hull_error_errno(err, "export: temporary directory");
	}
	/* mkdtemp's 0700 would become the exported root's mode. */
	if (chmod(tmp, 0755) < 0)
		ret = hull_error_errno(err, "export: `%s`", tmp);
	root_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ret >= 0 && root_fd < 0)
		ret = hull_error_errno(err, "export: `%s`", tmp);
	if (ret >= 0)
		ret = flatten(s, &img, root_fd, err);
	if (ret >= 0)
		ret = write_tar(tmp, out_fd, err);
	fs_remove_tree(AT_FDCWD, tmp, NULL);
	local_image_free(&img);
	return ret < 0 ? hull_error_wrap(err, "export `%s`", image) : 0;
}
