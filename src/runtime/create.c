/* `create`: everything up to the container's process waiting for `start`.
 *
 * Input is checked before anything exists (id, bundle, config, root, capabilities, console).  After the
 * state directory is made, every failure undoes what was done: the process is killed, the cgroup and the
 * state directory removed, so a failed create leaves nothing behind. */
#include "runtime/runtime.h"
#include "runtime/launch.h"
#include "runtime/runtime_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup.h"
#include "linux/cgroup_devices.h"
#include "linux/cgroup_resources.h"
#include "oci/names.h"
#include "linux/lsm.h"
#include "linux/rootfs.h"
#include "runtime/hooks.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/log.h"
#include "util/process.h"
#include "util/rootless.h"
#include "util/timefmt.h"
#include "util/socket.h"

struct create_job {
	const struct runtime_context *rt;
	const struct create_options *o;
	struct oci_spec *spec;
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	struct state_dir dir;
	struct container_state state;
	struct container_launch launch;
	struct cgroup_plan resources;
	struct cgroup_request cgroup_request;
	bool limits_applied;
	struct device_rules device_rules;
	int runtime_sync_fd;
	pid_t pid;
	bool pid_is_child;
	int pidfd; /* the init, from the moment its pid is known; else process_pidfd_open()'s -errno */
};

/* linux.resources becomes cgroup writes now, so that a bad value is refused before anything exists. */
static int plan_resources(struct create_job *j, struct hull_error **err)
{
	json_object *resources = j->spec->linux_.resources, *devices = NULL;
	enum cgroup_layout layout;
	int ret;

	if (resources == NULL)
		return 0;
	json_object_object_get_ex(resources, "devices", &devices);
	if ((ret = cgroup_detect_layout(&layout, err)) < 0 ||
	    (ret = cgroup_resources_plan(resources, layout, "linux.resources", &j->resources, err)) < 0 ||
	    (ret = device_rules_build(devices, j->spec, "linux.resources.devices", &j->device_rules, err)) <
		0)
		return hull_error_wrap(err, "%s/config.json", j->bundle);
	/* Device rules alone do not need a cgroup of an unprivileged user, as runc's rootless mode has it:
	 * in a user namespace no device node can be made, only the host's bound in, which it may open. */
	j->cgroup_request.limited = j->resources.n_writes > 0 || (j->device_rules.n_rules > 0 && !rootless());
	return 0;
}

/* Device rules and the resource plan, into the container's cgroups as soon as they exist: before the
 * clone when the manager makes them first (cgroupfs), once they hold the init otherwise (systemd). */
static int apply_limits(struct create_job *j, struct hull_error **err)
{
	int ret;

	if (j->limits_applied || j->state.cgroups.n_dirs == 0)
		return 0;
	j->limits_applied = true;
	if ((ret = cgroup_devices_apply(&j->state.cgroups, &j->device_rules, err)) < 0)
		return ret;
	return cgroup_resources_apply(&j->state.cgroups, &j->resources, err);
}

static int check_input(struct create_job *j, int console_fd, struct hull_error **err)
{
	const struct create_options *o = j->o;
	cleanup_free char *root = NULL;
	struct stat st;
	int ret;

	if ((ret = id_validate(o->id, err)) < 0)
		return ret;
	if (realpath(o->bundle ? o->bundle : ".", j->bundle) == NULL)
		return hull_error_errno(err, "bundle `%s`", o->bundle ? o->bundle : ".");
	if ((ret = oci_spec_load(j->bundle, &j->spec, err)) < 0 || (ret = plan_resources(j, err)) < 0)
		return ret;
	j->cgroup_request.cgroups_path = j->spec->linux_.cgroups_path;
	if ((ret = j->rt->cgroup_manager->check(&j->cgroup_request, err)) < 0)
		return hull_error_wrap(err, "%s/config.json", j->bundle);
	/* The cache lives under the state root, which the first create of all makes here already. */
	char cache[PATH_MAX];
	snprintf(cache, sizeof(cache), "%s/" RUNTIME_SECCOMP_CACHE, j->rt->state_root);
	if (j->spec->linux_.seccomp)
		fs_mkdir_parents(j->rt->state_root, 0700, NULL);
	if ((ret = seccomp_filter_build(j->spec->linux_.seccomp, cache, &j->launch.seccomp, err)) < 0)
		return hull_error_wrap(err, "%s/config.json", j->bundle);
	if (j->spec->process == NULL)
		return hull_error_invalid(err, "%s/config.json: process: missing (there is nothing to run)",
					  j->bundle);
	/* Without a mount namespace the container shares the host's mounts: its own are made below its root
	 * (container_init.c); a read-only root would have to remount the host mount holding it. */
	if (oci_spec_namespace(j->spec, CLONE_NEWNS) == NULL && j->spec->root_readonly)
		return hull_error_invalid(err,
					  "%s/config.json: root.readonly needs a mount namespace (it would "
					  "remount the host's file system holding the root)",
					  j->bundle);
	if (asprintf(&root, "%s%s%s", j->spec->root_path[0] == '/' ? "" : j->bundle,
		     j->spec->root_path[0] == '/' ? "" : "/", j->spec->root_path) < 0)
		return hull_error_set(err, ENOMEM, "root");
	if (realpath(root, j->rootfs) == NULL || stat(j->rootfs, &st) < 0)
		return hull_error_errno(err, "root.path `%s`", root);
	/* The host's own root (named, or through a symlink) cannot become a container's: pivot_root would
	 * fail with EBUSY, and without a mount namespace the container would share the host's files. */
	if (strcmp(j->rootfs, "/") == 0)
		return hull_error_invalid(err, "root.path `%s`: is the host's root directory%s", root,
					  strcmp(root, "/") == 0 ? "" : " (through a symlink)");
	if (!S_ISDIR(st.st_mode))
		return hull_error_set(err, ENOTDIR, "root.path `%s`", root);
	if (j->spec->process->terminal && console_fd < 0 && o->console_socket == NULL)
		return hull_error_invalid(err, "process.terminal is true: --console-socket is required");
	if (o->preserve_fds < 0 || o->preserve_fds > 10000)
		return hull_error_invalid(err, "--preserve-fds: %d is out of range", o->preserve_fds);
	if (lsm_check_available(j->spec->process->apparmor_profile, j->spec->process->selinux_label, err) < 0)
		return -1;
	return capabilities_resolve(j->spec->process, &j->launch.caps, err);
}

static char *state_json_text(const struct container_state *s)
{
	json_object *o = state_to_oci_json(s);
	char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return text;
}

static int fill_state(struct create_job *j)
{
	struct container_state *s = &j->state;
	struct passwd *pw = getpwuid(geteuid());
	char now[64];
	json_object *annotations = NULL;

	timefmt_now(now, sizeof(now));
	s->id = strdup(j->o->id);
	s->bundle = strdup(j->bundle);
	s->rootfs = strdup(j->rootfs);
	s->created = strdup(now);
	s->owner = strdup(pw ? pw->pw_name : "");
	s->status = STATUS_CREATING;
	s->cgroup_manager = j->rt->cgroup_manager;
	s->shares_host_pid_ns = oci_spec_namespace(j->spec, CLONE_NEWPID) == NULL;
	s->shares_host_mount_ns = oci_spec_namespace(j->spec, CLONE_NEWNS) == NULL;
	if (json_object_object_get_ex(j->spec->doc, "annotations", &annotations) &&
	    json_object_is_type(annotations, json_type_object))
		s->annotations = json_object_get(annotations);
	return s->id && s->bundle && s->rootfs && s->created && s->owner ? 0 : -ENOMEM;
}

/* Talks the init through its setup until it is ready. */
static int drive_setup(struct create_job *j, struct hull_error **err)
{
	cleanup_free char *state_json = NULL;
	int ret;

	j->state.pid = j->pid;
	process_start_time(j->pid, &j->state.start_time, NULL);
	if ((ret = state_save(&j->dir, &j->state, err)) < 0)
		return ret;
	if ((ret = j->state.cgroup_manager->attach(&j->cgroup_request, j->pid, &j->state.cgroups,
						   &j->state.cgroup_unit, err)) < 0 ||
	    (j->state.cgroup_unit && (ret = state_save(&j->dir, &j->state, err)) < 0) ||
	    (ret = apply_limits(j, err)) < 0)
		return ret;
	/* Hooks see the status runc gives them: `created` for prestart, createRuntime, createContainer and
	 * startContainer, although the container is still being created while the first three run. */
	j->state.status = STATUS_CREATED;
	state_json = state_json_text(&j->state);
	j->state.status = STATUS_CREATING;
	if (state_json == NULL)
		return hull_error_set(err, ENOMEM, "state");
	if ((ret = sync_send(j->runtime_sync_fd, SYNC_CONTINUE, j->pid, state_json, err)) < 0)
		return ret;
	for (;;) {
		enum sync_type type;
		int32_t value = 0;
		char *text = NULL;

		ret = sync_recv(j->runtime_sync_fd, &type, &value, &text, err);
		if (ret < 0)
			return ret;
		if (type == SYNC_READY) {
			free(text);
			return 0;
		}
		if (type == SYNC_ERROR) {
			hull_error_set(err, 0, "%s", text ? text : "container setup failed");
			(*err)->errnum = value > 0 ? value : 0;
			free(text);
			return hull_error_code(*err);
		}
		free(text);
		if (type != SYNC_HOOKS)
			return hull_error_fail(err, EBADMSG,
					       "unexpected message %d from the container process", type);
		if ((ret = hooks_run(j->spec, OCI_HOOK_PRESTART, state_json, err)) < 0 ||
		    (ret = hooks_run(j->spec, OCI_HOOK_CREATE_RUNTIME, state_json, err)) < 0)
			return ret;
		if ((ret = sync_send(j->runtime_sync_fd, SYNC_CONTINUE, 0, NULL, err)) < 0)
			return ret;
	}
}

static int save_created(struct create_job *j, struct hull_error **err)
{
	const char *config = json_object_to_json_string_ext(j->spec->doc, JSON_C_TO_STRING_PLAIN);
	char pid[32];
	int ret;

	j->state.status = STATUS_CREATED;
	if ((ret = fs_write_file_atomic(j->dir.fd, "config.json", config, strlen(config), 0600, err)) < 0 ||
	    (ret = state_save(&j->dir, &j->state, err)) < 0)
		return ret;
	if (j->o->pid_file) {
		snprintf(pid, sizeof(pid), "%d", j->pid);
		if ((ret = fs_write_file_atomic(AT_FDCWD, j->o->pid_file, pid, strlen(pid), 0644, err)) < 0)
			return hull_error_wrap(err, "write --pid-file");
	}
	return 0;
}

static void undo(struct create_job *j)
{
	struct hull_error *ignored = NULL;

	if (j->pid > 0)
		process_pidfd_send(j->pidfd, j->pid, SIGKILL);
	if (j->pid > 0 && j->pid_is_child)
		waitpid(j->pid, NULL, 0);
	j->state.cgroup_manager->destroy(&j->state.cgroups, j->state.cgroup_unit, j->cgroup_request.user,
					 &ignored);
	hull_error_free(&ignored);
	if (j->state.shares_host_mount_ns)
		rootfs_unmount_below(j->rootfs);
	if (j->dir.fd >= 0)
		state_dir_remove(&j->dir, &ignored);
	hull_error_free(&ignored);
	if (j->o->pid_file)
		unlink(j->o->pid_file);
}

static int prepare_launch(struct create_job *j, int console_fd, int *init_sync_fd, struct hull_error **err)
{
	struct container_launch *l = &j->launch;
	const char *listen = getenv("LISTEN_FDS");
	int pair[2];
	int ret;

	l->id = j->o->id;
	l->spec = j->spec;
	l->bundle = j->bundle;
	l->rootfs = j->rootfs;
	l->no_pivot = j->o->no_pivot;
	l->no_new_keyring = j->o->no_new_keyring;
	l->new_flags = namespaces_new_flags(j->spec);
	{
		/* Only for a new user namespace, where the path may not be searchable; joining a mount
		 * namespace by path moves the working directory to that namespace's root. */
		const struct oci_namespace *mnt = oci_spec_namespace(j->spec, CLONE_NEWNS);
		size_t len = strlen(j->bundle);
		if ((l->new_flags & CLONE_NEWUSER) && !(mnt && mnt->path) &&
		    strncmp(j->rootfs, j->bundle, len) == 0 && j->rootfs[len] == '/' && j->rootfs[len + 1])
			l->rootfs_in_bundle = j->rootfs + len + 1;
	}
	l->listen_fds = listen ? atoi(listen) : 0;
	if (l->listen_fds < 0 || l->listen_fds > 1000)
		l->listen_fds = 0;
	l->preserve_fds = j->o->preserve_fds + l->listen_fds;
	l->console_fd = console_fd;
	l->runtime_fds[0] = j->dir.fd;
	l->runtime_fds[1] = j->dir.lock_fd;
	l->runtime_fds[2] = l->cgroup_fd = cgroup_set_open_unified(&j->state.cgroups);
	if (console_fd < 0 && j->o->console_socket && j->spec->process->terminal) {
		l->console_fd = socket_connect_path(j->o->console_socket, SOCK_STREAM, err);
		if (l->console_fd < 0)
			return hull_error_wrap(err, "--console-socket");
	}
	if (seccomp_filter_listener_path(l->seccomp)) {
		/* Connected now: the path is on the host, which the container's process cannot reach. */
		l->seccomp_listener_fd =
		    socket_connect_path(seccomp_filter_listener_path(l->seccomp), SOCK_STREAM, err);
		if (l->seccomp_listener_fd < 0)
			return hull_error_wrap(err, "linux.seccomp.listenerPath");
	}
	if ((ret = namespaces_open_joins(j->spec, &l->joins, &l->n_joins, err)) < 0)
		return ret;
	if ((ret = mount_sources_open(j->spec, j->bundle, (l->new_flags & CLONE_NEWUSER) != 0,
				      &l->mount_sources, err)) < 0)
		return hull_error_wrap(err, "%s/config.json", j->bundle);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return hull_error_errno(err, "socketpair");
	j->runtime_sync_fd = pair[0];
	*init_sync_fd = l->sync_fd = pair[1];
	return 0;
}

int runtime_create(const struct runtime_context *rt, const struct create_options *o, bool foreground,
		   int console_fd, struct created_container *out, struct hull_error **err)
{
	struct create_job j = {
	    .rt = rt, .o = o, .runtime_sync_fd = -1, .pidfd = -1, .dir = {.fd = -1, .lock_fd = -1}};
	int init_sync_fd = -1;
	int ret;

	j.launch.start_fd = j.launch.console_fd = j.launch.sync_fd = j.launch.seccomp_listener_fd = -1;
	j.launch.cgroup_fd = -1;
	j.cgroup_request.id = o->id;
	j.cgroup_request.user = rootless();
	if ((ret = check_input(&j, console_fd, err)) < 0)
		goto fail_early;
	if ((ret = state_dir_create(rt->state_root, o->id, &j.dir, err)) < 0)
		goto fail_early;
	if (fill_state(&j) < 0) {
		ret = hull_error_set(err, ENOMEM, "state");
		goto fail;
	}
	/* From here on a kill at any moment leaves a "creating" state that names all that exists (cgroups,
	 * then the init), which list shows and delete --force finishes. */
	if ((ret = state_save(&j.dir, &j.state, err)) < 0 || (ret = state_dir_publish(&j.dir, err)) < 0)
		goto fail;
	if ((ret = rt->cgroup_manager->create(&j.cgroup_request, &j.state.cgroups, err)) < 0 ||
	    (j.state.cgroups.n_dirs && (ret = state_save(&j.dir, &j.state, err)) < 0) ||
	    (ret = apply_limits(&j, err)) < 0)
		goto fail;
	if ((ret = prepare_launch(&j, console_fd, &init_sync_fd, err)) < 0)
		goto fail;
	if (!foreground) {
		j.launch.start_fd = socket_listen_at(j.dir.fd, "start.sock", err);
		if (j.launch.start_fd < 0) {
			ret = j.launch.start_fd;
			goto fail;
		}
	}
	{
		/* The init starts in the bundle (launch.h); the runtime goes back to where it was, by path:
		 * a descriptor of it would be copied into the init, and from there could reach the
		 * container (CVE-2024-21626). */
		char cwd[PATH_MAX];
		bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;
		if (chdir(j.bundle) < 0)
			ret = hull_error_errno(err, "enter bundle `%s`", j.bundle);
		else
			ret = container_spawn(&j.launch, j.runtime_sync_fd, &j.pid, &j.pidfd, err);
		if (have_cwd && chdir(cwd) < 0 && ret >= 0)
			ret = hull_error_errno(err, "return to `%s`", cwd);
	}
	j.pid_is_child = !(j.launch.n_joins > 0 || (j.launch.new_flags & CLONE_NEWTIME));
	/* Through an intermediate the init is not our child, and its pid could be recycled once it dies: it
	 * is held by a pidfd while it still waits for us on the sync socket, so undo never signals another
	 * process. */
	if (ret == 0 && j.pidfd < 0)
		j.pidfd = process_pidfd_open(j.pid, 0);
	close(init_sync_fd);
	init_sync_fd = -1;
	if (ret < 0 || (ret = drive_setup(&j, err)) < 0 || (ret = save_created(&j, err)) < 0)
		goto fail;

	hull_log_debug("container `%s` created: init pid %d, root %s, cgroups in %zu hierarchies", o->id,
		       j.pid, j.rootfs, j.state.cgroups.n_dirs);
	out->pid = j.pid;
	out->sync_fd = foreground ? steal_fd(&j.runtime_sync_fd) : -1;
	ret = 0;
	goto done;

fail:
	undo(&j);
fail_early:
	hull_error_wrap(err, "create `%s`", o->id ? o->id : "");
done:
	if (init_sync_fd >= 0)
		close(init_sync_fd);
	if (j.pidfd >= 0)
		close(j.pidfd);
	if (j.runtime_sync_fd >= 0)
		close(j.runtime_sync_fd);
	if (j.launch.start_fd >= 0)
		close(j.launch.start_fd);
	if (j.launch.cgroup_fd >= 0)
		close(j.launch.cgroup_fd);
	if (j.launch.console_fd >= 0 && j.launch.console_fd != console_fd)
		close(j.launch.console_fd);
	namespaces_close_joins(j.launch.joins, j.launch.n_joins);
	mount_sources_close(&j.launch.mount_sources);
	if (j.launch.seccomp_listener_fd >= 0)
		close(j.launch.seccomp_listener_fd);
	seccomp_filter_free(j.launch.seccomp);
	state_free(&j.state);
	state_dir_close(&j.dir);
	cgroup_plan_free(&j.resources);
	device_rules_free(&j.device_rules);
	oci_spec_free(j.spec);
	return ret;
}
