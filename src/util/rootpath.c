#include "util/rootpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

static int openat2_resolve(int root_fd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {
	    .flags = flags | O_CLOEXEC,
	    /* Magic links (/proc/self/root, /proc/<pid>/fd/N) could jump anywhere: never follow them. */
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	int fd;

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	do
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

static int openat2_in_root(int root_fd, const char *path, int flags)
{
	return openat2_resolve(root_fd, path, flags, 0);
}

int rootpath_open_nofollow(int root_fd, const char *path, int flags, struct hull_error **err)
{
	int fd = openat2_resolve(root_fd, path, flags, RESOLVE_NO_SYMLINKS);

	if (fd < 0 && errno == ELOOP)
		return hull_error_fail(err, ELOOP, "`%s` inside the root is or passes through a symlink",
				       path);
	if (fd < 0)
		return hull_error_errno(err, "open `%s` inside the root", path);
	return fd;
}

int rootpath_open(int root_fd, const char *path, int flags, struct hull_error **err)
{
	int fd = openat2_in_root(root_fd, path, flags);

	if (fd < 0)
		return hull_error_errno(err, "open `%s` inside the root", path);
	return fd;
}

/* Creates one missing component under an already resolved parent.  mkdirat/openat on a single name
 * relative to a descriptor cannot follow a symlink in a parent, and O_EXCL|O_NOFOLLOW refuse a planted
 * symlink in the last component. */
static int create_component(int parent_fd, const char *name, bool directory, mode_t mode)
{
	if (directory) {
		if (mkdirat(parent_fd, name, mode) < 0 && errno != EEXIST)
			return -1;
		return 0;
	}
	int fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

static int ensure(int root_fd, const char *path, bool directory, mode_t mode, int depth, bool follow,
		  struct hull_error **err);

/* name in parent is a symlink whose target does not exist: the path continues at the target (the rest
 * of the original path appended), resolved inside the root like everything else. */
static int ensure_through_link(int root_fd, int parent, const char *name, const char *dir, const char *rest,
			       bool directory, mode_t mode, int depth, struct hull_error **err)
{
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
	int len;

	if (n < 0)
		return hull_error_errno(err, "read symlink `%s/%s` inside the root", dir, name);
	target[n] = '\0';
	if (target[0] == '/')
		len = snprintf(next, sizeof(next), "%s%s%s", target, *rest ? "/" : "", rest);
	else
		len = snprintf(next, sizeof(next), "%s/%s%s%s", dir, target, *rest ? "/" : "", rest);
	if (len < 0 || (size_t)len >= sizeof(next))
		return hull_error_set(err, ENAMETOOLONG, "create `%s/%s` inside the root", dir, name);
	return ensure(root_fd, next, directory, mode, depth + 1, true, err);
}

int rootpath_ensure(int root_fd, const char *path, bool directory, mode_t mode, struct hull_error **err)
{
	return ensure(root_fd, path, directory, mode, 0, false, err);
}

int rootpath_ensure_mountpoint(int root_fd, const char *path, bool directory, mode_t mode,
			       struct hull_error **err)
{
	return ensure(root_fd, path, directory, mode, 0, true, err);
}

static int ensure(int root_fd, const char *path, bool directory, mode_t mode, int depth, bool follow,
		  struct hull_error **err)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	int fd;

	fd = openat2_in_root(root_fd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return hull_error_errno(err, "open `%s` inside the root", path);
	if (depth > 40)
		return hull_error_set(err, ELOOP, "create `%s` inside the root", path);
	if (len >= sizeof(buf))
		return hull_error_set(err, ENAMETOOLONG, "create `%s` inside the root", path);
	memcpy(buf, path, len + 1);

	/* Walk the components: each prefix is resolved inside the root, and a missing one is created in its
	 * resolved parent, so a symlink anywhere in the path still lands inside the root. */
	char *p = buf;
	while (*p == '/')
		p++;
	while (*p) {
		char *slash = strchr(p, '/');
		bool last;
		cleanup_close int parent = -1;
		int ret;

		if (slash)
			*slash = '\0';
		last = slash == NULL || slash[strspn(slash + 1, "/") + 1] == '\0';
		fd = openat2_in_root(root_fd, buf, O_PATH);
		if (fd >= 0) {
			close(fd);
		} else if (errno != ENOENT) {
			return hull_error_errno(err, "open `%s` inside the root", buf);
		} else {
			char *name = strrchr(buf, '/');
			if (name) {
				*name = '\0';
				parent = openat2_in_root(root_fd, buf, O_PATH | O_DIRECTORY);
				*name = '/';
				name++;
			} else {
				parent = openat2_in_root(root_fd, ".", O_PATH | O_DIRECTORY);
				name = buf;
			}
			if (parent < 0)
				return hull_error_errno(err, "open parent of `%s` inside the root", buf);
			struct stat st;
			if (follow && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode)) {
				const char *rest = slash ? slash + 1 + strspn(slash + 1, "/") : "";
				if (name != buf)
					name[-1] = '\0';
				return ensure_through_link(root_fd, parent, name, name != buf ? buf : "",
							   rest, directory, mode, depth, err);
			}
			ret = create_component(parent, name, last ? directory : true, last ? mode : 0755);
			if (ret < 0)
				return hull_error_errno(err, "create `%s` inside the root", buf);
		}
		if (slash == NULL)
			break;
		*slash = '/';
		p = slash + 1;
		while (*p == '/')
			p++;
	}
	fd = openat2_in_root(root_fd, path, O_PATH);
	if (fd < 0)
		return hull_error_errno(err, "open `%s` inside the root", path);
	return fd;
}
