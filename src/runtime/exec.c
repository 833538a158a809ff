/* `exec`: a new process in a running container.
 *
 * The runtime forks an intermediate that enters the container's cgroups (by host path, while it still can),
 * closes every descriptor the container must not see, joins the container's namespaces and clones the
 * process with CLONE_PARENT, so that it becomes the runtime's child (in the container's pid namespace) and
 * `exec` can wait for it.  The process then goes through the same last steps as the container's first
 * process (process_launch.c).  A SOCK_SEQPACKET pair carries its pid, or the reason it failed; end of file
 * means it executed its program. */
#include "runtime/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/lsm.h"
#include "linux/namespaces.h"
#include "linux/process_setup.h"
#include "runtime/exec_process.h"
#include "runtime/process_launch.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/socket.h"

struct exec_job {
	const struct exec_options *o;
	struct container_state state;
	struct oci_spec *spec;
	struct capability_plan caps;
	struct seccomp_filter *seccomp;
	int listener_fd;
	int console_fd;
	struct namespace_join *joins;
	size_t n_joins;
	char *state_json;
	int sync_fd; /* the process side */
	/* Paused and --ignore-paused: a process entering the frozen cgroup would freeze before it could
	 * execute its program, so the runtime moves it in once it has (it is then frozen, as asked). */
	bool enter_cgroups_late;
};

__attribute__((noreturn)) static void child_fail(int sync_fd, struct hull_error *err)
{
	sync_send(sync_fd, SYNC_ERROR, err ? err->errnum : 0,
		  err && err->message ? err->message : "exec failed", NULL);
	_exit(127);
}

/* CVE-2024-21626: a directory descriptor of the host left open lets a working directory such as
 * /proc/self/fd/N lead out of the container.  Everything is closed but stdio, the preserved descriptors and
 * the ones this process still needs. */
static int close_other_fds(const struct exec_job *j, struct hull_error **err)
{
	cleanup_closedir DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL)
		return hull_error_errno(err, "open /proc/self/fd");
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		bool keep = fd < 3 + j->o->preserve_fds || fd == dirfd(d) || fd == j->sync_fd ||
			    fd == j->console_fd || fd == j->listener_fd;
		for (size_t i = 0; i < j->n_joins && !keep; i++)
			keep = fd == j->joins[i].fd;
		if (e->d_name[0] != '.' && !keep)
			close(fd);
	}
	return 0;
}

/* A working directory that is not below the container's root (getcwd says "(unreachable)") is refused. */
static int check_cwd(const char *cwd, struct hull_error **err)
{
	char buf[4096];

	if (chdir(cwd) < 0)
		return hull_error_errno(err, "change to the working directory `%s`", cwd);
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		return hull_error_fail(err, EPERM, "working directory `%s` is outside the container", cwd);
	return 0;
}

__attribute__((noreturn)) static void run_process(struct exec_job *j)
{
	const struct oci_process *p = j->spec->process;
	struct hull_error *err = NULL;
	struct process_launch pl = {
	    .process = p,
	    .caps = &j->caps,
	    .seccomp = j->seccomp,
	    .seccomp_listener_fd = &j->listener_fd,
	    .state_json = j->state_json,
	    .host_pid = 0,
	    .user_ns = oci_spec_namespace(j->spec, CLONE_NEWUSER) != NULL,
	};

	/* Not dumpable until execve: other processes of the container cannot open /proc/<pid>/exe, which is
	 * the runtime's binary until then (CVE-2019-5736). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	process_launch_reset_signals();
	/* As runc: a terminal makes the process a session leader; without one it still leads a process
	 * group of its own, so that a signal to the group (a shell's job control, `kill -- -PID`) reaches
	 * what it started and nothing of the container's other processes. */
	if (p->terminal ? setsid() < 0 : setpgid(0, 0) < 0) {
		hull_error_errno(&err, p->terminal ? "create session" : "create process group");
		child_fail(j->sync_fd, err);
	}
	if (process_launch_terminal(p, &j->console_fd, &err) < 0 || check_cwd(p->cwd, &err) < 0 ||
	    process_set_rlimits(p, &err) < 0 || process_set_oom_score_adj(p, &err) < 0)
		child_fail(j->sync_fd, err);
	if (process_cloexec_from(3 + j->o->preserve_fds) < 0) {
		hull_error_errno(&err, "close descriptors");
		child_fail(j->sync_fd, err);
	}
	process_launch_exec(&pl, &err);
	child_fail(j->sync_fd, err);
}

__attribute__((noreturn)) static void run_intermediate(struct exec_job *j)
{
	struct hull_error *err = NULL;
	pid_t pid;

	if (close_other_fds(j, &err) < 0 ||
	    (j->state.cgroups.n_dirs && !j->enter_cgroups_late &&
	     cgroup_enter(&j->state.cgroups, getpid(), &err) < 0) ||
	    namespaces_join(j->joins, j->n_joins, &err) < 0)
		child_fail(j->sync_fd, err);
	for (size_t i = 0; i < j->n_joins; i++)
		close(j->joins[i].fd);
	/* CLONE_PARENT: the process is the runtime's child, in the pid namespace just joined. */
	pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		hull_error_errno(&err, "create the process (clone)");
		child_fail(j->sync_fd, err);
	}
	if (pid == 0)
		run_process(j);
	sync_send(j->sync_fd, SYNC_PID, pid, NULL, NULL);
	_exit(0);
}

/* Reads the pid from the intermediate, then waits for the process to execute its program. */
static int await_process(int fd, pid_t intermediate, pid_t *pid, struct hull_error **err)
{
	enum sync_type type;
	int32_t value = 0;
	char *text = NULL;
	int ret, status;

	*pid = -1;
	while ((ret = sync_recv(fd, &type, &value, &text, err)) == 0) {
		if (type == SYNC_PID) {
			*pid = value;
		} else if (type == SYNC_ERROR) {
			hull_error_set(err, 0, "%s", text ? text : "exec failed");
			(*err)->errnum = value > 0 ? value : 0;
			ret = hull_error_code(*err);
		}
		free(text);
		text = NULL;
		if (ret < 0)
			break;
	}
	waitpid(intermediate, &status, 0);
	if (ret == -EPIPE) {
		hull_error_free(err);
		ret = *pid > 0 ? 0 : hull_error_fail(err, ECHILD, "the process was not started");
	}
	if (ret < 0 && *pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	return ret;
}

static int prepare(const struct runtime_context *rt, struct exec_job *j, struct hull_error **err)
{
	const struct exec_options *o = j->o;
	struct state_dir dir;
	cleanup_free char *config = NULL;
	size_t len = 0;
	int ret;

	if ((ret = state_dir_open(rt->state_root, o->id, false, &dir, err)) < 0)
		return ret;
	ret = state_load(&dir, &j->state, err);
	if (ret == 0)
		ret = fs_read_file(dir.fd, "config.json", &config, &len, err);
	state_dir_close(&dir);
	if (ret < 0)
		return ret;
	state_refresh(&j->state);
	/* A process joining a frozen cgroup is frozen at once: `exec` would wait for it forever. */
	if (j->state.status == STATUS_PAUSED && !o->ignore_paused)
		return hull_error_fail(
		    err, EBUSY, "container `%s` is paused: resume it first (or --ignore-paused)", o->id);
	j->enter_cgroups_late = j->state.status == STATUS_PAUSED;
	if (o->n_cgroups) {
		struct cgroup_set sub;
		if (j->state.cgroups.n_dirs == 0)
			return hull_error_fail(err, ENOTSUP, "--cgroup: container `%s` has no cgroup", o->id);
		if ((ret = cgroup_set_sub(&j->state.cgroups, o->cgroups, o->n_cgroups, &sub, err)) < 0)
			return ret;
		cgroup_set_free(&j->state.cgroups);
		j->state.cgroups = sub;
	}
	if (j->state.status != STATUS_RUNNING && j->state.status != STATUS_CREATED &&
	    j->state.status != STATUS_PAUSED)
		return hull_error_fail(err, EINVAL, "container `%s` is %s, not running", o->id,
				       state_status_name(j->state.status));
	char cache[PATH_MAX];
	snprintf(cache, sizeof(cache), "%s/" RUNTIME_SECCOMP_CACHE, rt->state_root);
	if ((ret = exec_process_spec(config, len, o, &j->spec, err)) < 0 ||
	    (ret = lsm_check_available(j->spec->process->apparmor_profile, j->spec->process->selinux_label,
				       err)) < 0 ||
	    (ret = capabilities_resolve(j->spec->process, &j->caps, err)) < 0 ||
	    (ret = seccomp_filter_build(j->spec->linux_.seccomp, cache, &j->seccomp, err)) < 0)
		return ret;
	if (j->spec->process->terminal && j->console_fd < 0)
		return hull_error_invalid(err, "a terminal (-t) needs --console-socket when detached");
	if (o->preserve_fds < 0 || o->preserve_fds > 10000)
		return hull_error_invalid(err, "--preserve-fds: %d is out of range", o->preserve_fds);
	if (seccomp_filter_listener_path(j->seccomp)) {
		j->listener_fd =
		    socket_connect_path(seccomp_filter_listener_path(j->seccomp), SOCK_STREAM, err);
		if (j->listener_fd < 0)
			return hull_error_wrap(err, "linux.seccomp.listenerPath");
	}
	json_object *doc = state_to_oci_json(&j->state);
	j->state_json = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
	return namespaces_open_process(j->state.pid, &j->joins, &j->n_joins, err);
}

int runtime_exec(const struct runtime_context *rt, const struct exec_options *o, int console_fd, pid_t *pid,
		 struct hull_error **err)
{
	struct exec_job j = {.o = o, .listener_fd = -1, .console_fd = -1, .sync_fd = -1};
	cleanup_close int runtime_end = -1;
	int pair[2], ret;
	pid_t intermediate;

	*pid = -1;
	if (o->console_socket) {
		j.console_fd = socket_connect_path(o->console_socket, SOCK_STREAM, err);
		if (j.console_fd < 0) {
			ret = hull_error_wrap(err, "--console-socket");
			goto out;
		}
	} else if (console_fd >= 0) {
		j.console_fd = dup(console_fd);
	}
	if ((ret = prepare(rt, &j, err)) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		ret = hull_error_errno(err, "socketpair");
		goto out;
	}
	runtime_end = pair[0];
	j.sync_fd = pair[1];
	intermediate = fork();
	if (intermediate < 0) {
		ret = hull_error_errno(err, "fork");
		goto out;
	}
	if (intermediate == 0) {
		close(runtime_end);
		run_intermediate(&j);
	}
	close(j.sync_fd);
	j.sync_fd = -1;
	if ((ret = await_process(runtime_end, intermediate, pid, err)) < 0)
		goto out;
	if (j.enter_cgroups_late && (ret = cgroup_enter(&j.state.cgroups, *pid, err)) < 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
		*pid = -1;
		goto out;
	}
	if (o->pid_file) {
		char text[32];
		snprintf(text, sizeof(text), "%d", *pid);
		if ((ret = fs_write_file_atomic(AT_FDCWD, o->pid_file, text, strlen(text), 0644, err)) < 0) {
			/* An engine that cannot learn the pid cannot manage the process: it must not run on
			 * unaccounted.  It is still our child, so its pid is safe to signal. */
			kill(*pid, SIGKILL);
			waitpid(*pid, NULL, 0);
			*pid = -1;
			hull_error_wrap(err, "write --pid-file");
			goto out;
		}
	}
out:
	if (j.console_fd >= 0)
		close(j.console_fd);
	if (j.listener_fd >= 0)
		close(j.listener_fd);
	namespaces_close_joins(j.joins, j.n_joins);
	seccomp_filter_free(j.seccomp);
	oci_spec_free(j.spec);
	state_free(&j.state);
	free(j.state_json);
	return ret < 0 ? hull_error_wrap(err, "exec in `%s`", o->id) : 0;
}
