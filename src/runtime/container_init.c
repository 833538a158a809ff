/* The container's first process, from the clone to the execve of the container's program.
 *
 * The order matters:
 *  1. Wait until the runtime has written the id maps and moved us into the container's cgroup; only then
 *     unshare the cgroup namespace, so its root is the container's cgroup.
 *  2. Hostname, then the prestart/createRuntime hooks in the runtime (they may configure the network
 *     namespace), then mounts and /dev while the host's paths are still reachable, then createContainer
 *     hooks, then pivot_root.  After the pivot nothing of the host is reachable by path.
 *  3. sysctl, masked and read-only paths, the read-only root: after the pivot, because they act on the
 *     container's own /proc and root.
 *  4. Terminal, working directory, limits; every descriptor but stdio and the preserved ones becomes
 *     close-on-exec (CVE-2024-21626: a leaked descriptor of a host directory lets the container escape).
 *  5. Report ready and wait for start.  Only then drop privileges: startContainer hooks run with the
 *     container's namespaces but before the user switch, and a failure to switch is reported to `start`.
 *  6. Capabilities, user, no_new_privs, execve.  The runtime binary is never executed again inside the
 *     container, and this process is not dumpable until execve, so /proc/<pid>/exe cannot be opened by
 *     other processes of the container to overwrite the runtime (CVE-2019-5736).
 */
#include "runtime/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "linux/devices.h"
#include "linux/loopback.h"
#include "linux/mounts.h"
#include "linux/process_setup.h"
#include "linux/rootfs.h"
#include "linux/terminal.h"
#include "oci/names.h"
#include "runtime/hooks.h"
#include "runtime/process_launch.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/process.h"
#include "util/rootless.h"
#include "util/rootpath.h"
#include "util/socket.h"

struct init_context {
	struct container_launch *l;
	char *state_json; /* for hooks run from inside */
	pid_t host_pid;	  /* our pid in the runtime's pid namespace, sent with SYNC_CONTINUE */
	int report_fd;	  /* where a failure is reported: the sync socket, then the start connection */
};

__attribute__((noreturn)) static void init_fail(struct init_context *c, struct hull_error *err)
{
	const char *msg = err && err->message ? err->message : "container setup failed";

	sync_send(c->report_fd, SYNC_ERROR, err ? err->errnum : 0, msg, NULL);
	_exit(127);
}

static bool has_mount_at(const struct oci_spec *spec, const char *dest, bool *is_bind)
{
	for (size_t i = spec->n_mounts; i-- > 0;) {
		const struct oci_mount *m = &spec->mounts[i];
		if (strcmp(m->destination, dest) != 0)
			continue;
		*is_bind = m->type && strcmp(m->type, "bind") == 0;
		for (size_t k = 0; k < m->n_options; k++)
			*is_bind |= strcmp(m->options[k], "bind") == 0 || strcmp(m->options[k], "rbind") == 0;
		return true;
	}
	return false;
}

static bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* A read-only mount that other mounts or the device nodes go beneath (a read-only /dev with /dev/pts and
 * /dev/shm in it) is made writable first and read-only after them, or creating their mount points would
 * fail. */
static bool needs_later_writes(const struct oci_spec *spec, size_t index)
{
	const char *dest = spec->mounts[index].destination;

	if (strcmp(dest, "/dev") == 0 || strcmp(dest, "/dev/") == 0)
		return true;
	for (size_t j = index + 1; j < spec->n_mounts; j++)
		if (path_is_under(spec->mounts[j].destination, dest))
			return true;
	return false;
}

static int set_names(const struct oci_spec *spec, struct hull_error **err)
{
	if (spec->hostname && *spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return hull_error_errno(err, "set hostname `%s`", spec->hostname);
	if (spec->domainname && *spec->domainname &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return hull_error_errno(err, "set domainname `%s`", spec->domainname);
	return 0;
}

/* host_mount_ns: the container has no mount namespace of its own.  As with runc and crun, its mounts are
 * then made below its root in the host's namespace (resolved inside the root like any other) and it is
 * chrooted there; the propagation and pivot steps, which would act on the host's own mounts, are left
 * out, and `delete` unmounts what is below the root. */
/* The root as the init reaches it: relative to the bundle, its working directory, when it is inside it
 * (launch.h); the absolute path stays for comparisons with mountinfo. */
static const char *root_path(const struct container_launch *l)
{
	return l->rootfs_in_bundle ? l->rootfs_in_bundle : l->rootfs;
}

static int setup_mounts(struct init_context *c, bool host_mount_ns, struct hull_error **err)
{
	const struct container_launch *l = c->l;
	const struct oci_spec *spec = l->spec;
	cleanup_close int root_fd = -1;
	bool dev_is_bind = false;
	struct mount_context mctx;
	int ret;

	if (host_mount_ns) {
		root_fd = open(root_path(l), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0)
			return hull_error_errno(err, "open root filesystem `%s`", l->rootfs);
	} else {
		root_fd = rootfs_prepare(root_path(l), spec->linux_.rootfs_propagation, err);
		if (root_fd < 0)
			return root_fd;
	}
	mctx = (struct mount_context){
	    .root_fd = root_fd,
	    /* Inside a user namespace already (rootless hull), mknod is as forbidden as in a new one. */
	    .new_user_ns = oci_spec_namespace(spec, CLONE_NEWUSER) != NULL || rootless_nested(),
	    .new_net_ns = (l->new_flags & CLONE_NEWNET) != 0,
	    .new_cgroup_ns = (l->new_flags & CLONE_NEWCGROUP) != 0,
	    .source_fd = -1,
	};
	cleanup_free bool *deferred = calloc(spec->n_mounts + 1, sizeof(bool));

	if (deferred == NULL)
		return hull_error_set(err, ENOMEM, "mounts");
	for (size_t i = 0; i < spec->n_mounts; i++) {
		mctx.source_fd = i < l->mount_sources.n ? l->mount_sources.fds[i] : -1;
		ret = mount_apply(&mctx, &spec->mounts[i], needs_later_writes(spec, i), err);
		/* Moved into place (or not needed): the container's process must not inherit it. */
		if (mctx.source_fd >= 0)
			close(mctx.source_fd);
		mctx.source_fd = -1;
		if (ret < 0)
			return ret;
		deferred[i] = ret == 1;
	}
	/* A /dev bind-mounted from the host already has its nodes; anything else gets runc's set. */
	if (!has_mount_at(spec, "/dev", &dev_is_bind) || !dev_is_bind) {
		if ((ret = devices_create(root_fd, spec, mctx.new_user_ns, err)) < 0)
			return hull_error_wrap(err, "set up /dev");
		if ((ret = devices_create_symlinks(root_fd, err)) < 0)
			return hull_error_wrap(err, "set up /dev");
	}
	/* As runc: a working directory missing from the image is created (after the mounts, so that it
	 * lands on the filesystem that is mounted there). */
	if (strcmp(spec->process->cwd, "/") != 0) {
		int cwd_fd = rootpath_ensure(root_fd, spec->process->cwd, true, 0755, err);
		if (cwd_fd < 0)
			return hull_error_wrap(err, "process.cwd");
		close(cwd_fd);
	}
	for (size_t i = spec->n_mounts; i-- > 0;)
		if (deferred[i] && (ret = mount_seal_readonly(&mctx, &spec->mounts[i], err)) < 0)
			return ret;
	if (spec->n_hooks[OCI_HOOK_CREATE_CONTAINER] &&
	    (ret = hooks_run(spec, OCI_HOOK_CREATE_CONTAINER, c->state_json, err)) < 0)
		return ret;
	return host_mount_ns ? rootfs_enter_chroot(root_path(l), err)
			     : rootfs_enter(root_fd, l->rootfs, l->no_pivot, err);
}

/* As the runtime spec has it (and runc does): with a terminal, the container's /dev/console is its pty,
 * bound over a file made for it in the container's own /dev.  The pty is our stdin by now; its path comes
 * from the container's /proc, so without one there is no console. */
static int bind_console(struct hull_error **err)
{
	struct stat st;
	int fd;

	if (access("/proc/self/fd/0", F_OK) < 0)
		return 0;
	if (lstat("/dev/console", &st) < 0) {
		fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			  0600);
		if (fd < 0)
			return hull_error_errno(err, "create /dev/console");
		close(fd);
	} else if (S_ISLNK(st.st_mode)) {
		return hull_error_fail(err, ELOOP, "/dev/console is a symlink");
	}
	if (mount("/proc/self/fd/0", "/dev/console", NULL, MS_BIND, NULL) < 0)
		return hull_error_errno(err, "bind the pty on /dev/console");
	return 0;
}

static int prepare_process(struct init_context *c, struct hull_error **err)
{
	const struct container_launch *l = c->l;
	const struct oci_process *p = l->spec->process;
	int ret;

	if ((ret = process_launch_terminal(p, &c->l->console_fd, err)) < 0 ||
	    (p->terminal && (ret = bind_console(err)) < 0))
		return ret;
	if (chdir(p->cwd) < 0)
		return hull_error_errno(err, "change to the working directory `%s`", p->cwd);
	if ((ret = process_set_rlimits(p, err)) < 0 || (ret = process_set_oom_score_adj(p, err)) < 0)
		return ret;
	if (!l->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EACCES && errno != EDQUOT && errno != EPERM)
		return hull_error_errno(err, "create a session keyring");
	if (process_cloexec_from(3 + l->preserve_fds) < 0)
		return hull_error_errno(err, "close descriptors");
	return 0;
}

/* Waits for `start`; returns the descriptor on which later failures are reported. */
static int wait_for_start(struct init_context *c, struct hull_error **err)
{
	const struct container_launch *l = c->l;
	int conn;

	if (sync_send(l->sync_fd, SYNC_READY, 0, NULL, err) < 0)
		return -1;
	if (l->start_fd < 0) {
		if (sync_expect(l->sync_fd, SYNC_START, NULL, NULL, err) < 0)
			return -1;
		return l->sync_fd;
	}
	close(l->sync_fd);
	conn = TEMP_FAILURE_RETRY(accept4(l->start_fd, NULL, NULL, SOCK_CLOEXEC));
	if (conn < 0)
		_exit(127); /* nobody left to tell */
	close(l->start_fd);
	if (sync_expect(conn, SYNC_START, NULL, NULL, err) < 0)
		_exit(127);
	return conn;
}

static int finish_and_exec(struct init_context *c, struct hull_error **err)
{
	struct container_launch *l = c->l;
	const struct oci_spec *spec = l->spec;
	char listen_fds[32], listen_pid[32];
	const char *extra_env[3] = {NULL};
	struct process_launch pl = {
	    .process = spec->process,
	    .caps = &l->caps,
	    .seccomp = l->seccomp,
	    .seccomp_listener_fd = &l->seccomp_listener_fd,
	    .state_json = c->state_json,
	    .host_pid = c->host_pid,
	    .user_ns = oci_spec_namespace(spec, CLONE_NEWUSER) != NULL,
	    .extra_env = extra_env,
	};
	int ret;

	if (spec->n_hooks[OCI_HOOK_START_CONTAINER] &&
	    (ret = hooks_run(spec, OCI_HOOK_START_CONTAINER, c->state_json, err)) < 0)
		return ret;
	if (l->listen_fds > 0) {
		snprintf(listen_fds, sizeof(listen_fds), "LISTEN_FDS=%d", l->listen_fds);
		snprintf(listen_pid, sizeof(listen_pid), "LISTEN_PID=%d", getpid());
		extra_env[0] = listen_fds;
		extra_env[1] = listen_pid;
	}
	return process_launch_exec(&pl, err);
}

__attribute__((noreturn)) void container_init(struct container_launch *l)
{
	struct init_context c = {.l = l, .report_fd = l->sync_fd};
	struct hull_error *err = NULL;
	const struct oci_spec *spec = l->spec;
	int32_t host_pid = 0;
	int conn;

	process_launch_reset_signals();
	for (size_t i = 0; i < sizeof(l->runtime_fds) / sizeof(l->runtime_fds[0]); i++)
		if (l->runtime_fds[i] >= 0)
			close(l->runtime_fds[i]);
	/* If the runtime dies during setup, the next receive sees end-of-file and this process exits. */
	if (sync_expect(l->sync_fd, SYNC_CONTINUE, &host_pid, &c.state_json, &err) < 0)
		_exit(127);
	c.host_pid = host_pid;
	if ((l->new_flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		hull_error_errno(&err, "become root in the user namespace (is 0 mapped?)");
		init_fail(&c, err);
	}
	if ((l->new_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
		hull_error_errno(&err, "create cgroup namespace");
		init_fail(&c, err);
	}
	/* The runtime started us in the bundle; only a root outside it needs its absolute path, and the
	 * bundle's own path may not be searchable from "/" in a new user namespace. */
	if (!l->rootfs_in_bundle && chdir(l->bundle) < 0) {
		hull_error_errno(&err, "enter bundle `%s`", l->bundle);
		init_fail(&c, err);
	}
	if (setsid() < 0) {
		hull_error_errno(&err, "create session");
		init_fail(&c, err);
	}
	if (set_names(spec, &err) < 0 || ((l->new_flags & CLONE_NEWNET) && loopback_up(&err) < 0))
		init_fail(&c, err);
	if (spec->n_hooks[OCI_HOOK_PRESTART] + spec->n_hooks[OCI_HOOK_CREATE_RUNTIME] > 0 &&
	    (sync_send(l->sync_fd, SYNC_HOOKS, 0, NULL, &err) < 0 ||
	     sync_expect(l->sync_fd, SYNC_CONTINUE, NULL, NULL, &err) < 0))
		_exit(127);
	/* Not dumpable from here on: other processes of the container cannot ptrace us or open
	 * /proc/<pid>/exe, which is the runtime's binary until execve.  Only now, because no process of the
	 * container exists before start and the runtime's own helpers need our /proc files until here: an
	 * unprivileged runtime writes our uid_map, and an unprivileged createRuntime hook (slirp4netns)
	 * opens /proc/<pid>/ns/net, which a non-dumpable process keeps from anyone without
	 * CAP_SYS_PTRACE over the user namespace its memory was made in, the host's. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	bool host_mount_ns = oci_spec_namespace(spec, CLONE_NEWNS) == NULL;
	if (setup_mounts(&c, host_mount_ns, &err) < 0)
		init_fail(&c, err);
	if (process_set_sysctl(spec, &err) < 0 || rootfs_finish(spec, host_mount_ns, &err) < 0)
		init_fail(&c, err);
	if (prepare_process(&c, &err) < 0)
		init_fail(&c, err);
	conn = wait_for_start(&c, &err);
	if (conn < 0)
		init_fail(&c, err);
	c.report_fd = conn;
	finish_and_exec(&c, &err);
	init_fail(&c, err);
}
