/* start, kill, delete and state of an existing container. */
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/rootfs.h"
#include "runtime/hooks.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/process.h"
#include "util/rootless.h"
#include "util/socket.h"

int runtime_load_saved_spec(const struct state_dir *dir, struct oci_spec **spec, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;

	if (fs_read_file(dir->fd, "config.json", &text, &len, err) < 0)
		return -1;
	return oci_spec_parse(text, len, spec, err);
}

void runtime_run_hooks_warn(const struct state_dir *dir, const struct container_state *state,
			    enum oci_hook_kind kind)
{
	cleanup_error struct hull_error *err = NULL;
	struct oci_spec *spec = NULL;
	json_object *doc;

	if (runtime_load_saved_spec(dir, &spec, &err) < 0) {
		hull_log_warning("container `%s`: %s hooks not run: %s", state->id, oci_hook_kind_name(kind),
				 err->message);
		return;
	}
	if (spec->n_hooks[kind]) {
		doc = state_to_oci_json(state);
		hooks_run_warn(spec, kind, json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
			       state->id);
		json_object_put(doc);
	}
	oci_spec_free(spec);
}

/* Sends SYNC_START on fd and reads the outcome: end-of-file means the program was executed (the socket is
 * close-on-exec), a message is the reason it could not be. */
static int send_start(int fd, struct hull_error **err)
{
	enum sync_type type;
	char *text = NULL;
	int32_t value = 0;
	int ret;

	if ((ret = sync_send(fd, SYNC_START, 0, NULL, err)) < 0)
		return ret;
	ret = sync_recv(fd, &type, &value, &text, err);
	if (ret == -EPIPE) {
		hull_error_free(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	hull_error_set(err, 0, "%s", text ? text : "the container process failed to start");
	(*err)->errnum = value > 0 ? value : 0;
	free(text);
	return hull_error_code(*err);
}

static int mark_running(struct state_dir *dir, struct container_state *state, struct hull_error **err)
{
	state->status = STATUS_RUNNING;
	if (state_save(dir, state, err) < 0)
		return -1;
	hull_log_debug("container `%s` (pid %d) is running", state->id, state->pid);
	unlinkat(dir->fd, "start.sock", 0);
	runtime_run_hooks_warn(dir, state, OCI_HOOK_POSTSTART);
	return 0;
}

int runtime_start(const struct runtime_context *rt, const char *id, struct hull_error **err)
{
	struct state_dir dir;
	struct container_state state;
	cleanup_close int conn = -1;
	int ret;

	if ((ret = state_dir_open(rt->state_root, id, true, &dir, err)) < 0)
		return hull_error_wrap(err, "start");
	if ((ret = state_load(&dir, &state, err)) < 0)
		goto out;
	state_refresh(&state);
	if (state.status != STATUS_CREATED) {
		ret = hull_error_invalid(err, "container `%s` is %s, not created", id,
					 state_status_name(state.status));
		goto out;
	}
	conn = socket_connect_at(dir.fd, "start.sock", err);
	if (conn < 0) {
		ret = conn;
		goto out;
	}
	ret = send_start(conn, err);
	if (ret == 0)
		ret = mark_running(&dir, &state, err);
out:
	if (ret < 0)
		hull_error_wrap(err, "start `%s`", id);
	state_free(&state);
	state_dir_close(&dir);
	return ret;
}

int runtime_start_created(const struct runtime_context *rt, const char *id, struct created_container *c,
			  struct hull_error **err)
{
	struct state_dir dir;
	struct container_state state;
	int ret;

	ret = send_start(c->sync_fd, err);
	close(c->sync_fd);
	c->sync_fd = -1;
	if (ret < 0)
		return hull_error_wrap(err, "start `%s`", id);
	if ((ret = state_dir_open(rt->state_root, id, true, &dir, err)) < 0)
		return hull_error_wrap(err, "start");
	if ((ret = state_load(&dir, &state, err)) == 0)
		ret = mark_running(&dir, &state, err);
	state_free(&state);
	state_dir_close(&dir);
	return ret;
}

int runtime_state(const struct runtime_context *rt, const char *id, struct container_state *out,
		  struct hull_error **err)
{
	struct state_dir dir;
	int ret;

	if ((ret = state_dir_open(rt->state_root, id, false, &dir, err)) < 0)
		return ret;
	ret = state_load(&dir, out, err);
	if (ret == 0)
		state_refresh(out);
	state_dir_close(&dir);
	return ret;
}

int runtime_kill(const struct runtime_context *rt, const char *id, int signo, bool all,
		 struct hull_error **err)
{
	struct container_state state;
	int ret;

	if ((ret = runtime_state(rt, id, &state, err)) < 0)
		return hull_error_wrap(err, "kill");
	if (all && state.cgroups.n_dirs) {
		ret = cgroup_kill_all(&state.cgroups, signo, err);
	} else if (state.status == STATUS_STOPPED) {
		ret = hull_error_fail(err, ESRCH, "container `%s` is not running", id);
	} else if ((ret = process_signal(state.pid, state.start_time, signo)) < 0) {
		ret = ret == -ESRCH ? hull_error_fail(err, ESRCH, "container `%s` is not running", id)
				    : hull_error_set(err, -ret, "signal process %d", state.pid);
	}
	/* A frozen process only acts on SIGKILL once thawed (v1 freezer); resume does not happen by
	 * itself, so a killed paused container is thawed here, as runc does. */
	if (ret == 0 && signo == SIGKILL && state.status == STATUS_PAUSED)
		cgroup_freeze(&state.cgroups, false, NULL);
	state_free(&state);
	return ret < 0 ? hull_error_wrap(err, "kill `%s`", id) : 0;
}

/* Kills what is left of the container and waits until the kernel has let go of it. */
static int stop_processes(struct container_state *state, struct hull_error **err)
{
	if (state->cgroups.n_dirs && (state->shares_host_pid_ns || state->status != STATUS_STOPPED))
		cgroup_kill_all(&state->cgroups, SIGKILL, NULL);
	/* An abandoned create's init (its pid was recorded) normally ends when it sees the runtime gone. */
	if ((state->status != STATUS_STOPPED || state->abandoned) && state->pid > 0)
		process_signal(state->pid, state->start_time, SIGKILL);
	if (state->status == STATUS_PAUSED)
		cgroup_freeze(&state->cgroups, false, NULL);
	for (int i = 0; i < 500 && process_is_alive(state->pid, state->start_time); i++)
		usleep(i < 50 ? 1000 : 10000);
	if (process_is_alive(state->pid, state->start_time))
		return hull_error_fail(err, EBUSY, "process %d did not exit after SIGKILL", state->pid);
	return 0;
}

int runtime_delete(const struct runtime_context *rt, const char *id, bool force, struct hull_error **err)
{
	struct state_dir dir;
	struct container_state state;
	int ret;

	if ((ret = state_dir_open(rt->state_root, id, true, &dir, err)) < 0) {
		/* What a create killed before it published the id left: nothing else exists yet. */
		if (force && ret == -ENOENT && state_dir_prune_abandoned(rt->state_root, id)) {
			hull_error_free(err);
			return 0;
		}
		return hull_error_wrap(err, "delete");
	}
	if ((ret = state_load(&dir, &state, err)) < 0) {
		/* A state directory without readable state (a crash during create) is removed all the same.
		 */
		if (force) {
			hull_error_free(err);
			ret = state_dir_remove(&dir, err);
		}
		state_dir_close(&dir);
		return ret < 0 ? hull_error_wrap(err, "delete `%s`", id) : 0;
	}
	state_refresh(&state);
	if ((state.status == STATUS_RUNNING || state.status == STATUS_PAUSED) && !force) {
		ret = hull_error_fail(err, EBUSY, "container `%s` is %s: stop it first, or use --force", id,
				      state_status_name(state.status));
		goto out;
	}
	if ((ret = stop_processes(&state, err)) < 0)
		goto out;
	if ((ret = state.cgroup_manager->destroy(&state.cgroups, state.cgroup_unit, rootless(), err)) < 0)
		goto out;
	if (state.shares_host_mount_ns && state.rootfs && *state.rootfs == '/')
		rootfs_unmount_below(state.rootfs);
	state.status = STATUS_STOPPED;
	runtime_run_hooks_warn(&dir, &state, OCI_HOOK_POSTSTOP);
	ret = state_dir_remove(&dir, err);
	hull_log_debug("container `%s` deleted (its cgroups and state directory are removed)", id);
out:
	if (ret < 0)
		hull_error_wrap(err, "delete `%s`", id);
	state_free(&state);
	state_dir_close(&dir);
	return ret;
}
