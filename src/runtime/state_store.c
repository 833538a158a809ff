#include "runtime/state_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/json.h"
#include "util/log.h"
#include "util/process.h"

#define OCI_VERSION "1.2.0"

static const char *const status_names[] = {
    [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
    [STATUS_STOPPED] = "stopped",   [STATUS_PAUSED] = "paused",
};

const char *state_status_name(enum container_status status)
{
	return status_names[status];
}

static int lock_dir(int dirfd, bool create, int *lock_fd, struct hull_error **err)
{
	int fd = openat(dirfd, "lock", O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);

	if (fd < 0)
		return hull_error_errno(err, "open lock");
	if (TEMP_FAILURE_RETRY(flock(fd, LOCK_EX)) < 0) {
		close(fd);
		return hull_error_errno(err, "lock");
	}
	*lock_fd = fd;
	return 0;
}

static int open_root(const char *root, bool create, struct hull_error **err)
{
	int fd;

	if (create && mkdir(root, 0700) < 0 && errno != EEXIST) {
		if (errno != ENOENT || fs_mkdir_parents(root, 0700, err) < 0)
			return err && *err ? hull_error_code(*err)
					   : hull_error_errno(err, "create state root `%s`", root);
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_error_errno(err, "open state root `%s`", root);
	return fd;
}

#define CREATING_PREFIX "@creating-"

/* Whether the exclusive lock of a container directory is free: its holder (a create, a delete) is gone.
 * A directory without a lock file yet is taken as held while it is younger than a few seconds (its
 * create may be between mkdir and flock). */
static bool lock_is_free(int dirfd)
{
	int fd = openat(dirfd, "lock", O_RDWR | O_CLOEXEC);
	struct stat st;
	bool free_;

	if (fd < 0)
		return errno == ENOENT && fstat(dirfd, &st) == 0 && st.st_mtime + 5 < time(NULL);
	free_ = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return free_;
}

#define REMOVING_PREFIX "@removing-"

/* Removes root/<prefix><id> if the command that made it is gone; 1 when it did. */
static int prune_one(int root_fd, const char *root, const char *prefix, const char *id)
{
	char name[HULL_ID_MAX + 16];
	cleanup_close int fd = -1;

	snprintf(name, sizeof(name), "%s%s", prefix, id);
	fd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !lock_is_free(fd))
		return 0;
	hull_log_debug("removing `%s/%s`, left by a command on `%s` that was killed", root, name, id);
	return fs_remove_tree(root_fd, name, NULL) == 0 ? 1 : 0;
}

int state_dir_prune_abandoned(const char *root, const char *id)
{
	cleanup_close int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root_fd < 0)
		return 0;
	return prune_one(root_fd, root, CREATING_PREFIX, id) | prune_one(root_fd, root, REMOVING_PREFIX, id);
}

int state_dir_create(const char *root, const char *id, struct state_dir *out, struct hull_error **err)
{
	cleanup_close int root_fd = -1;
	char name[HULL_ID_MAX + sizeof(CREATING_PREFIX)];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->fd = out->lock_fd = -1;
	if ((ret = id_validate(id, err)) < 0)
		return ret;
	root_fd = open_root(root, true, err);
	if (root_fd < 0)
		return root_fd;
	if (faccessat(root_fd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return hull_error_fail(err, EEXIST, "container `%s` already exists", id);
	snprintf(name, sizeof(name), CREATING_PREFIX "%s", id);
	ret = mkdirat(root_fd, name, 0700);
	if (ret < 0 && errno == EEXIST && state_dir_prune_abandoned(root, id))
		ret = mkdirat(root_fd, name, 0700);
	if (ret < 0) {
		if (errno == EEXIST)
			return hull_error_fail(err, EEXIST, "container `%s` already exists (being created)",
					       id);
		return hull_error_errno(err, "create state directory `%s/%s`", root, id);
	}
	out->fd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out->fd < 0)
		ret = hull_error_errno(err, "open state directory `%s/%s`", root, name);
	else if ((out->root = strdup(root)) == NULL || (out->id = strdup(id)) == NULL ||
		 (out->name = strdup(name)) == NULL)
		ret = hull_error_set(err, ENOMEM, "create state directory");
	if (ret == 0)
		ret = lock_dir(out->fd, true, &out->lock_fd, err);
	if (ret < 0) {
		unlinkat(root_fd, name, AT_REMOVEDIR);
		state_dir_close(out);
		return ret;
	}
	return 0;
}

int state_dir_publish(struct state_dir *dir, struct hull_error **err)
{
	cleanup_close int root_fd = open(dir->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *id;

	if (root_fd < 0)
		return hull_error_errno(err, "open state root `%s`", dir->root);
	if (renameat2(root_fd, dir->name, root_fd, dir->id, RENAME_NOREPLACE) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			return hull_error_fail(err, EEXIST, "container `%s` already exists", dir->id);
		return hull_error_errno(err, "publish state directory `%s/%s`", dir->root, dir->id);
	}
	if ((id = strdup(dir->id)) == NULL)
		return hull_error_set(err, ENOMEM, "state directory");
	free(dir->name);
	dir->name = id;
	return 0;
}

int state_dir_open(const char *root, const char *id, bool lock, struct state_dir *out,
		   struct hull_error **err)
{
	cleanup_close int root_fd = -1;
	int ret;

	memset(out, 0, sizeof(*out));
	out->fd = out->lock_fd = -1;
	if ((ret = id_validate(id, err)) < 0)
		return ret;
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd >= 0)
		out->fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out->fd < 0) {
		if (errno == ENOENT)
			return hull_error_fail(err, ENOENT, "container `%s` does not exist", id);
		return hull_error_errno(err, "open container `%s`", id);
	}
	out->root = strdup(root);
	out->id = strdup(id);
	out->name = strdup(id);
	if (lock && (ret = lock_dir(out->fd, false, &out->lock_fd, err)) < 0) {
		state_dir_close(out);
		return ret;
	}
	/* A concurrent delete may have removed it while we waited for the lock. */
	if (faccessat(out->fd, "state.json", F_OK, 0) < 0) {
		state_dir_close(out);
		return hull_error_fail(err, ENOENT, "container `%s` does not exist", id);
	}
	return 0;
}

void state_dir_close(struct state_dir *dir)
{
	if (dir->lock_fd >= 0)
		close(dir->lock_fd);
	if (dir->fd >= 0)
		close(dir->fd);
	free(dir->root);
	free(dir->id);
	free(dir->name);
	dir->root = dir->id = dir->name = NULL;
	dir->fd = dir->lock_fd = -1;
}

int state_dir_remove(struct state_dir *dir, struct hull_error **err)
{
	cleanup_close int root_fd = open(dir->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char gone[HULL_ID_MAX + sizeof(REMOVING_PREFIX)];
	const char *name = dir->name ? dir->name : dir->id;

	if (root_fd < 0)
		return hull_error_errno(err, "open state root `%s`", dir->root);
	/* Out of sight in one step: a kill in the middle of removing the files would otherwise leave a
	 * directory without its state.json that no command could name. */
	snprintf(gone, sizeof(gone), REMOVING_PREFIX "%s", dir->id);
	if (name[0] != '@' && renameat(root_fd, name, root_fd, gone) == 0)
		name = gone;
	return fs_remove_tree(root_fd, name, err);
}

int state_save(const struct state_dir *dir, const struct container_state *s, struct hull_error **err)
{
	json_object *o = state_to_oci_json(s);
	json_object *extra = json_object_new_object();
	const char *text;
	int ret;

	json_object_object_add(extra, "rootfs", json_object_new_string(s->rootfs ? s->rootfs : ""));
	json_object_object_add(extra, "created", json_object_new_string(s->created ? s->created : ""));
	json_object_object_add(extra, "owner", json_object_new_string(s->owner ? s->owner : ""));
	json_object_object_add(extra, "startTime", json_object_new_uint64(s->start_time));
	json_object_object_add(extra, "sharesHostPidNamespace",
			       json_object_new_boolean(s->shares_host_pid_ns));
	if (s->shares_host_mount_ns)
		json_object_object_add(extra, "sharesHostMountNamespace", json_object_new_boolean(true));
	json_object_object_add(extra, "cgroups", cgroup_set_to_json(&s->cgroups));
	json_object_object_add(extra, "cgroupManager", json_object_new_string(s->cgroup_manager->name));
	if (s->cgroup_unit)
		json_object_object_add(extra, "systemdUnit", json_object_new_string(s->cgroup_unit));
	json_object_object_add(o, "hull", extra);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ret = fs_write_file_atomic(dir->fd, "state.json", text, strlen(text), 0600, err);
	json_object_put(o);
	return ret;
}

static enum container_status status_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (name && strcmp(name, status_names[i]) == 0)
			return i;
	return STATUS_STOPPED;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int state_load(const struct state_dir *dir, struct container_state *s, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	json_object *doc = NULL, *extra = NULL, *annotations = NULL, *cgroups = NULL;
	const char *id = NULL, *status = NULL, *bundle = NULL, *rootfs = NULL, *created = NULL, *owner = NULL;
	const char *unit = NULL, *manager = NULL;
	int64_t pid = 0;
	uint64_t start_time = 0;
	bool shares = false, shares_mounts = false;
	size_t len = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	if ((ret = fs_read_file(dir->fd, "state.json", &text, &len, err)) < 0 ||
	    (ret = json_parse_text(text, len, "state.json", &doc, err)) < 0)
		return hull_error_wrap(err, "container `%s`", dir->id);
	if ((ret = json_field_string(doc, "", "id", &id, err)) < 0 ||
	    (ret = json_field_string(doc, "", "status", &status, err)) < 0 ||
	    (ret = json_field_string(doc, "", "bundle", &bundle, err)) < 0 ||
	    (ret = json_field_int64(doc, "", "pid", 0, INT32_MAX, &pid, err)) < 0 ||
	    (ret = json_field_object(doc, "", "annotations", &annotations, err)) < 0 ||
	    (ret = json_field_object(doc, "", "hull", &extra, err)) < 0 ||
	    (ret = json_field_string(extra, "hull", "rootfs", &rootfs, err)) < 0 ||
	    (ret = json_field_string(extra, "hull", "created", &created, err)) < 0 ||
	    (ret = json_field_string(extra, "hull", "owner", &owner, err)) < 0 ||
	    (ret = json_field_uint64(extra, "hull", "startTime", &start_time, err)) < 0 ||
	    (ret = json_field_bool(extra, "hull", "sharesHostPidNamespace", &shares, err)) < 0 ||
	    (ret = json_field_bool(extra, "hull", "sharesHostMountNamespace", &shares_mounts, err)) < 0 ||
	    (ret = json_field_array(extra, "hull", "cgroups", &cgroups, err)) < 0 ||
	    (ret = json_field_string(extra, "hull", "systemdUnit", &unit, err)) < 0 ||
	    (ret = json_field_string(extra, "hull", "cgroupManager", &manager, err)) < 0 ||
	    (ret = cgroup_set_from_json(cgroups, &s->cgroups, err)) < 0) {
		json_object_put(doc);
		return hull_error_wrap(err, "container `%s`: state.json", dir->id);
	}
	s->id = dup_or_empty(id);
	s->bundle = dup_or_empty(bundle);
	s->rootfs = dup_or_empty(rootfs);
	s->created = dup_or_empty(created);
	s->owner = dup_or_empty(owner);
	s->pid = (pid_t)pid;
	s->start_time = start_time;
	s->status = status_from_name(status);
	/* Still "creating" while nobody holds the lock (or the caller does): its create was killed. */
	if (s->status == STATUS_CREATING && (dir->lock_fd >= 0 || lock_is_free(dir->fd))) {
		s->status = STATUS_STOPPED;
		s->abandoned = true;
	}
	s->shares_host_pid_ns = shares;
	s->shares_host_mount_ns = shares_mounts;
	s->cgroup_unit = unit ? strdup(unit) : NULL;
	/* A state written before the manager was recorded: a scope means systemd. */
	s->cgroup_manager = cgroup_manager_find(manager);
	if (s->cgroup_manager == NULL)
		s->cgroup_manager = unit ? &cgroup_manager_systemd : &cgroup_manager_cgroupfs;
	s->annotations = annotations ? json_object_get(annotations) : NULL;
	json_object_put(doc);
	return 0;
}

void state_free(struct container_state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	json_object_put(s->annotations);
	cgroup_set_free(&s->cgroups);
	free(s->cgroup_unit);
	memset(s, 0, sizeof(*s));
}

void state_refresh(struct container_state *s)
{
	if (s->status == STATUS_STOPPED)
		return;
	/* Paused stays paused while the process lives: only pause and resume change it. */
	if (!process_is_alive(s->pid, s->start_time))
		s->status = STATUS_STOPPED;
}

json_object *state_to_oci_json(const struct container_state *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "status", json_object_new_string(state_status_name(s->status)));
	/* The spec: pid is required while created or running, and meaningless once stopped. */
	if (s->status != STATUS_STOPPED)
		json_object_object_add(o, "pid", json_object_new_int(s->pid));
	else
		json_object_object_add(o, "pid", json_object_new_int(0));
	json_object_object_add(o, "bundle", json_object_new_string(s->bundle ? s->bundle : ""));
	json_object_object_add(o, "annotations",
			       s->annotations ? json_object_get(s->annotations) : json_object_new_object());
	return o;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(const char *root, char ***ids, struct hull_error **err)
{
	cleanup_closedir DIR *dir = opendir(root);
	struct dirent *de;
	char **list = NULL;
	size_t n = 0;

	*ids = NULL;
	if (dir == NULL) {
		if (errno == ENOENT) {
			*ids = calloc(1, sizeof(char *));
			return *ids ? 0 : hull_error_set(err, ENOMEM, "list");
		}
		return hull_error_errno(err, "open state root `%s`", root);
	}
	while ((de = readdir(dir)) != NULL) {
		char **bigger;
		if (de->d_name[0] == '.' || id_validate(de->d_name, NULL) < 0)
			continue;
		if (faccessat(dirfd(dir), de->d_name, F_OK, 0) < 0)
			continue;
		bigger = realloc(list, (n + 2) * sizeof(char *));
		if (bigger == NULL) {
			strv_free(list);
			return hull_error_set(err, ENOMEM, "list");
		}
		list = bigger;
		list[n++] = strdup(de->d_name);
		list[n] = NULL;
	}
	if (list == NULL)
		list = calloc(1, sizeof(char *));
	else
		qsort(list, n, sizeof(char *), compare_strings);
	*ids = list;
	return 0;
}

json_object *state_to_runc_json(const struct container_state *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "pid", json_object_new_int(s->status == STATUS_STOPPED ? 0 : s->pid));
	json_object_object_add(o, "status", json_object_new_string(state_status_name(s->status)));
	json_object_object_add(o, "bundle", json_object_new_string(s->bundle ? s->bundle : ""));
	json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs ? s->rootfs : ""));
	json_object_object_add(o, "created", json_object_new_string(s->created ? s->created : ""));
	if (s->annotations && json_object_object_length(s->annotations) > 0)
		json_object_object_add(o, "annotations", json_object_get(s->annotations));
	json_object_object_add(o, "owner", json_object_new_string(s->owner ? s->owner : ""));
	return o;
}
