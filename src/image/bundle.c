#include "image/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/mount.h>

#include "image/local_image.h"
#include "image/unpack.h"
#include "image/runtime_config.h"
#include "image/store_gc.h"
#include "linux/namespaces.h"
#include "oci/default.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/rootless.h"

/* Whether a layer's diff marks its root opaque (an ".wh..wh..opq" at the top of its tar): overlayfs ignores
 * the marker on a layer's root, so the layers under it are left out of the mount instead, which is what
 * export (applying the layers in order) makes of it too. */
static bool root_is_opaque(struct store *s, const char *chain_id)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	char value[2] = "";

	if (asprintf(&path, "layers/%s/diff", digest_hex(chain_id)) < 0)
		return false;
	fd = openat(s->fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 && fgetxattr(fd, image_overlay_opaque_xattr(), value, sizeof(value)) == 1 &&
	       value[0] == 'y';
}

/* lowerdir lists the layers top first, as paths relative to the store (the mount is made from inside it):
 * absolute paths would spend the one page of mount options on the store's prefix ~60 times over. */
char *image_bundle_lower_dirs(struct store *s, const struct local_image *img)
{
	size_t n = img->manifest.n_layers, len = 1;
	char *out, *w;

	for (size_t i = 0; i < n; i++)
		len += strlen("layers//diff:") + strlen(digest_hex(img->chain_ids[i]));
	out = w = malloc(len);
	if (out == NULL)
		return NULL;
	*w = '\0';
	for (size_t i = n; i-- > 0;) {
		w += sprintf(w, "%slayers/%s/diff", i + 1 < n ? ":" : "", digest_hex(img->chain_ids[i]));
		if (root_is_opaque(s, img->chain_ids[i]))
			break;
	}
	return out;
}

/* DIR/.hull-lower/N, one per layer the overlay uses: unmounted, in any state a crash left them. */
static void unmount_lowers(const char *dir)
{
	for (int i = 0; i < 4096; i++) {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/.hull-lower/%d", dir, i);
		if (access(path, F_OK) < 0)
			break;
		umount2(path, MNT_DETACH);
	}
}

/* Each layer of lower (store-relative, ':'-separated) id-mapped at DIR/.hull-lower/N; the lowerdir for
 * them, relative to DIR, in *out. */
static int map_lowers(struct store *s, const char *lower, const char *dir, const struct bundle_idmap *idmap,
		      char **out, struct hull_error **err)
{
	struct oci_id_mapping uids = {.container_id = 0, .host_id = idmap->uid, .size = idmap->size};
	struct oci_id_mapping gids = {.container_id = 0, .host_id = idmap->gid, .size = idmap->size};
	cleanup_free char *copy = strdup(lower), *base = NULL;
	cleanup_close int userns = -1;
	char *save = NULL, *w;
	size_t len = 1;
	int n = 0, ret = 0;

	if (copy == NULL || asprintf(&base, "%s/.hull-lower", dir) < 0)
		return hull_error_set(err, ENOMEM, "bundle");
	if ((userns = namespaces_open_mapped_userns(&uids, 1, &gids, 1, err)) < 0)
		return hull_error_wrap(err, "id-mapped layers");
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return hull_error_errno(err, "create `%s`", base);
	for (const char *c = lower; *c; c++)
		len += *c == ':' ? 18 : 0;
	len += 18 + 16;
	if ((*out = w = malloc(len)) == NULL)
		return hull_error_set(err, ENOMEM, "bundle");
	*w = '\0';
	for (char *layer = strtok_r(copy, ":", &save); layer && ret >= 0;
	     layer = strtok_r(NULL, ":", &save), n++) {
		char target[PATH_MAX + 32];
		cleanup_close int tree = -1;
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
		snprintf(target, sizeof(target), "%s/%d", base, n);
		if (mkdir(target, 0700) < 0 && errno != EEXIST)
			ret = hull_error_errno(err, "create `%s`", target);
		else if ((tree = (int)syscall(SYS_open_tree, s->fd, layer,
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
			ret = hull_error_errno(err, "id-map layer `%s`", layer);
		else if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			ret =
			    hull_error_errno(err,
					     "id-map layer `%s` (the kernel needs id-mapped mounts, 5.12, on "
					     "the store's file system)",
					     layer);
		else if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			ret = hull_error_errno(err, "mount id-mapped layer on `%s`", target);
		else
			w += sprintf(w, "%s.hull-lower/%d", n ? ":" : "", n);
	}
	if (ret < 0) {
		unmount_lowers(dir);
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* ephemeral: the bundle's own writable layer goes under the image's as the top lower one, and the
 * overlay writes to DIR/.hull-ephemeral instead, which the caller throws away. */
static int mount_rootfs(struct store *s, const struct local_image *img, const char *dir,
			const struct bundle_idmap *idmap, bool ephemeral, struct hull_error **err)
{
	cleanup_free char *lower = image_bundle_lower_dirs(s, img), *mapped = NULL, *options = NULL,
			  *target = NULL, *upper = NULL, *own = NULL, *work = NULL;
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	long page = sysconf(_SC_PAGESIZE);
	int ret = 0;

	if (lower == NULL || asprintf(&target, "%s/rootfs", dir) < 0 ||
	    asprintf(&upper, ephemeral ? "%s/.hull-ephemeral/upper" : "%s/.hull-upper", dir) < 0 ||
	    asprintf(&work, ephemeral ? "%s/.hull-ephemeral/work" : "%s/.hull-work", dir) < 0)
		return hull_error_set(err, ENOMEM, "bundle");
	if (ephemeral) {
		if (idmap)
			return hull_error_fail(err, ENOTSUP,
					       "an ephemeral root in a user namespace of its own is not supported");
		if (asprintf(&own, "%s/.hull-upper:%s", dir, lower) < 0)
			return hull_error_set(err, ENOMEM, "bundle");
		free(lower);
		lower = own;
		own = NULL;
	}
	if (idmap) {
		/* Stale ones first (a start after a crash), then the layers mapped anew; the writable layer's
		 * root belongs to the container's root. */
		unmount_lowers(dir);
		if ((ret = map_lowers(s, lower, dir, idmap, &mapped, err)) < 0)
			return ret;
		if (chown(upper, idmap->uid, idmap->gid) < 0) {
			unmount_lowers(dir);
			return hull_error_errno(err, "chown `%s`", upper);
		}
	}
	if (asprintf(&options, "lowerdir=%s,upperdir=%s,workdir=%s%s", mapped ? mapped : lower, upper, work,
		     rootless_nested() ? ",userxattr" : "") < 0)
		return hull_error_set(err, ENOMEM, "bundle");
	if ((long)strlen(options) >= page)
		ret =
		    hull_error_fail(err, E2BIG, "overlay mount: %zu layers do not fit in one mount's options",
				    img->manifest.n_layers);
	/* Store-relative lowers are found from inside the store, the id-mapped ones from the bundle. */
	else if (cwd < 0 || (mapped ? chdir(dir) : fchdir(s->fd)) < 0)
		ret = hull_error_errno(err, "enter the store");
	else if (mount("overlay", target, "overlay", 0, options) < 0)
		ret = hull_error_errno(err, "mount the image's layers on `%s`", target);
	if (cwd >= 0 && fchdir(cwd) < 0 && ret >= 0)
		ret = hull_error_errno(err, "return to the working directory");
	if (ret < 0 && mapped)
		unmount_lowers(dir);
	return ret;
}

static int write_config(const struct local_image *img, const char *dir, struct hull_error **err)
{
	cleanup_free char *rootfs = NULL, *path = NULL;
	cleanup_close int root_fd = -1;
	json_object *spec = oci_default_config(false), *root, *process;
	const char *text;
	int ret;

	if (spec == NULL || asprintf(&rootfs, "%s/rootfs", dir) < 0 ||
	    asprintf(&path, "%s/config.json", dir) < 0) {
		json_object_put(spec);
		return hull_error_set(err, ENOMEM, "bundle");
	}
	root_fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		json_object_put(spec);
		return hull_error_errno(err, "open `%s`", rootfs);
	}
	/* The image's files are the container's to change (in the bundle's own layer), and its command runs
	 * without a terminal unless the bundle's user asks for one, as `docker run` without -t. */
	if (json_object_object_get_ex(spec, "root", &root))
		json_object_object_add(root, "readonly", json_object_new_boolean(0));
	if (json_object_object_get_ex(spec, "process", &process))
		json_object_object_add(process, "terminal", json_object_new_boolean(0));
	if ((ret = image_config_apply(img->config, root_fd, spec, err)) >= 0) {
		text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY);
		ret = fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644, err);
	}
	json_object_put(spec);
	return ret;
}

int image_bundle_create(struct store *s, const char *image, const char *dir_arg, json_object *overrides,
			const struct bundle_idmap *idmap, struct hull_error **err)
{
	static const char *const subdirs[] = {"rootfs", ".hull-upper", ".hull-work", NULL};
	char digest[DIGEST_MAX], dir[PATH_MAX];
	struct local_image img = {0};
	bool made = false, mounted = false;
	int ret;

	if ((ret = local_image_find(s, image, digest, err)) < 0 ||
	    (ret = local_image_load(s, digest, &img, err)) < 0)
		goto out;
	if (overrides) {
		json_object *config = json_object_object_get(img.config, "config");
		if (config == NULL || !json_object_is_type(config, json_type_object)) {
			config = json_object_new_object();
			json_object_object_add(img.config, "config", config);
		}
		json_object_object_foreach(overrides, key, value)
		    json_object_object_add(config, key, json_object_get(value));
	}
	for (size_t i = 0; i < img.manifest.n_layers; i++)
		if (!store_has_layer(s, img.chain_ids[i])) {
			ret = hull_error_fail(err, ENOENT, "layer `%s` is not unpacked: pull the image again",
					      img.chain_ids[i]);
			goto out;
		}
	if (mkdir(dir_arg, 0700) < 0) {
		ret = hull_error_errno(err, "create `%s`", dir_arg);
		goto out;
	}
	made = true;
	if (realpath(dir_arg, dir) == NULL) {
		ret = hull_error_errno(err, "`%s`", dir_arg);
		goto out;
	}
	for (size_t i = 0; subdirs[i]; i++) {
		cleanup_free char *sub = NULL;
		if (asprintf(&sub, "%s/%s", dir, subdirs[i]) < 0 || mkdir(sub, 0755) < 0) {
			ret = hull_error_errno(err, "create `%s/%s`", dir, subdirs[i]);
			goto out;
		}
	}
	if ((ret = mount_rootfs(s, &img, dir, idmap, false, err)) < 0)
		goto out;
	mounted = true;
	if ((ret = write_config(&img, dir, err)) < 0 || (ret = store_bundle_ref_add(s, dir, digest, err)) < 0)
		goto out;
out:
	if (ret < 0) {
		/* Nothing stays behind: not the mount, not the directory. */
		if (mounted) {
			cleanup_free char *rootfs = NULL;
			if (asprintf(&rootfs, "%s/rootfs", dir) >= 0)
				umount2(rootfs, MNT_DETACH);
			unmount_lowers(dir);
		}
		if (made)
			fs_remove_tree(AT_FDCWD, dir_arg, NULL);
		hull_error_wrap(err, "bundle create `%s`", dir_arg);
	}
	local_image_free(&img);
	return ret;
}

int image_bundle_mount(struct store *s, const char *image, const char *dir, const struct bundle_idmap *idmap,
		       struct hull_error **err)
{
	char digest[DIGEST_MAX];
	struct local_image img = {0};
	int ret;

	if ((ret = local_image_find(s, image, digest, err)) < 0 ||
	    (ret = local_image_load(s, digest, &img, err)) < 0)
		return hull_error_wrap(err, "bundle mount `%s`", dir);
	ret = mount_rootfs(s, &img, dir, idmap, false, err);
	local_image_free(&img);
	return ret < 0 ? hull_error_wrap(err, "bundle mount `%s`", dir) : 0;
}

int image_bundle_mount_ephemeral(struct store *s, const char *image, const char *dir_arg,
				 struct hull_error **err)
{
	static const char *const subdirs[] = {".hull-ephemeral", ".hull-ephemeral/upper",
					      ".hull-ephemeral/work", NULL};
	char digest[DIGEST_MAX], dir[PATH_MAX];
	struct local_image img = {0};
	int ret;

	if (realpath(dir_arg, dir) == NULL)
		return hull_error_errno(err, "bundle mount `%s`", dir_arg);
	image_bundle_discard_ephemeral(dir);
	for (size_t i = 0; subdirs[i]; i++) {
		cleanup_free char *sub = NULL;
		if (asprintf(&sub, "%s/%s", dir, subdirs[i]) < 0 || mkdir(sub, 0755) < 0) {
			image_bundle_discard_ephemeral(dir);
			return hull_error_errno(err, "bundle mount: create `%s/%s`", dir, subdirs[i]);
		}
	}
	if ((ret = local_image_find(s, image, digest, err)) >= 0 &&
	    (ret = local_image_load(s, digest, &img, err)) >= 0)
		ret = mount_rootfs(s, &img, dir, NULL, true, err);
	local_image_free(&img);
	if (ret < 0) {
		image_bundle_discard_ephemeral(dir);
		return hull_error_wrap(err, "bundle mount `%s` (ephemeral)", dir_arg);
	}
	return 0;
}

void image_bundle_discard_ephemeral(const char *dir)
{
	cleanup_free char *path = NULL;

	if (asprintf(&path, "%s/.hull-ephemeral", dir) >= 0)
		fs_remove_tree(AT_FDCWD, path, NULL);
}

int image_bundle_remove(struct store *s, const char *dir_arg, struct hull_error **err)
{
	char dir[PATH_MAX];
	cleanup_free char *rootfs = NULL, *upper = NULL;

	if (realpath(dir_arg, dir) == NULL)
		return hull_error_errno(err, "bundle remove `%s`", dir_arg);
	if (asprintf(&rootfs, "%s/rootfs", dir) < 0 || asprintf(&upper, "%s/.hull-upper", dir) < 0)
		return hull_error_set(err, ENOMEM, "bundle remove");
	/* Only what bundle create made: a directory with the writable layer next to its rootfs. */
	if (access(upper, F_OK) < 0)
		return hull_error_fail(
		    err, EINVAL, "bundle remove `%s`: not a bundle made by `hull bundle create`", dir_arg);
	if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL)
		return hull_error_errno(err, "bundle remove `%s`: unmount `%s`", dir_arg, rootfs);
	unmount_lowers(dir);
	store_bundle_ref_remove(s, dir);
	if (fs_remove_tree(AT_FDCWD, dir, err) < 0)
		return hull_error_wrap(err, "bundle remove `%s`", dir_arg);
	return 0;
}
