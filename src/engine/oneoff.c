/* A command on a stopped container's root: a one-off container of the same config and writable layer,
 * run in the foreground (hull machine shell into a machine that is not running). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "linux/cgroup_manager.h"
#include "runtime/foreground.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/socket.h"

/* The container's config with the command, the terminal and the root (by its absolute path, from a bundle
 * elsewhere) changed, and no hooks: it has no network of its own to set up. */
static int oneoff_config(const char *bundle, const char *dir, char **args, size_t n_args, bool tty,
			 struct hull_error **err)
{
	cleanup_free char *path = NULL, *text = NULL, *rootfs = NULL, *out_path = NULL;
	cleanup_json json_object *spec = NULL;
	json_object *process, *root, *argv, *linux_ = NULL;
	const char *out;
	size_t len;
	int ret;

	if (asprintf(&path, "%s/config.json", bundle) < 0 || asprintf(&rootfs, "%s/rootfs", bundle) < 0 ||
	    asprintf(&out_path, "%s/config.json", dir) < 0)
		return hull_error_set(err, ENOMEM, "shell");
	if ((ret = fs_read_file(AT_FDCWD, path, &text, &len, err)) < 0 ||
	    (ret = json_parse_text(text, len, "config.json", &spec, err)) < 0)
		return ret;
	if (!json_object_object_get_ex(spec, "process", &process) ||
	    !json_object_object_get_ex(spec, "root", &root))
		return hull_error_invalid(err, "`%s`: no process or root", path);
	argv = json_object_new_array();
	for (size_t i = 0; i < n_args; i++)
		json_object_array_add(argv, json_object_new_string(args[i]));
	json_object_object_add(process, "args", argv);
	json_object_object_add(process, "terminal", json_object_new_boolean(tty));
	json_object_object_add(root, "path", json_object_new_string(rootfs));
	json_object_object_del(spec, "hooks");
	/* Its own cgroup (the runtime's default for its id), not the container's. */
	if (json_object_object_get_ex(spec, "linux", &linux_))
		json_object_object_del(linux_, "cgroupsPath");
	out = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY);
	return fs_write_file_atomic(AT_FDCWD, out_path, out, strlen(out), 0600, err);
}

int engine_oneoff(struct engine *e, struct app_container *c, char **args, size_t n_args, bool tty,
		  int *exit_code, struct hull_error **err)
{
	cleanup_free char *bundle = engine_path(e, c->id, "bundle"), *dir = engine_path(e, c->id, "oneoff");
	cleanup_close int ours = -1, theirs = -1, master = -1;
	struct created_container created = {.pid = -1, .sync_fd = -1};
	char id[32];
	int lock, ret;

	if (bundle == NULL || dir == NULL)
		return hull_error_set(err, ENOMEM, "shell");
	/* Under the container's lock: a start meanwhile would mount the same writable layer twice. */
	if ((lock = engine_lock(e, c->id, err)) < 0)
		return lock;
	if (engine_running(e, c, NULL)) {
		close(lock);
		return hull_error_fail(err, EBUSY, "`%s` is running", app_container_name(c));
	}
	snprintf(id, sizeof(id), "%.12s-oneoff-%d", c->id, (int)getpid());
	fs_remove_tree(AT_FDCWD, dir, NULL);
	/* An ephemeral run's changes are gone once it stopped: the one-off sees the container's own. */
	if ((ret = engine_discard_ephemeral(e, c, err)) < 0 ||
	    (ret = engine_ensure_rootfs(e, c, bundle, err)) < 0)
		goto out;
	if (mkdir(dir, 0700) < 0) {
		ret = hull_error_errno(err, "`%s`", dir);
		goto out;
	}
	if ((ret = oneoff_config(bundle, dir, args, n_args, tty, err)) < 0)
		goto out;
	if (tty) {
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			ret = hull_error_errno(err, "socketpair");
			goto out;
		}
		ours = pair[0];
		theirs = pair[1];
	}
	if ((ret = foreground_block_signals(NULL, err)) < 0)
		goto out;
	{
		/* The runtime as a library, as exec uses it; cgroups as hull-runtime's default makes them. */
		struct runtime_context rt = {.state_root = e->rt.state_root,
					     .cgroup_manager = &cgroup_manager_cgroupfs};
		struct create_options o = {.id = id, .bundle = dir};
		if ((ret = runtime_create(&rt, &o, true, theirs, &created, err)) < 0)
			goto out;
		if ((ours < 0 || (ret = socket_recv_fd(ours, &master, err)) >= 0) &&
		    (ret = runtime_start_created(&rt, id, &created, err)) >= 0)
			ret = foreground_wait(created.pid, master, exit_code, err);
		runtime_delete(&rt, id, true, NULL);
	}
out:
	fs_remove_tree(AT_FDCWD, dir, NULL);
	close(lock);
	return ret < 0 ? hull_error_wrap(err, "shell `%s`", app_container_name(c)) : 0;
}
