/* Where containers live between commands: <root>/<id>/ holds state.json (the OCI state plus what the
 * runtime needs later), config.json (a copy, so delete can run poststop hooks when the bundle is gone), the
 * start socket while the container is created, and a lock file.
 *
 * Lock discipline: every command that changes a container takes an exclusive flock on <root>/<id>/lock
 * for its whole run; `state` and `list` read without the lock, which is safe because state.json is only
 * ever replaced atomically. */
#ifndef HULL_RUNTIME_STATE_STORE_H
#define HULL_RUNTIME_STATE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "linux/cgroup_manager.h"
#include "util/error.h"

#define HULL_DEFAULT_STATE_ROOT "/run/hull"

enum container_status { STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_STOPPED, STATUS_PAUSED };

struct container_state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	pid_t pid;
	uint64_t start_time;
	enum container_status status;
	bool shares_host_pid_ns;   /* its processes are not ended with the first one */
	bool shares_host_mount_ns; /* its mounts are the host's, under its root: unmounted at delete */
	json_object *annotations;
	struct cgroup_set cgroups;
	const struct cgroup_manager *cgroup_manager; /* the one create used */
	char *cgroup_unit; /* the manager's own name for the cgroups (systemd's scope), or NULL */
	bool abandoned;	   /* "creating" in the file, but its create is gone (killed): delete finishes it */
};

/* A container's directory, open and locked. */
struct state_dir {
	char *root;
	char *id;
	char *name; /* its entry in root: "@creating-<id>" until published, then the id */
	int fd;
	int lock_fd;
};

/* Creates the directory of a new container, locked, under a name no id can have ('@' starts none), so that
 * no command sees it before it holds a state.json: state_dir_publish() then gives it the id.  An id that
 * exists is an error; the leftover of a create killed before publishing is removed first. */
int state_dir_create(const char *root, const char *id, struct state_dir *out, struct hull_error **err);

/* Renames the directory to its id (never over an existing one). */
int state_dir_publish(struct state_dir *dir, struct hull_error **err);

/* Removes <root>/@creating-<id> and <root>/@removing-<id> if the create or delete that made them is gone
 * (killed); 1 when it removed one. */
int state_dir_prune_abandoned(const char *root, const char *id);

/* Opens an existing container's directory; with lock, waits for the exclusive lock. */
int state_dir_open(const char *root, const char *id, bool lock, struct state_dir *out,
		   struct hull_error **err);

void state_dir_close(struct state_dir *dir);

/* Removes the directory and everything in it, renamed to @removing-<id> first. */
int state_dir_remove(struct state_dir *dir, struct hull_error **err);

int state_save(const struct state_dir *dir, const struct container_state *state, struct hull_error **err);
int state_load(const struct state_dir *dir, struct container_state *state, struct hull_error **err);
void state_free(struct container_state *state);

/* Corrects the stored status with what the kernel says: a dead (or recycled) pid means stopped. */
void state_refresh(struct container_state *state);

const char *state_status_name(enum container_status status);

/* The OCI state document (ociVersion, id, status, pid, bundle, annotations). */
/* What `state` and `list --format json` print: runc's fields in runc's order (ociVersion, id, pid, status,
 * bundle, rootfs, created, annotations when there are any, owner), which some callers compare as text. */
json_object *state_to_runc_json(const struct container_state *s);

json_object *state_to_oci_json(const struct container_state *state);

/* The ids under root, sorted. */
int state_list_ids(const char *root, char ***ids, struct hull_error **err);

#endif
