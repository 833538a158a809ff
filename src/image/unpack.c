#include "image/unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/rootless.h"
#include "util/rootpath.h"

#define WHITEOUT ".wh."
#define OPAQUE	 ".wh..wh..opq"

/* Paths made by this layer (an opaque directory keeps them) and directories whose mode and mtime are set
 * last (writing into a directory changes its mtime, and a read-only one could not be written into). */
struct unpack_job {
	int root_fd;
	struct archive *a;
	const struct unpack_options *options;
	uint64_t bytes, entries;
	json_object *made; /* a set (keys only): what this layer made, explicitly or as a parent */
	struct dir_meta {
		char *path;
		mode_t mode;
		struct timespec mtime;
	} * dirs;
	size_t n_dirs, cap_dirs;
};

/* The entry's path without leading "/" and "./", NULL when a component is ".." (it would name a place
 * outside the directory the layer describes: refused rather than reinterpreted). */
static char *clean_path(const char *raw)
{
	size_t n = strlen(raw);
	char *out = malloc(n + 1), *w = out;

	if (out == NULL)
		return NULL;
	for (const char *p = raw; *p;) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (w != out)
				*w++ = '/';
			memcpy(w, p, len);
			w += len;
		}
		p = *end ? end + 1 : end;
	}
	*w = '\0';
	return out;
}

static bool made_by_layer(const struct unpack_job *j, const char *path)
{
	return j->made && json_object_object_get_ex(j->made, path, NULL);
}

static int remember(struct unpack_job *j, const char *path)
{
	if (j->made == NULL && (j->made = json_object_new_object()) == NULL)
		return -ENOMEM;
	return json_object_object_add(j->made, path, NULL) < 0 ? -ENOMEM : 0;
}

/* Removes name in the directory dir_fd, recursively, without following symlinks. */
static int remove_entry(int dir_fd, const char *name)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dir_fd, name, 0) < 0 ? -errno : 0;
	return fs_remove_tree(dir_fd, name, NULL);
}

/* Flattening, the parents of an entry come out as they do in the overlay mount of the same layers (where
 * each layer is unpacked alone and the upper directory wins): a parent this layer does not list is its
 * own plain directory (0755, the unpacker's), in place of a lower layer's directory, symlink or file of that
 * name. Walked one component at a time without following symlinks; a symlink this layer made itself is
 * followed inside the root, as in its own diff. */
static int flatten_parent(struct unpack_job *j, const char *parent, struct hull_error **err)
{
	cleanup_close int dir = fcntl(j->root_fd, F_DUPFD_CLOEXEC, 3);
	cleanup_free char *prefix = strdup(parent);
	char *p;

	if (dir < 0 || prefix == NULL)
		return hull_error_set(err, ENOMEM, "unpack");
	for (p = prefix;; *p++ = '/') {
		char *slash = strchr(p, '/');
		const char *name;
		struct stat st;
		int next;
		if (slash)
			*slash = '\0';
		name = strrchr(prefix, '/') ? strrchr(prefix, '/') + 1 : prefix;
		if (made_by_layer(j, prefix)) {
			if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				return rootpath_ensure(j->root_fd, parent, true, 0755, err);
		} else if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			/* The unpacker's own, as the directory it makes for the layer's diff is. */
			if (fchownat(dir, name, geteuid(), getegid(), AT_SYMLINK_NOFOLLOW) < 0 ||
			    fchmodat(dir, name, 0755, 0) < 0)
				return hull_error_errno(err, "directory `%s`", prefix);
		} else if (remove_entry(dir, name) < 0 || mkdirat(dir, name, 0755) < 0) {
			return hull_error_errno(err, "directory `%s`", prefix);
		}
		if (!made_by_layer(j, prefix) && remember(j, prefix) < 0)
			return hull_error_set(err, ENOMEM, "unpack");
		next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return hull_error_errno(err, "directory `%s`", prefix);
		close(dir);
		dir = next;
		if (slash == NULL)
			break;
		p = slash;
	}
	return steal_fd(&dir);
}

/* The parent directory of path inside the root, made if missing; root_fd itself for top-level entries. */
static int open_parent(struct unpack_job *j, const char *path, const char **name, struct hull_error **err)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *parent = NULL;

	if (slash == NULL) {
		*name = path;
		return fcntl(j->root_fd, F_DUPFD_CLOEXEC, 3);
	}
	*name = slash + 1;
	parent = strndup(path, (size_t)(slash - path));
	if (parent == NULL)
		return hull_error_set(err, ENOMEM, "unpack");
	if (!j->options->overlay && !made_by_layer(j, parent))
		return flatten_parent(j, parent, err);
	return rootpath_ensure(j->root_fd, parent, true, 0755, err);
}

static int opaque_dir(struct unpack_job *j, const char *dir, struct hull_error **err)
{
	cleanup_close int fd = -1;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;

	fd = *dir ? rootpath_open(j->root_fd, dir, O_RDONLY | O_DIRECTORY, NULL)
		  : fcntl(j->root_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return 0; /* nothing below it yet */
	d = fdopendir(fd);
	if (d == NULL)
		return hull_error_errno(err, "opaque directory `%s`", dir);
	fd = -1;
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *child = NULL;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (asprintf(&child, "%s%s%s", dir, *dir ? "/" : "", e->d_name) < 0)
			return hull_error_set(err, ENOMEM, "unpack");
		if (!made_by_layer(j, child) && remove_entry(dirfd(d), e->d_name) < 0)
			return hull_error_errno(err, "opaque directory `%s`: remove `%s`", dir, e->d_name);
	}
	return 0;
}

const char *image_overlay_opaque_xattr(void)
{
	return rootless_nested() ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

/* overlayfs's own form of a whiteout: a character device 0/0 for a removed name, the opaque xattr on a
 * directory whose lower contents are hidden. */
static int overlay_whiteout(struct unpack_job *j, const char *path, const char *name, struct hull_error **err)
{
	const char *parent_name;
	cleanup_close int parent = open_parent(j, path, &parent_name, err);
	char proc[64];

	if (parent < 0)
		return parent;
	if (strcmp(name, OPAQUE) == 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", parent);
		if (setxattr(proc, image_overlay_opaque_xattr(), "y", 1, 0) < 0)
			return hull_error_errno(err, "opaque directory of `%s`", path);
		return 0;
	}
	name += strlen(WHITEOUT);
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return hull_error_invalid(err, "whiteout `%s`: names nothing", path);
	if (remove_entry(parent, name) < 0 || mknodat(parent, name, S_IFCHR | 0600, makedev(0, 0)) < 0)
		return hull_error_errno(err, "whiteout `%s`", path);
	return 0;
}

static int whiteout(struct unpack_job *j, const char *path, struct hull_error **err)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	cleanup_free char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	cleanup_close int dir_fd = -1;

	if (dir == NULL)
		return hull_error_set(err, ENOMEM, "unpack");
	if (j->options->overlay)
		return overlay_whiteout(j, path, name, err);
	if (strcmp(name, OPAQUE) == 0)
		return opaque_dir(j, dir, err);
	name += strlen(WHITEOUT);
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return hull_error_invalid(err, "whiteout `%s`: names nothing", path);
	dir_fd = *dir ? rootpath_open(j->root_fd, dir, O_PATH | O_DIRECTORY, NULL)
		      : fcntl(j->root_fd, F_DUPFD_CLOEXEC, 3);
	if (dir_fd < 0)
		return 0; /* its directory does not exist: nothing to hide */
	if (remove_entry(dir_fd, name) < 0)
		return hull_error_errno(err, "whiteout `%s`", path);
	return 0;
}

static int copy_data(struct unpack_job *j, int fd, const char *path, struct hull_error **err)
{
	const void *buf;
	size_t size;
	int64_t offset;
	int r;

	while ((r = archive_read_data_block(j->a, &buf, &size, &offset)) == ARCHIVE_OK) {
		j->bytes += size;
		if (j->bytes > j->options->max_bytes)
			return hull_error_fail(
			    err, EFBIG,
			    "layer: more than %llu bytes of file content (a decompression bomb?%s%s)",
			    (unsigned long long)j->options->max_bytes,
			    j->options->limit_hint ? " the limit is " : "",
			    j->options->limit_hint ? j->options->limit_hint : "");
		if (pwrite(fd, buf, size, offset) != (ssize_t)size)
			return hull_error_errno(err, "write `%s`", path);
	}
	if (r != ARCHIVE_EOF)
		return hull_error_fail(err, EIO, "layer: `%s`: %s", path, archive_error_string(j->a));
	return 0;
}

/* overlayfs takes orders from these (trusted.overlay.* as root, user.overlay.* with userxattr): a layer's
 * `redirect` or `origin` would make the mounted root show another directory, another layer's /etc.  Only
 * the unpacker writes them, from the tar's own whiteout entries. */
static bool overlay_control_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0;
}

/* Ownership, then mode (chown clears setuid bits), xattrs and mtime, on the entry name in dir_fd. */
static int apply_meta(int dir_fd, const char *name, struct archive_entry *e, bool symlink, bool set_mtime,
		      struct hull_error **err)
{
	struct timespec times[2] = {{.tv_nsec = UTIME_OMIT},
				    {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
	const char *xname;
	const void *value;
	size_t size;
	char path[64 + NAME_MAX];

	if (fchownat(dir_fd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error_errno(err, "chown `%s`", name);
	if (!symlink && fchmodat(dir_fd, name, archive_entry_perm(e), 0) < 0)
		return hull_error_errno(err, "chmod `%s`", name);
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir_fd, name);
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK)
		if (overlay_control_xattr(xname))
			hull_log_debug("xattr `%s` of `%s` ignored: it steers overlayfs", xname, name);
		else if (lsetxattr(path, xname, value, size, 0) < 0)
			hull_log_debug("xattr `%s` of `%s` not set: %m", xname, name);
	if (set_mtime && utimensat(dir_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error_errno(err, "set the mtime of `%s`", name);
	return 0;
}

static int make_entry(struct unpack_job *j, struct archive_entry *e, const char *path,
		      struct hull_error **err)
{
	mode_t type = archive_entry_filetype(e);
	const char *link = archive_entry_hardlink(e), *name;
	cleanup_close int parent = open_parent(j, path, &name, err);
	struct stat st;
	int ret;

	if (parent < 0)
		return parent;
	/* An existing entry is replaced, except a directory by a directory (which keeps its contents). */
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !(S_ISDIR(st.st_mode) && type == AE_IFDIR && link == NULL) && remove_entry(parent, name) < 0)
		return hull_error_errno(err, "replace `%s`", path);
	if (link) {
		cleanup_free char *target = clean_path(link);
		cleanup_close int target_fd = -1;
		if (target == NULL || *target == '\0')
			return hull_error_invalid(err, "hard link `%s`: target leaves the root", path);
		/* Resolved inside the root: a link "to /etc/passwd" can only reach the root's own. */
		target_fd = rootpath_open(j->root_fd, target, O_PATH | O_NOFOLLOW, err);
		if (target_fd < 0)
			return hull_error_wrap(err, "hard link `%s`", path);
		if (fstat(target_fd, &st) < 0 || S_ISDIR(st.st_mode))
			return hull_error_invalid(err, "hard link `%s`: target `%s` is a directory", path,
						  target);
		if (linkat(target_fd, "", parent, name, AT_EMPTY_PATH) < 0)
			return hull_error_errno(err, "hard link `%s`", path);
		return 0;
	}
	switch (type) {
	case AE_IFDIR: {
		struct dir_meta *grown;
		if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
			return hull_error_errno(err, "mkdir `%s`", path);
		if ((ret = apply_meta(parent, name, e, false, false, err)) < 0)
			return ret;
		/* Writable by us until the end, then its own mode and mtime. */
		fchmodat(parent, name, 0700, 0);
		if (j->n_dirs == j->cap_dirs) {
			j->cap_dirs = j->cap_dirs ? j->cap_dirs * 2 : 64;
			grown = realloc(j->dirs, j->cap_dirs * sizeof(*grown));
			if (grown == NULL)
				return hull_error_set(err, ENOMEM, "unpack");
			j->dirs = grown;
		}
		j->dirs[j->n_dirs++] =
		    (struct dir_meta){strdup(path),
				      archive_entry_perm(e),
				      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
		return 0;
	}
	case AE_IFREG: {
		cleanup_close int fd =
		    openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return hull_error_errno(err, "create `%s`", path);
		if ((ret = copy_data(j, fd, path, err)) < 0 || ftruncate(fd, archive_entry_size(e)) < 0)
			return ret < 0 ? ret : hull_error_errno(err, "size `%s`", path);
		break;
	}
	case AE_IFLNK:
		if (symlinkat(archive_entry_symlink(e) ? archive_entry_symlink(e) : "", parent, name) < 0)
			return hull_error_errno(err, "symlink `%s`", path);
		return apply_meta(parent, name, e, true, true, err);
	case AE_IFCHR:
	case AE_IFBLK:
		/* A device node inside the root is the image's business; what it may open is the device
		 * cgroup's.  In a user namespace none can be made: left out, as rootless podman does (the
		 * runtime binds the host's own into /dev). */
		if (rootless_nested()) {
			hull_log_debug("layer: `%s`: a device node, left out in a user namespace", path);
			return 0;
		}
		if (mknodat(parent, name, type | 0600,
			    makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e))) < 0)
			return hull_error_errno(err, "device node `%s`", path);
		break;
	case AE_IFIFO:
		if (mkfifoat(parent, name, 0600) < 0)
			return hull_error_errno(err, "fifo `%s`", path);
		break;
	default:
		hull_log_debug("layer: `%s`: entry type %o skipped", path, type);
		return 0;
	}
	return apply_meta(parent, name, e, false, true, err);
}

/* Directories deepest first, so that setting one's mtime is not undone by its children. */
static int finish_dirs(struct unpack_job *j, struct hull_error **err)
{
	for (size_t i = j->n_dirs; i-- > 0;) {
		struct dir_meta *d = &j->dirs[i];
		struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, d->mtime};
		cleanup_close int fd =
		    d->path ? rootpath_open(j->root_fd, d->path, O_PATH | O_DIRECTORY, NULL) : -1;
		char proc[64];
		if (fd < 0)
			continue; /* removed by a later whiteout or replaced */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (chmod(proc, d->mode) < 0 || utimensat(AT_FDCWD, proc, times, 0) < 0)
			return hull_error_errno(err, "directory `%s`", d->path);
	}
	return 0;
}

static int unpack(struct unpack_job *j, struct hull_error **err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(j->a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		cleanup_free char *path =
		    clean_path(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		const char *name;
		int ret;

		if (++j->entries > j->options->max_entries)
			return hull_error_fail(err, EFBIG, "layer: more than %llu entries",
					       (unsigned long long)j->options->max_entries);
		if (path == NULL)
			return hull_error_invalid(err, "layer: entry `%s`: `..` would leave the root",
						  archive_entry_pathname(e));
		if (*path == '\0')
			continue; /* the root itself */
		name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		if (strncmp(name, WHITEOUT, strlen(WHITEOUT)) == 0) {
			if ((ret = whiteout(j, path, err)) < 0)
				return ret;
			continue;
		}
		if ((ret = make_entry(j, e, path, err)) < 0)
			return hull_error_wrap(err, "layer");
		if (j->options->overlay)
			continue; /* only flattening needs the set */
		if (remember(j, path) < 0)
			return hull_error_set(err, ENOMEM, "unpack");
	}
	if (r != ARCHIVE_EOF)
		return hull_error_fail(err, EIO, "layer: truncated or corrupt: %s",
				       archive_error_string(j->a));
	return finish_dirs(j, err);
}

/* The layer as libarchive's raw format sees it: the decompressed stream, hashed into the diff id as the
 * tar reader consumes it. */
struct diff_source {
	struct archive *outer;
	struct digester *digest;
};

static la_ssize_t diff_read(struct archive *inner, void *data, const void **buf)
{
	struct diff_source *s = data;
	size_t size;
	int64_t offset;
	int r = archive_read_data_block(s->outer, buf, &size, &offset);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		archive_set_error(inner, EIO, "%s", archive_error_string(s->outer));
		return -1;
	}
	if (s->digest)
		digester_update(s->digest, *buf, size);
	return (la_ssize_t)size;
}

/* Reads what follows the tar archive's end (padding, trailing blocks) so the diff id covers everything. */
static int drain(struct diff_source *s, struct archive *inner, struct hull_error **err)
{
	const void *buf;
	la_ssize_t n;

	while ((n = diff_read(inner, s, &buf)) > 0)
		;
	if (n < 0)
		return hull_error_fail(err, EIO, "layer: truncated or corrupt: %s",
				       archive_error_string(inner));
	return 0;
}

static void free_job(struct unpack_job *j)
{
	if (j->made)
		json_object_put(j->made);
	for (size_t i = 0; i < j->n_dirs; i++)
		free(j->dirs[i].path);
	free(j->dirs);
}

int image_unpack_layer(int root_fd, int layer_fd, const struct unpack_options *options,
		       struct hull_error **err)
{
	struct unpack_options o = {.max_bytes = 64ull << 30, .max_entries = 4u << 20};
	struct unpack_job j = {.root_fd = root_fd, .options = &o};
	struct diff_source src = {0};
	struct archive_entry *raw;
	cleanup_digester struct digester *digest = NULL;
	int ret;

	if (options) {
		o.overlay = options->overlay;
		o.diff_id = options->diff_id;
		o.limit_hint = options->limit_hint;
		if (options->max_bytes)
			o.max_bytes = options->max_bytes;
		if (options->max_entries)
			o.max_entries = options->max_entries;
	}
	if (o.diff_id && (src.digest = digest = digester_new(NULL)) == NULL)
		return hull_error_set(err, ENOMEM, "unpack");
	/* Two readers: the outer one only decompresses (only the compressions layers use, in-process: no
	 * external filter programs), the inner one reads tar from what the outer one yields. */
	src.outer = archive_read_new();
	j.a = archive_read_new();
	if (src.outer == NULL || j.a == NULL) {
		ret = hull_error_set(err, ENOMEM, "unpack");
		goto out;
	}
	archive_read_support_filter_gzip(src.outer);
	archive_read_support_filter_zstd(src.outer);
	archive_read_support_filter_none(src.outer);
	archive_read_support_format_raw(src.outer);
	archive_read_support_filter_none(j.a);
	archive_read_support_format_tar(j.a);
	if (archive_read_open_fd(src.outer, layer_fd, 1 << 17) != ARCHIVE_OK ||
	    archive_read_next_header(src.outer, &raw) != ARCHIVE_OK) {
		ret = hull_error_fail(err, EIO, "layer: %s", archive_error_string(src.outer));
		goto out;
	}
	if (archive_read_open(j.a, &src, NULL, diff_read, NULL) != ARCHIVE_OK) {
		ret = hull_error_fail(err, EIO, "layer: %s", archive_error_string(j.a));
		goto out;
	}
	ret = unpack(&j, err);
	if (ret >= 0)
		ret = drain(&src, j.a, err);
	if (ret >= 0 && digest)
		digester_final(digest, o.diff_id);
out:
	if (j.a)
		archive_read_free(j.a);
	if (src.outer)
		archive_read_free(src.outer);
	free_job(&j);
	return ret;
}
