/* What happens after a container ends (the monitor's exit command): --rm removal, or a restart as its
 * policy says, with Docker's back-off; and `system boot`, which brings back what should run. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* Docker's back-off: 100 ms, doubled after each restart up to a minute, and back to 100 ms once the
 * container has run for 10 s. */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS	 60000
#define BACKOFF_RESET_S	 10

#define STOPPED_MARK "stopped-by-user"

int engine_restart_policy_parse(const char *text, char *name, size_t size, int *max, struct hull_error **err)
{
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	char *end;

	*max = 0;
	if (n >= size)
		return hull_error_invalid(err, "--restart: `%.64s` is not a restart policy", text);
	snprintf(name, size, "%.*s", (int)n, text);
	if (strcmp(name, "no") && strcmp(name, "always") && strcmp(name, "unless-stopped") &&
	    strcmp(name, "on-failure"))
		return hull_error_invalid(
		    err, "--restart: `%.64s` is not no, on-failure[:N], always or unless-stopped", text);
	if (colon) {
		long v = strtol(colon + 1, &end, 10);
		if (strcmp(name, "on-failure") != 0 || colon[1] == '\0' || *end || v < 0 || v > 1000000)
			return hull_error_invalid(err, "--restart: `%.64s`: only on-failure takes a count",
						  text);
		*max = (int)v;
	}
	return 0;
}

void engine_mark_stopped(struct engine *e, const struct app_container *c, bool stopped)
{
	cleanup_free char *mark = NULL;

	if (asprintf(&mark, "%s/" STOPPED_MARK, c->id) < 0)
		return;
	if (stopped)
		fs_write_file_atomic(e->dir_fd, mark, "", 0, 0600, NULL);
	else
		unlinkat(e->dir_fd, mark, 0);
}

bool engine_stopped_by_user(struct engine *e, const char *id)
{
	cleanup_free char *mark = NULL;

	return asprintf(&mark, "%s/" STOPPED_MARK, id) >= 0 && faccessat(e->dir_fd, mark, F_OK, 0) == 0;
}

static void policy_of(const struct app_container *c, const char **name, int *max)
{
	json_object *host = NULL, *policy = NULL, *count = NULL;

	json_object_object_get_ex(c->doc, "HostConfig", &host);
	json_object_object_get_ex(host, "RestartPolicy", &policy);
	*name = json_get_string(policy, "Name", "no");
	*max =
	    json_object_object_get_ex(policy, "MaximumRetryCount", &count) ? json_object_get_int(count) : 0;
}

/* restart.json: {"Count": restarts so far, "Delay": the next back-off in ms}. */
static void restart_record(struct engine *e, const char *id, int *count, long *delay)
{
	cleanup_free char *path = NULL, *text = NULL;
	json_object *doc = NULL, *v;
	size_t len;

	*count = 0;
	*delay = BACKOFF_FIRST_MS;
	if (asprintf(&path, "%s/restart.json", id) < 0 ||
	    fs_read_file(e->dir_fd, path, &text, &len, NULL) < 0 ||
	    json_parse_text(text, len, "restart.json", &doc, NULL) < 0)
		return;
	if (json_object_object_get_ex(doc, "Count", &v))
		*count = json_object_get_int(v);
	if (json_object_object_get_ex(doc, "Delay", &v))
		*delay = (long)json_object_get_int64(v);
	json_object_put(doc);
}

static void restart_record_write(struct engine *e, const char *id, int count, long delay)
{
	cleanup_free char *path = NULL;
	json_object *doc = json_object_new_object();
	const char *text;

	json_object_object_add(doc, "Count", json_object_new_int(count));
	json_object_object_add(doc, "Delay", json_object_new_int64(delay));
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	if (asprintf(&path, "%s/restart.json", id) >= 0)
		fs_write_file_atomic(e->dir_fd, path, text, strlen(text), 0600, NULL);
	json_object_put(doc);
}

int engine_restart_count(struct engine *e, const struct app_container *c)
{
	int count;
	long delay;

	restart_record(e, c->id, &count, &delay);
	return count;
}

static long long parse_time(const char *when)
{
	struct tm tm = {0};

	if (when == NULL || strptime(when, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return (long long)timegm(&tm);
}

static bool should_restart(struct engine *e, const struct app_container *c, const struct app_state *st,
			   int count)
{
	const char *name;
	int max;

	policy_of(c, &name, &max);
	if (engine_stopped_by_user(e, c->id) || strcmp(name, "no") == 0)
		return false;
	if (strcmp(name, "on-failure") == 0)
		return st->exit_code != 0 && (max == 0 || count < max);
	return true; /* always, unless-stopped */
}

int engine_cleanup(struct engine *e, struct app_container *c, struct hull_error **err)
{
	json_object *host = NULL, *auto_remove = NULL;
	struct app_state st;
	struct app_container now;
	struct start_io io = {0};
	cleanup_free char *marker = NULL;
	int count, ret, fd;
	long delay;

	json_object_object_get_ex(c->doc, "HostConfig", &host);
	json_object_object_get_ex(host, "AutoRemove", &auto_remove);
	if (json_object_get_boolean(auto_remove)) {
		int lock = engine_lock(e, c->id, err);
		if (lock < 0)
			return lock;
		ret = engine_remove_locked(e, c, err);
		close(lock);
		/* As Docker's --rm: the anonymous volumes go with it, named ones stay. */
		if (ret >= 0)
			engine_remove_anonymous_volumes(e, c);
		return ret;
	}
	engine_state(e, c, &st);
	restart_record(e, c->id, &count, &delay);
	if (st.status != APP_EXITED || !should_restart(e, c, &st, count))
		return 0;
	if (parse_time(st.finished_at) - parse_time(st.started_at) >= BACKOFF_RESET_S)
		delay = BACKOFF_FIRST_MS;
	restart_record_write(e, c->id, count + 1, delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2);
	/* ps and inspect say "restarting" while this process waits (engine_state checks it lives). */
	if (asprintf(&marker, "%s/restarting", c->id) >= 0 &&
	    (fd = openat(e->dir_fd, marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0)
		close(fd);
	/* The back-off, cut short when its user stops it meanwhile (stop waits for this process). */
	for (long waited = 0; waited < delay && !engine_stopped_by_user(e, c->id); waited += 50)
		poll(NULL, 0, (int)(delay - waited < 50 ? delay - waited : 50));
	/* Removed while we waited: nothing to bring back; stopped: engine_start sees it under the lock. */
	if (engine_load(e, c->id, &now, NULL) < 0)
		return 0;
	io.restart = true;
	ret = engine_start(e, &now, &io, err);
	if (marker)
		unlinkat(e->dir_fd, marker, 0);
	app_container_free(&now);
	return ret;
}

static int boot_one(struct engine *e, struct app_container *c, const struct app_state *st, void *arg,
		    struct hull_error **err)
{
	struct start_io io = {0};
	const char *name;
	int max;

	(void)arg;
	policy_of(c, &name, &max);
	if (st->status == APP_RUNNING || st->status == APP_PAUSED ||
	    !(strcmp(name, "always") == 0 || engine_autostart(e, c) ||
	      (strcmp(name, "unless-stopped") == 0 && !engine_stopped_by_user(e, c->id))))
		return 0;
	return engine_start(e, c, &io, err) < 0 ? -1 : 1;
}

int engine_boot(struct engine *e, size_t *started, struct hull_error **err)
{
	return engine_each(e, boot_one, NULL, started, err);
}

int engine_set_autostart(struct engine *e, const struct app_container *c, bool on, struct hull_error **err)
{
	char mark[ENGINE_ID_LEN + 16];
	int fd;

	snprintf(mark, sizeof(mark), "%s/autostart", c->id);
	if (!on) {
		if (unlinkat(e->dir_fd, mark, 0) < 0 && errno != ENOENT)
			return hull_error_errno(err, "autostart `%s`", app_container_name(c));
		return 0;
	}
	if ((fd = openat(e->dir_fd, mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return hull_error_errno(err, "autostart `%s`", app_container_name(c));
	close(fd);
	return 0;
}

bool engine_autostart(struct engine *e, const struct app_container *c)
{
	char mark[ENGINE_ID_LEN + 16];

	snprintf(mark, sizeof(mark), "%s/autostart", c->id);
	return faccessat(e->dir_fd, mark, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}
