/* Mounting config.json's entries.
 *
 * The destination is resolved inside the root with openat2(RESOLVE_IN_ROOT) and the mount is made on the
 * resulting descriptor through /proc/self/fd/N.  Resolving a path string and then mounting on that string
 * would let a container that controls its root swap a component for a symlink in between and have the
 * runtime mount over a host path (CVE-2021-30465 in runc). */
#include "linux/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include "linux/cgroup.h"
#include "linux/mount_options.h"
#include "util/cleanup.h"
#include "util/rootpath.h"

void mount_fd_path(int fd, char buf[MOUNT_FD_PATH_MAX])
{
	snprintf(buf, MOUNT_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

static unsigned long locked_flags(int fd)
{
	struct statvfs st;
	unsigned long flags = 0;

	if (fstatvfs(fd, &st) < 0)
		return 0;
	if (st.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (st.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

int mount_remount(const char *target, int target_fd, unsigned long flags, struct hull_error **err)
{
	const unsigned long keep = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
				   MS_RELATIME | MS_STRICTATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK;
	unsigned long remount = MS_BIND | MS_REMOUNT | (flags & keep);

	if (mount(NULL, target, NULL, remount, NULL) == 0)
		return 0;
	/* In a user namespace the kernel refuses to drop flags a more privileged namespace set: add them. */
	if (errno == EPERM && mount(NULL, target, NULL, remount | locked_flags(target_fd), NULL) == 0)
		return 0;
	return hull_error_errno(err, "remount");
}

static int set_recursive_readonly(int fd, struct hull_error **err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return hull_error_errno(err, "make read-only recursively (rro)");
	return 0;
}

static int mount_bind(const struct mount_context *ctx, const struct oci_mount *m,
		      const struct mount_options *o, int target_fd, const char *target,
		      struct hull_error **err)
{
	if (m->source == NULL)
		return hull_error_invalid(err, "bind mount needs a source");
	/* To the descriptor itself: move_mount refuses a /proc/self/fd magic link as its target. */
	if (ctx->source_fd >= 0) {
		if (syscall(SYS_move_mount, ctx->source_fd, "", target_fd, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return hull_error_errno(err, "bind `%s`", m->source);
		return 0;
	}
	if (mount(m->source, target, NULL, MS_BIND | (o->recursive ? MS_REC : 0), NULL) < 0)
		return hull_error_errno(err, "bind `%s`", m->source);
	return 0;
}

/* sysfs of the host's network namespace cannot be mounted from another user namespace; like runc, fall
 * back to a recursive read-only bind of the host's /sys (made read-only by mount_finish). */
static int mount_sysfs_fallback(struct mount_options *o, const char *target, struct hull_error **err)
{
	if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error_errno(err, "bind /sys");
	o->bind = true;
	o->flags |= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	return 0;
}

/* As runc: a tmpfs given no mode= takes the mode of the directory it covers, so an image's 1777 /tmp
 * stays 1777 under a tmpfs. */
static int tmpfs_keep_mode(struct mount_options *o, int target_fd, struct hull_error **err)
{
	struct stat st;
	char *data = NULL;

	if (o->data && (strncmp(o->data, "mode=", 5) == 0 || strstr(o->data, ",mode=")))
		return 0;
	if (fstat(target_fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (asprintf(&data, "%s%smode=%o", o->data ? o->data : "", o->data ? "," : "",
		     (unsigned)(st.st_mode & 07777)) < 0)
		return hull_error_set(err, ENOMEM, "tmpfs options");
	free(o->data);
	o->data = data;
	return 0;
}

static int mount_filesystem(const struct oci_mount *m, struct mount_options *o, const char *target,
			    struct hull_error **err)
{
	const char *type = m->type;
	const char *source = m->source ? m->source : type;
	unsigned long flags = o->flags & ~MS_REMOUNT;

	if (mount(source, target, type, flags, o->data) == 0)
		goto mounted;

	if (errno == EPERM && strcmp(type, "sysfs") == 0)
		return mount_sysfs_fallback(o, target, err);
	if (errno == EPERM && strcmp(type, "mqueue") == 0 &&
	    mount("/dev/mqueue", target, NULL, MS_BIND, NULL) == 0)
		goto mounted;
	/* devpts' gid=5 fails when group 5 is not mapped in the user namespace: mount without it. */
	if (errno == EINVAL && strcmp(type, "devpts") == 0 && o->data && strstr(o->data, "gid=")) {
		char data[256];
		size_t n = 0;
		data[0] = '\0';
		for (const char *p = o->data; *p;) {
			size_t len = strcspn(p, ",");
			if (strncmp(p, "gid=", 4) != 0 && n + len + 2 < sizeof(data)) {
				n +=
				    snprintf(data + n, sizeof(data) - n, "%s%.*s", n ? "," : "", (int)len, p);
			}
			p += len;
			if (*p == ',')
				p++;
		}
		if (mount(source, target, type, flags, data) == 0)
			goto mounted;
	}
	return hull_error_errno(err, "mount %s", type);

mounted:
	return 0;
}

/* Flags a bind mount ignores, rro and propagation act on the new mount, which the descriptor taken before
 * mounting does not reach (it names what lies under the mount): open the destination again. */
static int mount_finish(const struct mount_context *ctx, const struct oci_mount *m,
			const struct mount_options *o, struct hull_error **err)
{
	cleanup_close int fd = -1;
	char target[MOUNT_FD_PATH_MAX];
	int ret;

	if (!((o->bind && (o->flags & ~MS_REMOUNT)) || o->recursive_readonly || o->propagation))
		return 0;
	fd = rootpath_open(ctx->root_fd, m->destination, O_PATH, err);
	if (fd < 0)
		return fd;
	mount_fd_path(fd, target);
	if (o->bind && (o->flags & ~MS_REMOUNT)) {
		ret = mount_remount(target, fd, o->flags, err);
		if (ret < 0)
			return ret;
	}
	if (o->recursive_readonly && (ret = set_recursive_readonly(fd, err)) < 0)
		return ret;
	if (o->propagation && mount(NULL, target, NULL, o->propagation, NULL) < 0)
		return hull_error_errno(err, "set propagation");
	return 0;
}

static bool source_is_directory(const struct oci_mount *m, bool bind)
{
	struct stat st;

	if (!bind)
		return true;
	return m->source == NULL || stat(m->source, &st) < 0 || S_ISDIR(st.st_mode);
}

/* proc and sysfs carry the kernel's controls: mounted through a symlink in the image (`proc -> /etc`),
 * they would land where the image points and leave the real /proc path unmounted and unmasked. */
static int refuse_symlinked_kernel_fs(const struct mount_context *ctx, const struct oci_mount *m,
				      struct hull_error **err)
{
	int fd;

	if (m->type == NULL || (strcmp(m->type, "proc") != 0 && strcmp(m->type, "sysfs") != 0))
		return 0;
	fd = rootpath_open_nofollow(ctx->root_fd, m->destination, O_PATH, NULL);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ELOOP)
		return hull_error_fail(err, ELOOP,
				       "mount `%s`: the destination is a symlink in the root filesystem; "
				       "%s is never mounted through one",
				       m->destination, m->type);
	return 0; /* missing: created as a directory below */
}

int mount_seal_readonly(const struct mount_context *ctx, const struct oci_mount *m, struct hull_error **err)
{
	struct mount_options o;
	cleanup_close int fd = -1;
	char target[MOUNT_FD_PATH_MAX];
	int ret;

	if ((ret = mount_options_parse(m->type, m->options, m->n_options, &o, err)) < 0)
		return ret;
	fd = rootpath_open(ctx->root_fd, m->destination, O_PATH, err);
	if (fd >= 0) {
		mount_fd_path(fd, target);
		ret = mount_remount(target, fd, o.flags | MS_RDONLY, err);
	} else
		ret = fd;
	mount_options_free(&o);
	return ret < 0 ? hull_error_wrap(err, "make `%s` read-only", m->destination) : 0;
}

int mount_apply(const struct mount_context *ctx, const struct oci_mount *m, bool defer_readonly,
		struct hull_error **err)
{
	struct mount_options o;
	cleanup_close int target_fd = -1;
	char target[MOUNT_FD_PATH_MAX];
	bool directory, deferred = false;
	int ret;

	if ((ret = refuse_symlinked_kernel_fs(ctx, m, err)) < 0)
		return ret;

	ret = mount_options_parse(m->type, m->options, m->n_options, &o, err);
	if (ret < 0)
		return ret;
	if (!o.bind && (m->type == NULL || *m->type == '\0')) {
		mount_options_free(&o);
		return hull_error_invalid(err, "mount `%s`: no type given and not a bind mount",
					  m->destination);
	}
	if (defer_readonly && (o.flags & MS_RDONLY) && !o.recursive_readonly) {
		o.flags &= ~MS_RDONLY;
		deferred = true;
	}
	directory = source_is_directory(m, o.bind);
	target_fd =
	    rootpath_ensure_mountpoint(ctx->root_fd, m->destination, directory, directory ? 0755 : 0644, err);
	if (target_fd < 0) {
		mount_options_free(&o);
		return hull_error_wrap(err, "mount `%s`", m->destination);
	}
	mount_fd_path(target_fd, target);

	if (o.bind)
		ret = mount_bind(ctx, m, &o, target_fd, target, err);
	else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		ret =
		    cgroup_mount_in_container(ctx->root_fd, m->destination, o.flags, ctx->new_cgroup_ns, err);
	else if ((ret = strcmp(m->type, "tmpfs") == 0 ? tmpfs_keep_mode(&o, target_fd, err) : 0) == 0)
		ret = mount_filesystem(m, &o, target, err);
	if (ret == 0)
		ret = mount_finish(ctx, m, &o, err);
	mount_options_free(&o);
	if (ret < 0)
		return hull_error_wrap(err, "mount `%s`", m->destination);
	return deferred ? 1 : 0;
}
