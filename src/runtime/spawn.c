/* Starting the container's first process.
 *
 * When the config only creates namespaces, one clone() with all the CLONE_NEW* flags does it.  Joining a
 * namespace by path or creating a time namespace needs an intermediate process instead: setns() of a pid
 * namespace and unshare() of a time namespace only apply to children, and namespaces created after joining
 * a user namespace must be owned by it.  The intermediate joins, unshares, forks the init and exits. */
#include "runtime/launch.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "oci/names.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/log.h"

/* The cgroup namespace is unshared by the init itself once the runtime has moved it into its cgroup, so
 * that the namespace's root is the container's cgroup and not the runtime's. */
#define LATE_FLAGS (CLONE_NEWCGROUP)

/* Creates the first child, born in the container's v2 cgroup with clone3 where the kernel has it, so that
 * it never runs (nor forks) outside it, and with a pidfd from the start.  A kernel or seccomp policy
 * without clone3 (ENOSYS, EPERM), or a cgroup that cannot take it directly, gets plain clone(): the
 * runtime then moves the child in (cgroup_enter), which says what is wrong if that fails too. */
static pid_t clone_child(int flags, int cgroup_fd, int *pidfd)
{
#ifdef CLONE_INTO_CGROUP
	struct clone_args args = {
	    .flags = (unsigned)flags | CLONE_PIDFD,
	    .pidfd = (uintptr_t)pidfd,
	    .exit_signal = SIGCHLD,
	};
	pid_t pid;

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned)cgroup_fd;
	}
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid >= 0)
		return pid;
	hull_log_debug("clone3: %s; falling back to clone", strerror(errno));
#else
	(void)cgroup_fd;
#endif
	*pidfd = -1;
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static bool needs_intermediate(const struct container_launch *l)
{
	return l->n_joins > 0 || (l->new_flags & CLONE_NEWTIME);
}

__attribute__((noreturn)) static void intermediate_fail(int sync_fd, struct hull_error *err)
{
	sync_send(sync_fd, SYNC_ERROR, err ? err->errnum : 0,
		  err && err->message ? err->message : "setup failed", NULL);
	_exit(1);
}

__attribute__((noreturn)) static void run_intermediate(struct container_launch *l)
{
	struct hull_error *err = NULL;
	int rest = l->new_flags & ~(CLONE_NEWUSER | LATE_FLAGS);
	pid_t init;

	if (namespaces_join(l->joins, l->n_joins, &err) < 0)
		intermediate_fail(l->sync_fd, err);
	if (l->new_flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0) {
			hull_error_errno(&err, "create user namespace");
			intermediate_fail(l->sync_fd, err);
		}
		if (sync_send(l->sync_fd, SYNC_USERNS, getpid(), NULL, &err) < 0 ||
		    sync_expect(l->sync_fd, SYNC_CONTINUE, NULL, NULL, &err) < 0)
			intermediate_fail(l->sync_fd, err);
	}
	if (rest && unshare(rest) < 0) {
		hull_error_errno(&err, "create namespaces");
		intermediate_fail(l->sync_fd, err);
	}
	if ((l->new_flags & CLONE_NEWTIME) && namespaces_write_time_offsets(l->spec, &err) < 0)
		intermediate_fail(l->sync_fd, err);
	/* The joined namespaces are in effect: the descriptors must not reach the container. */
	for (size_t i = 0; i < l->n_joins; i++)
		close(l->joins[i].fd);
	init = fork();
	if (init < 0) {
		hull_error_errno(&err, "fork");
		intermediate_fail(l->sync_fd, err);
	}
	if (init == 0)
		container_init(l);
	if (sync_send(l->sync_fd, SYNC_PID, init, NULL, &err) < 0)
		_exit(1);
	_exit(0);
}

static int spawn_through_intermediate(struct container_launch *l, int runtime_sync_fd, pid_t *init_pid,
				      struct hull_error **err)
{
	cleanup_close int pidfd = -1;
	pid_t child = clone_child(0, l->cgroup_fd, &pidfd);
	int status, ret = 0;

	if (child < 0)
		return hull_error_errno(err, "fork");
	if (child == 0) {
		close(runtime_sync_fd);
		run_intermediate(l);
	}
	for (;;) {
		enum sync_type type;
		int32_t value = 0;
		char *text = NULL;

		ret = sync_recv(runtime_sync_fd, &type, &value, &text, err);
		if (ret < 0)
			break;
		if (type == SYNC_USERNS) {
			ret = namespaces_write_id_maps(value, l->spec, err);
			if (ret == 0)
				ret = sync_send(runtime_sync_fd, SYNC_CONTINUE, 0, NULL, err);
		} else if (type == SYNC_PID) {
			*init_pid = value;
		} else if (type == SYNC_ERROR) {
			ret = hull_error_set(err, 0, "%s", text ? text : "setup failed");
		} else {
			ret = hull_error_fail(err, EBADMSG,
					      "unexpected message %d from the container process", type);
		}
		free(text);
		if (ret < 0 || type == SYNC_PID)
			break;
	}
	waitpid(child, &status, 0);
	return ret;
}

int container_spawn(struct container_launch *l, int runtime_sync_fd, pid_t *init_pid, int *init_pidfd,
		    struct hull_error **err)
{
	pid_t pid;

	*init_pidfd = -1;
	if (needs_intermediate(l))
		return spawn_through_intermediate(l, runtime_sync_fd, init_pid, err);

	pid = clone_child(l->new_flags & ~LATE_FLAGS, l->cgroup_fd, init_pidfd);
	if (pid < 0)
		return hull_error_errno(err, "create the container process (clone)");
	if (pid == 0) {
		close(runtime_sync_fd);
		container_init(l);
	}
	*init_pid = pid;
	if (l->new_flags & CLONE_NEWUSER) {
		int ret = namespaces_write_id_maps(pid, l->spec, err);
		if (ret < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			if (*init_pidfd >= 0)
				close(*init_pidfd);
			*init_pidfd = -1;
			return ret;
		}
	}
	return 0;
}
