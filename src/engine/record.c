/* The engine's records: finding containers by name or id, reading what the monitor wrote, and the status
 * that follows from it and from the OCI runtime's state. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/process.h"

static int sibling(char *out, size_t size, const char *self, const char *name)
{
	const char *slash = strrchr(self, '/');

	if (slash == NULL || snprintf(out, size, "%.*s%s", (int)(slash + 1 - self), self, name) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int engine_open(struct engine *e, struct store *s, const char *runroot, const char *runtime,
		struct hull_error **err)
{
	ssize_t n;

	memset(e, 0, sizeof(*e));
	e->store = s;
	e->runroot = runroot;
	e->rt = (struct runtime_context){.state_root = runroot};
	e->dir_fd = -1;
	n = readlink("/proc/self/exe", e->self, sizeof(e->self) - 1);
	if (n < 0)
		return hull_error_errno(err, "find the hull executable");
	e->self[n] = '\0';
	if (sibling(e->monitor, sizeof(e->monitor), e->self, "hull-monitor") < 0 ||
	    sibling(e->init, sizeof(e->init), e->self, "hull-init") < 0 ||
	    (runtime ? snprintf(e->runtime, sizeof(e->runtime), "%s", runtime) >= (int)sizeof(e->runtime)
		     : sibling(e->runtime, sizeof(e->runtime), e->self, "hull-runtime") < 0))
		return hull_error_fail(err, ENAMETOOLONG, "the path of hull's executables is too long");
	if (mkdirat(s->fd, "containers", 0700) < 0 && errno != EEXIST)
		return hull_error_errno(err, "store: create `containers`");
	e->dir_fd = openat(s->fd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (e->dir_fd < 0)
		return hull_error_errno(err, "store: open `containers`");
	return 0;
}

void engine_close(struct engine *e)
{
	if (e->dir_fd >= 0)
		close(e->dir_fd);
	e->dir_fd = -1;
}

void app_container_free(struct app_container *c)
{
	if (c->doc)
		json_object_put(c->doc);
	if (c->run)
		json_object_put(c->run);
	if (c->exit)
		json_object_put(c->exit);
	c->doc = c->run = c->exit = NULL;
}

const char *app_container_name(const struct app_container *c)
{
	return json_get_string(c->doc, "Name", c->id);
}

static json_object *read_record(int dir_fd, const char *id, const char *name)
{
	cleanup_free char *path = NULL, *text = NULL;
	size_t len;
	json_object *o = NULL;

	if (asprintf(&path, "%s/%s", id, name) < 0 || fs_read_file(dir_fd, path, &text, &len, NULL) < 0)
		return NULL;
	if (json_parse_text(text, len, name, &o, NULL) < 0 || !json_object_is_type(o, json_type_object)) {
		if (o)
			json_object_put(o);
		return NULL;
	}
	return o;
}

int engine_load(struct engine *e, const char *id, struct app_container *c, struct hull_error **err)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->doc = read_record(e->dir_fd, id, "container.json");
	if (c->doc == NULL)
		return hull_error_fail(err, ENOENT, "container `%s`: no record", id);
	c->run = read_record(e->dir_fd, id, "run.json");
	c->exit = c->run ? read_record(e->dir_fd, id, "exit.json") : NULL;
	return 0;
}

bool engine_id_valid(const char *id)
{
	if (strlen(id) != ENGINE_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int engine_ids(struct engine *e, char ***ids, size_t *n, struct hull_error **err)
{
	cleanup_closedir DIR *d = NULL;
	int fd = dup(e->dir_fd);
	struct dirent *entry;
	char **list = NULL;
	size_t count = 0;

	*ids = NULL;
	*n = 0;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return hull_error_errno(err, "store: read `containers`");
	}
	rewinddir(d);
	while ((entry = readdir(d)) != NULL) {
		char **grown;
		if (!engine_id_valid(entry->d_name))
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown == NULL || (grown[count] = strdup(entry->d_name)) == NULL) {
			list = grown ? grown : list;
			for (size_t i = 0; i < count; i++)
				free(list[i]);
			free(list);
			return hull_error_set(err, ENOMEM, "containers");
		}
		list = grown;
		count++;
	}
	*ids = list;
	*n = count;
	return 0;
}

static int by_created(const void *a, const void *b)
{
	const struct app_container *x = a, *y = b;

	return strcmp(json_get_string(x->doc, "Created", ""), json_get_string(y->doc, "Created", ""));
}

int engine_list(struct engine *e, struct app_container **out, size_t *n, struct hull_error **err)
{
	char **ids;
	size_t count, kept = 0;
	struct app_container *list;
	int ret = engine_ids(e, &ids, &count, err);

	*out = NULL;
	*n = 0;
	if (ret < 0)
		return ret;
	list = calloc(count ? count : 1, sizeof(*list));
	for (size_t i = 0; i < count; i++) {
		/* A directory without its record is a create in progress (or one that was killed). */
		if (list && engine_load(e, ids[i], &list[kept], NULL) == 0)
			kept++;
		free(ids[i]);
	}
	free(ids);
	if (list == NULL)
		return hull_error_set(err, ENOMEM, "containers");
	qsort(list, kept, sizeof(*list), by_created);
	*out = list;
	*n = kept;
	return 0;
}

int engine_find(struct engine *e, const char *name_or_id, struct app_container *c, struct hull_error **err)
{
	struct app_container *list;
	size_t n, prefix_hits = 0, hit = 0;
	size_t len = strlen(name_or_id);
	bool named = false;
	int ret = engine_list(e, &list, &n, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n && !named; i++) {
		if (strcmp(app_container_name(&list[i]), name_or_id) == 0 ||
		    strcmp(list[i].id, name_or_id) == 0) {
			hit = i;
			named = true;
		} else if (len > 0 && strncmp(list[i].id, name_or_id, len) == 0) {
			hit = i;
			prefix_hits++;
		}
	}
	if (named || prefix_hits == 1) {
		*c = list[hit];
		list[hit] = (struct app_container){0};
	} else if (prefix_hits > 1)
		ret = hull_error_fail(err, EINVAL, "container `%.80s`: the id prefix is not unique",
				      name_or_id);
	else
		ret = hull_error_fail(err, ENOENT, "no such container: `%.80s`", name_or_id);
	for (size_t i = 0; i < n; i++)
		app_container_free(&list[i]);
	free(list);
	return ret;
}

const char *app_status_name(enum app_status s)
{
	static const char *const names[] = {"created", "running", "paused", "exited", "restarting"};

	return names[s];
}

static bool monitor_alive(const struct app_container *c)
{
	json_object *pid = NULL, *start = NULL;

	if (!json_object_object_get_ex(c->run, "MonitorPid", &pid))
		return false;
	json_object_object_get_ex(c->run, "MonitorStart", &start);
	return process_is_alive((pid_t)json_object_get_int(pid),
				start ? (uint64_t)json_object_get_int64(start) : 0);
}

void engine_state(struct engine *e, const struct app_container *c, struct app_state *s)
{
	struct container_state rs = {0};
	struct hull_error *err = NULL;
	int64_t code = -1;

	*s = (struct app_state){.status = APP_CREATED, .started_at = "", .finished_at = "", .exit_code = 0};
	if (c->run == NULL)
		return;
	s->started_at = json_get_string(c->run, "StartedAt", "");
	if (c->exit) {
		json_object *v;
		s->status = APP_EXITED;
		if (json_object_object_get_ex(c->exit, "ExitCode", &v))
			code = json_object_get_int64(v);
		s->exit_code = (int)code;
		s->finished_at = json_get_string(c->exit, "FinishedAt", "");
		s->oom_killed =
		    json_object_object_get_ex(c->exit, "OOMKilled", &v) && json_object_get_boolean(v);
		/* The monitor became the exit command, which marks its back-off before a restart. */
		if (monitor_alive(c)) {
			char marker[ENGINE_ID_LEN + 16];
			snprintf(marker, sizeof(marker), "%s/restarting", c->id);
			if (faccessat(e->dir_fd, marker, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
				s->status = APP_RESTARTING;
		}
		return;
	}
	if (runtime_state(&e->rt, c->id, &rs, &err) == 0 &&
	    (rs.status == STATUS_RUNNING || rs.status == STATUS_PAUSED || rs.status == STATUS_CREATED)) {
		s->status = rs.status == STATUS_PAUSED ? APP_PAUSED : APP_RUNNING;
		s->pid = rs.pid;
	} else if (monitor_alive(c)) {
		/* Ended, and the monitor is still draining the output before it records how. */
		s->status = APP_RUNNING;
	} else {
		/* Ended without a monitor to record how (it was killed). */
		s->status = APP_EXITED;
		s->exit_code = -1;
	}
	state_free(&rs);
	hull_error_free(&err);
}

int engine_each(struct engine *e, engine_each_fn fn, void *arg, size_t *done, struct hull_error **err)
{
	struct app_container *list;
	size_t n;
	int ret = engine_list(e, &list, &n, err);

	*done = 0;
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct app_state st;
		struct hull_error *one = NULL;
		int r;
		engine_state(e, &list[i], &st);
		r = fn(e, &list[i], &st, arg, &one);
		if (r > 0)
			(*done)++;
		else if (r < 0) {
			/* One that fails does not keep the others from their turn; the first error is told.
			 */
			if (*err == NULL)
				*err = one;
			else
				hull_error_free(&one);
			ret = -1;
		}
		app_container_free(&list[i]);
	}
	free(list);
	return ret;
}

bool engine_running(struct engine *e, const struct app_container *c, enum app_status *status)
{
	struct app_state st;

	engine_state(e, c, &st);
	if (status)
		*status = st.status;
	return st.status == APP_RUNNING || st.status == APP_PAUSED;
}
