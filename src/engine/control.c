/* What is done to a container that runs: exec, wait, pause and unpause, rename, top; and prune. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "runtime/foreground.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/passwd.h"
#include "util/rootpath.h"
#include "util/socket.h"

int engine_exec(struct engine *e, struct app_container *c, struct exec_options *o, int *exit_code,
		struct hull_error **err)
{
	cleanup_close int ours = -1, theirs = -1, master = -1;
	enum app_status status;
	int pair[2];
	pid_t pid;

	if (!engine_running(e, c, &status))
		return hull_error_fail(err, EINVAL, "exec `%s`: the container is not running",
				       app_container_name(c));
	if (status == APP_PAUSED)
		return hull_error_fail(err, EINVAL, "exec `%s`: the container is paused (unpause it first)",
				       app_container_name(c));
	o->id = c->id;
	if (o->tty && !o->detach) {
		/* The pty comes back to us and is relayed, as hull-runtime exec -t does. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return hull_error_errno(err, "exec: socketpair");
		ours = pair[0];
		theirs = pair[1];
	}
	if (!o->detach && foreground_block_signals(NULL, err) < 0)
		return -1;
	if (runtime_exec(&e->rt, o, theirs, &pid, err) < 0)
		return hull_error_wrap(err, "exec `%s`", app_container_name(c));
	if (o->detach) {
		*exit_code = 0;
		return 0;
	}
	if (ours >= 0 && socket_recv_fd(ours, &master, err) < 0)
		return hull_error_wrap(err, "exec `%s`", app_container_name(c));
	if (foreground_wait(pid, master, exit_code, err) < 0)
		return hull_error_wrap(err, "exec `%s`", app_container_name(c));
	return 0;
}

int engine_wait(struct engine *e, struct app_container *c, int *exit_code, struct hull_error **err)
{
	struct app_container again;
	struct app_state st;

	/* The monitor's end (or the init's, without one) means exit.json is written. */
	while (engine_running(e, c, NULL) && !engine_wait_exit(e, c, 60000))
		;
	if (engine_load(e, c->id, &again, err) < 0)
		return hull_error_wrap(err, "wait `%s`", app_container_name(c));
	engine_state(e, &again, &st);
	*exit_code = st.status == APP_EXITED ? st.exit_code : 0;
	app_container_free(&again);
	return 0;
}

int engine_pause(struct engine *e, struct app_container *c, bool pause, struct hull_error **err)
{
	enum app_status status;
	int ret;

	if (!engine_running(e, c, &status))
		return hull_error_fail(err, EINVAL, "%s `%s`: the container is not running",
				       pause ? "pause" : "unpause", app_container_name(c));
	if (pause && status == APP_PAUSED)
		return hull_error_fail(err, EINVAL, "pause `%s`: the container is already paused",
				       app_container_name(c));
	if (!pause && status != APP_PAUSED)
		return hull_error_fail(err, EINVAL, "unpause `%s`: the container is not paused",
				       app_container_name(c));
	ret = pause ? runtime_pause(&e->rt, c->id, err) : runtime_resume(&e->rt, c->id, err);
	return ret < 0 ? hull_error_wrap(err, "%s `%s`", pause ? "pause" : "unpause", app_container_name(c))
		       : 0;
}

int engine_rename(struct engine *e, struct app_container *c, const char *name, struct hull_error **err)
{
	cleanup_free char *record = NULL;
	struct app_container *list;
	size_t n;
	const char *text;
	int lock, ret = 0;

	if (!engine_name_valid(name, strlen(name)))
		return hull_error_invalid(err, "rename: `%.80s` is not a container name", name);
	if ((lock = engine_lock(e, NULL, err)) < 0)
		return lock;
	if ((ret = engine_list(e, &list, &n, err)) < 0) {
		close(lock);
		return ret;
	}
	for (size_t i = 0; i < n; i++) {
		if (ret == 0 && strcmp(app_container_name(&list[i]), name) == 0)
			ret = hull_error_fail(err, EEXIST,
					      "rename: the name `%s` is taken by another container", name);
		app_container_free(&list[i]);
	}
	free(list);
	if (ret == 0) {
		json_object_object_add(c->doc, "Name", json_object_new_string(name));
		text = json_object_to_json_string_ext(c->doc, JSON_C_TO_STRING_PLAIN);
		if (asprintf(&record, "%s/container.json", c->id) < 0)
			ret = hull_error_set(err, ENOMEM, "rename");
		else
			ret = fs_write_file_atomic(e->dir_fd, record, text, strlen(text), 0600, err);
	}
	close(lock);
	return ret;
}

int engine_top(struct engine *e, struct app_container *c, pid_t **pids, size_t *n, struct hull_error **err)
{

	if (!engine_running(e, c, NULL))
		return hull_error_fail(err, EINVAL, "top `%s`: the container is not running",
				       app_container_name(c));
	if (runtime_pids(&e->rt, c->id, pids, n, err) < 0)
		return hull_error_wrap(err, "top `%s`", app_container_name(c));
	return 0;
}

int engine_stats(struct engine *e, struct app_container *c, json_object **stats, struct hull_error **err)
{
	uint64_t oom = 0;
	bool running = false;

	if (!engine_running(e, c, NULL))
		return hull_error_fail(err, EINVAL, "stats `%s`: the container is not running",
				       app_container_name(c));
	if (runtime_stats(&e->rt, c->id, stats, &oom, &running, err) < 0)
		return hull_error_wrap(err, "stats `%s`", app_container_name(c));
	return 0;
}

static int prune_one(struct engine *e, struct app_container *c, const struct app_state *st, void *arg,
		     struct hull_error **err)
{
	(void)arg;
	if (st->status != APP_EXITED)
		return 0;
	return engine_remove(e, c, false, err) < 0 ? -1 : 1;
}

int engine_prune(struct engine *e, size_t *removed, struct hull_error **err)
{
	return engine_each(e, prune_one, NULL, removed, err);
}

/* An id of the container's passwd or group file (resolved inside its root) for a name; digits pass. */
static int lookup_id(int root_fd, const char *file, const char *name, unsigned *id, struct hull_error **err)
{
	struct passwd_line line;
	cleanup_free char *text = NULL;
	int fd;

	if (passwd_parse_id(name, id))
		return 0;
	fd = rootpath_open(root_fd, file, O_RDONLY | O_CLOEXEC, NULL);
	if (fd >= 0) {
		text = passwd_read_fd(fd);
		close(fd);
	}
	if (text == NULL || !passwd_find(text, 0, name, &line) || !line.field[2] ||
	    !passwd_parse_id(line.field[2], id))
		return hull_error_fail(err, ENOENT, "no `%.64s` in the container's %s", name, file);
	return 0;
}

int engine_exec_user(struct engine *e, const struct app_container *c, const char *spec, char *out,
		     size_t size, struct hull_error **err)
{
	cleanup_free char *rootfs = engine_path(e, c->id, "bundle/rootfs"), *user = NULL;
	cleanup_close int root_fd = -1;
	const char *group;
	unsigned uid, gid = 0;
	struct passwd_line line;
	int ret;

	if (rootfs == NULL || (user = strdup(spec)) == NULL)
		return hull_error_set(err, ENOMEM, "exec");
	group = strchr(user, ':');
	if (group)
		user[group++ - user] = '\0';
	root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return hull_error_errno(err, "exec: `%s`", rootfs);
	if ((ret = lookup_id(root_fd, "etc/passwd", user, &uid, err)) < 0)
		return hull_error_wrap(err, "exec -u");
	if (group) {
		if ((ret = lookup_id(root_fd, "etc/group", group, &gid, err)) < 0)
			return hull_error_wrap(err, "exec -u");
	} else {
		/* Without a group, the user's own from passwd (0 for a bare uid with no entry), as Docker. */
		cleanup_free char *text = NULL;
		char key[16];
		int fd = rootpath_open(root_fd, "etc/passwd", O_RDONLY | O_CLOEXEC, NULL);
		if (fd >= 0) {
			text = passwd_read_fd(fd);
			close(fd);
		}
		snprintf(key, sizeof(key), "%u", uid);
		if (text && passwd_find(text, 2, key, &line) && line.field[3])
			passwd_parse_id(line.field[3], &gid);
	}
	snprintf(out, size, "%u:%u", uid, gid);
	return 0;
}
