#include "engine/copy_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fdio.h"

/* Deeper than any real image's tree; a hostile one gets an error, not a blown stack. */
#define MAX_DEPTH 256

static int copy_contents(int in, int dst_dir, const char *name, const struct stat *st,
			 struct hull_error **err)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	cleanup_close int out = openat(dst_dir, name, flags, st->st_mode & 07777);
	char buf[65536];
	ssize_t n;

	/* What is there is replaced (a link by a file, never written through). */
	if (out < 0 && errno == EEXIST && unlinkat(dst_dir, name, 0) == 0)
		out = openat(dst_dir, name, flags, st->st_mode & 07777);
	if (out < 0)
		return hull_error_errno(err, "create `%s`", name);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (fd_write_all(out, buf, (size_t)n) < 0)
			return hull_error_errno(err, "write `%s`", name);
	if (n < 0)
		return hull_error_errno(err, "read `%s`", name);
	/* Owner first: chown clears setuid bits, which fchmod then puts back. */
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return hull_error_errno(err, "own `%s`", name);
	return 0;
}

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st,
		     struct hull_error **err)
{
	cleanup_close int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (in < 0)
		return hull_error_errno(err, "open `%s`", name);
	return copy_contents(in, dst_dir, name, st, err);
}

static int copy_dir(int src, int dst, int depth, struct hull_error **err)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;
	int fd = dup(src);

	if (depth > MAX_DEPTH) {
		if (fd >= 0)
			close(fd);
		return hull_error_fail(err, ELOOP, "more than %d directories deep", MAX_DEPTH);
	}
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return hull_error_errno(err, "read a directory");
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		int ret = 0;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return hull_error_errno(err, "stat `%s`", e->d_name);
		if (S_ISDIR(st.st_mode)) {
			cleanup_close int from = -1, to = -1;
			if (mkdirat(dst, e->d_name, 0700) < 0 && errno != EEXIST)
				return hull_error_errno(err, "mkdir `%s`", e->d_name);
			from = openat(src, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			to = openat(dst, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (from < 0 || to < 0)
				return hull_error_errno(err, "open `%s`", e->d_name);
			if ((ret = copy_dir(from, to, depth + 1, err)) < 0)
				return hull_error_wrap(err, "%s", e->d_name);
			if (fchown(to, st.st_uid, st.st_gid) < 0 || fchmod(to, st.st_mode & 07777) < 0)
				return hull_error_errno(err, "own `%s`", e->d_name);
		} else if (S_ISREG(st.st_mode)) {
			ret = copy_file(src, dst, e->d_name, &st, err);
		} else if (S_ISLNK(st.st_mode)) {
			/* Copied as a link, never followed: its target means something only inside the
			 * container. */
			char target[4096];
			ssize_t n = readlinkat(src, e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				return hull_error_errno(err, "readlink `%s`", e->d_name);
			target[n] = '\0';
			if (symlinkat(target, dst, e->d_name) < 0 ||
			    fchownat(dst, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				return hull_error_errno(err, "symlink `%s`", e->d_name);
		} else if (mknodat(dst, e->d_name, st.st_mode, st.st_rdev) < 0 ||
			   fchownat(dst, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return hull_error_errno(err, "mknod `%s`", e->d_name);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int copy_tree(int src_dir, int dst_dir, struct hull_error **err)
{
	struct stat st;

	if (copy_dir(src_dir, dst_dir, 0, err) < 0)
		return -1;
	/* The top takes the owner and mode of what it replaces, as Docker's copy-up does. */
	if (fstat(src_dir, &st) == 0 &&
	    (fchown(dst_dir, st.st_uid, st.st_gid) < 0 || fchmod(dst_dir, st.st_mode & 07777) < 0))
		return hull_error_errno(err, "own the copy");
	return 0;
}

int copy_entry(int src_fd, int dst_dir, const char *name, struct hull_error **err)
{
	cleanup_close int to = -1;
	struct stat st;

	if (fstat(src_fd, &st) < 0)
		return hull_error_errno(err, "stat");
	if (S_ISREG(st.st_mode))
		return copy_contents(src_fd, dst_dir, name, &st, err);
	if (!S_ISDIR(st.st_mode))
		return hull_error_fail(err, EINVAL, "`%s` is neither a file nor a directory", name);
	if (mkdirat(dst_dir, name, 0700) < 0 && errno != EEXIST)
		return hull_error_errno(err, "mkdir `%s`", name);
	to = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0)
		return hull_error_errno(err, "open `%s`", name);
	return copy_tree(src_fd, to, err);
}
