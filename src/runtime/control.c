/* pause, resume, update and ps: operations on a running container through its cgroup. */
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "linux/cgroup.h"
#include "linux/cgroup_devices.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_stats.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

/* Opens and locks the container, loads its state and checks that it is in `want` (or running/paused
 * when want is STATUS_RUNNING and paused_ok). */
static int open_live(const struct runtime_context *rt, const char *id, enum container_status want,
		     bool paused_ok, struct state_dir *dir, struct container_state *state,
		     struct hull_error **err)
{
	int ret;

	if ((ret = state_dir_open(rt->state_root, id, true, dir, err)) < 0)
		return ret;
	if ((ret = state_load(dir, state, err)) < 0) {
		state_dir_close(dir);
		return ret;
	}
	state_refresh(state);
	if (state->status != want && !(paused_ok && state->status == STATUS_PAUSED)) {
		ret = hull_error_fail(err, EINVAL, "container `%s` is %s, not %s", id,
				      state_status_name(state->status), state_status_name(want));
	} else if (state->cgroups.n_dirs == 0) {
		ret =
		    hull_error_fail(err, ENOTSUP, "container `%s` has no cgroup (cgroups were disabled)", id);
	}
	if (ret < 0) {
		state_free(state);
		state_dir_close(dir);
	}
	return ret;
}

static int set_frozen(const struct runtime_context *rt, const char *id, bool freeze, struct hull_error **err)
{
	struct state_dir dir;
	struct container_state state;
	int ret;

	ret = open_live(rt, id, freeze ? STATUS_RUNNING : STATUS_PAUSED, false, &dir, &state, err);
	if (ret < 0)
		return ret;
	ret = cgroup_freeze(&state.cgroups, freeze, err);
	if (ret == 0) {
		state.status = freeze ? STATUS_PAUSED : STATUS_RUNNING;
		ret = state_save(&dir, &state, err);
	} else if (freeze) {
		/* Half frozen is worse than not frozen. */
		cgroup_freeze(&state.cgroups, false, NULL);
	}
	state_free(&state);
	state_dir_close(&dir);
	return ret;
}

int runtime_pause(const struct runtime_context *rt, const char *id, struct hull_error **err)
{
	return set_frozen(rt, id, true, err) < 0 ? hull_error_wrap(err, "pause `%s`", id) : 0;
}

int runtime_resume(const struct runtime_context *rt, const char *id, struct hull_error **err)
{
	return set_frozen(rt, id, false, err) < 0 ? hull_error_wrap(err, "resume `%s`", id) : 0;
}

/* Merges `from` into `into` key by key, objects recursively (so that `--memory` alone keeps the cpu
 * settings). */
static void merge_objects(json_object *into, json_object *from)
{
	json_object_object_foreach(from, key, value)
	{
		json_object *old = NULL;
		if (json_object_is_type(value, json_type_object) &&
		    json_object_object_get_ex(into, key, &old) && json_object_is_type(old, json_type_object))
			merge_objects(old, value);
		else
			json_object_object_add(into, key, json_object_get(value));
	}
}

/* The saved config.json gets the new resources, so that later readers (and a later update) see them. */
static int save_resources(const struct state_dir *dir, json_object *resources, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	json_object *doc = NULL, *lnx = NULL, *old = NULL;
	size_t len = 0;
	int ret;

	if (fs_read_file(dir->fd, "config.json", &text, &len, err) < 0 ||
	    json_parse_text(text, len, "config.json", &doc, err) < 0)
		return -1;
	if (!json_object_object_get_ex(doc, "linux", &lnx) || !json_object_is_type(lnx, json_type_object)) {
		lnx = json_object_new_object();
		json_object_object_add(doc, "linux", lnx);
	}
	if (!json_object_object_get_ex(lnx, "resources", &old) ||
	    !json_object_is_type(old, json_type_object)) {
		old = json_object_new_object();
		json_object_object_add(lnx, "resources", old);
	}
	merge_objects(old, resources);
	const char *out = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	ret = fs_write_file_atomic(dir->fd, "config.json", out, strlen(out), 0600, err);
	json_object_put(doc);
	return ret;
}

int runtime_update(const struct runtime_context *rt, const char *id, json_object *resources,
		   struct hull_error **err)
{
	struct state_dir dir;
	struct container_state state;
	struct cgroup_plan plan = {0};
	struct device_rules rules = {0};
	enum cgroup_layout layout;
	json_object *devices = NULL;
	int ret;

	if (!json_object_is_type(resources, json_type_object))
		return hull_error_invalid(err, "update `%s`: resources must be a JSON object", id);
	if ((ret = cgroup_detect_layout(&layout, err)) < 0 ||
	    (ret = cgroup_resources_plan(resources, layout, "resources", &plan, err)) < 0)
		return hull_error_wrap(err, "update `%s`", id);
	json_object_object_get_ex(resources, "devices", &devices);
	if ((ret = device_rules_build(devices, NULL, "resources.devices", &rules, err)) < 0) {
		cgroup_plan_free(&plan);
		return hull_error_wrap(err, "update `%s`", id);
	}
	ret = open_live(rt, id, STATUS_RUNNING, true, &dir, &state, err);
	if (ret == 0) {
		if ((ret = cgroup_devices_apply(&state.cgroups, &rules, err)) == 0 &&
		    (ret = cgroup_resources_apply(&state.cgroups, &plan, err)) == 0)
			ret = save_resources(&dir, resources, err);
		state_free(&state);
		state_dir_close(&dir);
	}
	cgroup_plan_free(&plan);
	device_rules_free(&rules);
	return ret < 0 ? hull_error_wrap(err, "update `%s`", id) : 0;
}

int runtime_pids(const struct runtime_context *rt, const char *id, pid_t **pids, size_t *count,
		 struct hull_error **err)
{
	struct container_state state;
	int ret;

	*pids = NULL;
	*count = 0;
	if ((ret = runtime_state(rt, id, &state, err)) < 0)
		return hull_error_wrap(err, "ps");
	if (state.cgroups.n_dirs == 0)
		ret =
		    hull_error_fail(err, ENOTSUP, "container `%s` has no cgroup (cgroups were disabled)", id);
	else if (state.status != STATUS_STOPPED || state.shares_host_pid_ns)
		ret = cgroup_list_pids(&state.cgroups, pids, count, err);
	state_free(&state);
	return ret < 0 ? hull_error_wrap(err, "ps `%s`", id) : 0;
}

int runtime_stats(const struct runtime_context *rt, const char *id, json_object **stats, uint64_t *oom_kills,
		  bool *running, struct hull_error **err)
{
	struct container_state state;
	int ret;

	*stats = NULL;
	if ((ret = runtime_state(rt, id, &state, err)) < 0)
		return hull_error_wrap(err, "events");
	if (state.cgroups.n_dirs == 0) {
		state_free(&state);
		return hull_error_fail(
		    err, ENOTSUP, "events `%s`: the container has no cgroup (cgroups were disabled)", id);
	}
	*stats = cgroup_stats(&state.cgroups);
	*oom_kills = cgroup_oom_kills(&state.cgroups);
	*running = state.status == STATUS_RUNNING || state.status == STATUS_PAUSED;
	state_free(&state);
	return 0;
}
