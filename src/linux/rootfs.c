#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/mount_options.h"
#include "linux/mounts.h"
#include "util/cleanup.h"
#include "util/rootpath.h"

int rootfs_prepare(const char *rootfs, const char *propagation, struct hull_error **err)
{
	unsigned long requested = 0, flags = MS_SLAVE | MS_REC;
	int fd;

	/* The new mount namespace starts as a copy whose mounts share events with the host's: anything
	 * mounted below would appear on the host too.  So the whole tree is cut off first, recursively
	 * whatever rootfsPropagation says (a non-recursive "slave" would leave a shared bind of the root
	 * shared, and the container's /proc would show up on the host).  Slave, the default as in runc,
	 * still lets host mounts reach in; private and unbindable also stop those.  The requested value is
	 * applied to the new "/" after the switch (rootfs_finish). */
	if (propagation && mount_propagation_from_name(propagation, &requested) < 0)
		return hull_error_invalid(err, "linux.rootfsPropagation: unknown value `%s`", propagation);
	if (requested & (MS_PRIVATE | MS_UNBINDABLE))
		flags = MS_PRIVATE | MS_REC;
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return hull_error_errno(err, "make / %s", flags & MS_PRIVATE ? "rprivate" : "rslave");
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error_errno(err, "bind root filesystem `%s`", rootfs);
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_error_errno(err, "open root filesystem `%s`", rootfs);
	return fd;
}

/* mountinfo writes space, tab, newline and backslash in a path as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static bool is_below(const char *point, const char *dir, size_t len)
{
	return strncmp(point, dir, len) == 0 && point[len] == '/';
}

/* Detaches, deepest first (mountinfo lists parents before children), the mounts of the caller's namespace
 * that want() picks by mount point and file system type. */
static void detach_mounts(bool (*want)(const char *point, const char *fstype, const char *dir),
			  const char *dir)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	char **points = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		char point[4096], fstype[64];
		const char *sep = strstr(line, " - ");
		if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		unescape_octal(point);
		if (!want(point, fstype, dir))
			continue;
		char **bigger = realloc(points, (n + 1) * sizeof(char *));
		if (bigger == NULL)
			break;
		points = bigger;
		points[n] = strdup(point);
		if (points[n])
			n++;
	}
	while (n-- > 0) {
		umount2(points[n], MNT_DETACH | UMOUNT_NOFOLLOW);
		free(points[n]);
	}
	free(points);
}

static bool below_root(const char *point, const char *fstype, const char *rootfs)
{
	(void)fstype;
	return is_below(point, rootfs, strlen(rootfs));
}

/* The host's proc and sysfs mounts outside the root: after a move without pivot_root they stay in the
 * container's namespace under its "/", unreachable but counted by the kernel as fully visible instances,
 * which lets a process of the container that makes a user namespace mount a fresh /proc or /sys without
 * the masked and read-only paths.  runc detaches them too. */
static bool host_proc_or_sys(const char *point, const char *fstype, const char *rootfs)
{
	size_t len = strlen(rootfs);

	return (strcmp(fstype, "proc") == 0 || strcmp(fstype, "sysfs") == 0) &&
	       !is_below(point, rootfs, len) && strcmp(point, rootfs) != 0;
}

static int enter_with_pivot(int root_fd, struct hull_error **err)
{
	cleanup_close int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (old_root < 0)
		return hull_error_errno(err, "open /");
	/* pivot_root(".", ".") stacks the old root on top of the new one, which avoids needing a directory
	 * for it inside the container; it is then detached from there. */
	if (fchdir(root_fd) < 0)
		return hull_error_errno(err, "enter root filesystem");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return hull_error_errno(err, "pivot_root");
	if (fchdir(old_root) < 0)
		return hull_error_errno(err, "enter old root");
	/* Keep the unmount from propagating to the host's mounts. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return hull_error_errno(err, "make old root slave");
	if (umount2(".", MNT_DETACH) < 0)
		return hull_error_errno(err, "detach old root");
	if (chdir("/") < 0)
		return hull_error_errno(err, "chdir /");
	return 0;
}

static int enter_with_move(int root_fd, const char *rootfs, struct hull_error **err)
{
	/* Detached while the host's paths still name them; the root's own /proc and /sys stay. */
	detach_mounts(host_proc_or_sys, rootfs);
	if (fchdir(root_fd) < 0)
		return hull_error_errno(err, "enter root filesystem");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return hull_error_errno(err, "move root filesystem to /");
	if (chroot(".") < 0)
		return hull_error_errno(err, "chroot");
	if (chdir("/") < 0)
		return hull_error_errno(err, "chdir /");
	return 0;
}

int rootfs_enter_chroot(const char *rootfs, struct hull_error **err)
{
	if (chroot(rootfs) < 0)
		return hull_error_errno(err, "chroot into `%s`", rootfs);
	if (chdir("/") < 0)
		return hull_error_errno(err, "chdir /");
	return 0;
}

int rootfs_enter(int root_fd, const char *rootfs, bool no_pivot, struct hull_error **err)
{
	return no_pivot ? enter_with_move(root_fd, rootfs, err) : enter_with_pivot(root_fd, err);
}

/* A masked or read-only path is opened without following any symlink: a link planted at /proc/kcore's
 * place, or in front of it, would otherwise have the mask (or the read-only bind) land on what the link
 * names and leave the path itself as it was.  Missing: nothing to do; a symlink: refused. */
static int open_protected(int root_fd, const char *path, const char *what, struct hull_error **err)
{
	int fd = rootpath_open_nofollow(root_fd, path, O_PATH, err);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT) {
		hull_error_free(err);
		return -ENOENT;
	}
	return hull_error_wrap(err, "%s", what);
}

/* Files are covered with /dev/null, directories with an empty read-only tmpfs. */
static int mask_path(int root_fd, const char *path, struct hull_error **err)
{
	cleanup_close int fd = open_protected(root_fd, path, "linux.maskedPaths", err);
	char target[MOUNT_FD_PATH_MAX];
	struct stat st;

	if (fd == -ENOENT)
		return 0; /* nothing there to hide */
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return hull_error_errno(err, "mask `%s`", path);
	mount_fd_path(fd, target);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0k") < 0)
			return hull_error_errno(err, "mask `%s`", path);
	} else if (mount("/dev/null", target, NULL, MS_BIND, NULL) < 0) {
		return hull_error_errno(err, "mask `%s`", path);
	}
	return 0;
}

static int readonly_path(int root_fd, const char *path, struct hull_error **err)
{
	cleanup_close int fd = open_protected(root_fd, path, "linux.readonlyPaths", err);
	char target[MOUNT_FD_PATH_MAX];

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	mount_fd_path(fd, target);
	if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error_errno(err, "make `%s` read-only", path);
	close(fd);
	fd = rootpath_open_nofollow(root_fd, path, O_PATH, err);
	if (fd < 0)
		return fd;
	mount_fd_path(fd, target);
	if (mount_remount(target, fd, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err) < 0)
		return hull_error_wrap(err, "make `%s` read-only", path);
	return 0;
}

int rootfs_finish(const struct oci_spec *spec, bool host_mount_ns, struct hull_error **err)
{
	const struct oci_linux *l = &spec->linux_;
	cleanup_close int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	unsigned long propagation = 0;
	int ret;

	if (root_fd < 0)
		return hull_error_errno(err, "open /");
	for (size_t i = 0; i < l->n_masked_paths; i++)
		if ((ret = mask_path(root_fd, l->masked_paths[i], err)) < 0)
			return ret;
	for (size_t i = 0; i < l->n_readonly_paths; i++)
		if ((ret = readonly_path(root_fd, l->readonly_paths[i], err)) < 0)
			return ret;
	/* In the host's mount namespace "/" is a chroot, not a mount of the container's: remounting it or
	 * changing its propagation would act on the host's mount that holds the root. */
	if (host_mount_ns)
		return 0;
	if (spec->root_readonly && mount_remount("/", root_fd, MS_RDONLY, err) < 0)
		return hull_error_wrap(err, "make the root read-only");
	if (l->rootfs_propagation && mount_propagation_from_name(l->rootfs_propagation, &propagation) == 0 &&
	    mount(NULL, "/", NULL, propagation, NULL) < 0)
		return hull_error_errno(err, "set root propagation %s", l->rootfs_propagation);
	return 0;
}

void rootfs_unmount_below(const char *rootfs)
{
	detach_mounts(below_root, rootfs);
}
