#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

int fs_read_file(int dirfd, const char *path, char **out, size_t *len, struct hull_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hull_error_errno(err, "open `%s`", path);
	return fs_read_fd(fd, path, out, len, err);
}

int fs_read_fd(int fd, const char *what, char **out, size_t *len, struct hull_error **err)
{
	cleanup_free char *buf = NULL;
	size_t used = 0, cap = 0;

	for (;;) {
		ssize_t n;
		if (cap - used < 4096) {
			char *bigger;
			cap = cap ? cap * 2 : 8192;
			bigger = realloc(buf, cap);
			if (bigger == NULL)
				return hull_error_set(err, ENOMEM, "read `%s`", what);
			buf = bigger;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hull_error_errno(err, "read `%s`", what);
		if (n == 0)
			break;
		used += n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

int fs_write_file(int dirfd, const char *path, const char *data, size_t len, struct hull_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return hull_error_errno(err, "open `%s`", path);
	n = write(fd, data, len);
	if (n < 0)
		return hull_error_errno(err, "write `%s`", path);
	if ((size_t)n != len)
		return hull_error_set(err, EIO, "write `%s`: short write", path);
	return 0;
}

int fs_write_file_atomic(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
			 struct hull_error **err)
{
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;
	size_t done = 0;

	if (asprintf(&tmp, "%s.tmp.%d", path, getpid()) < 0)
		return hull_error_set(err, ENOMEM, "write `%s`", path);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return hull_error_errno(err, "create `%s`", tmp);
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			unlinkat(dirfd, tmp, 0);
			return hull_error_set(err, saved, "write `%s`", tmp);
		}
		done += n;
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		return hull_error_set(err, saved, "replace `%s`", path);
	}
	return 0;
}

int fs_mkdir_parents(const char *path, mode_t mode, struct hull_error **err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return hull_error_set(err, ENAMETOOLONG, "create directory `%s`", path);
	memcpy(buf, path, n + 1);
	/* Most of the path usually exists: try the whole of it first, and walk back only as far as needed
	 * (a cgroup path below /sys/fs/cgroup/<controller> costs one mkdir, not one per component). */
	if (mkdir(buf, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return hull_error_errno(err, "create directory `%s`", buf);
	for (char *p = buf + n; p > buf; p--) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == 0 || errno == EEXIST) {
			*p = '/';
			break;
		}
		if (errno != ENOENT)
			return hull_error_errno(err, "create directory `%s`", buf);
	}
	/* Forward again: each separator cut above marks a directory still to create. */
	for (char *p = buf + 1; p < buf + n; p++) {
		if (*p != '\0')
			continue;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return hull_error_errno(err, "create directory `%s`", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return hull_error_errno(err, "create directory `%s`", buf);
	return 0;
}

static int remove_children(int dirfd, struct hull_error **err)
{
	DIR *dir;
	struct dirent *de;
	int ret = 0;
	int copy = dup(dirfd);

	if (copy < 0)
		return hull_error_errno(err, "dup");
	dir = fdopendir(copy);
	if (dir == NULL) {
		close(copy);
		return hull_error_errno(err, "opendir");
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			ret = hull_error_errno(err, "remove `%s`", de->d_name);
			break;
		}
		ret = fs_remove_tree(dirfd, de->d_name, err);
		if (ret < 0)
			break;
	}
	closedir(dir);
	return ret;
}

int fs_remove_tree(int dirfd, const char *path, struct hull_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR || errno == ELOOP) {
			if (unlinkat(dirfd, path, 0) < 0 && errno != ENOENT)
				return hull_error_errno(err, "remove `%s`", path);
			return 0;
		}
		return hull_error_errno(err, "open `%s`", path);
	}
	ret = remove_children(fd, err);
	if (ret < 0)
		return hull_error_wrap(err, "remove `%s`", path);
	if (unlinkat(dirfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hull_error_errno(err, "remove `%s`", path);
	return 0;
}
