/* What the engine's files share and its front end does not need. */
#ifndef HULL_ENGINE_ENGINE_INTERNAL_H
#define HULL_ENGINE_ENGINE_INTERNAL_H

#include <stdbool.h>

#include "engine/engine.h"

/* Loads containers/<id>/ (container.json, run.json, exit.json). */
int engine_load(struct engine *e, const char *id, struct app_container *c, struct hull_error **err);
/* 64 lowercase hex digits: the only directory names the engine reads as containers. */
bool engine_id_valid(const char *id);
/* The ids of every directory under containers/ (malloc'd, each malloc'd). */
int engine_ids(struct engine *e, char ***ids, size_t *n, struct hull_error **err);

/* Calls fn on every container with its state: fn returns 1 when it acted on it, 0 when not, -1 on
 * failure (which does not stop the others); *done counts the 1s, *err holds the first failure. */
typedef int (*engine_each_fn)(struct engine *e, struct app_container *c, const struct app_state *st,
			      void *arg, struct hull_error **err);
int engine_each(struct engine *e, engine_each_fn fn, void *arg, size_t *done, struct hull_error **err);

/* Running or paused (its status in *status when not NULL). */
bool engine_running(struct engine *e, const struct app_container *c, enum app_status *status);

/* flock on containers/lock (id NULL) or containers/<id>/lock; the descriptor to close, or -1. */
int engine_lock(struct engine *e, const char *id, struct hull_error **err);
/* The overlay of the bundle's root, mounted again when it is not (after a reboot). */
int engine_ensure_rootfs(struct engine *e, const struct app_container *c, const char *bundle,
			 struct hull_error **err);

/* "<store>/containers/<id>/<name>" (malloc'd). */
char *engine_path(struct engine *e, const char *id, const char *name);
/* The bundle's root for an ephemeral start: the container's own layer under a throwaway one (marked by
 * containers/ID/ephemeral until engine_discard_ephemeral). */
int engine_root_ephemeral(struct engine *e, const struct app_container *c, const char *bundle,
			  struct hull_error **err);

/* Waits up to timeout_ms for the container's init to end; 1 when it did, 0 when not. */
int engine_wait_exit(struct engine *e, struct app_container *c, long timeout_ms);

/* --network container:NAME (shared_net.c).  The other container's id when c shares its network (NULL:
 * it does not); mode made into "container:<id>" in out (1), or 0 when it is another mode; the bundle's
 * network namespace set to the other's, which must be running, and its /etc/hosts and resolv.conf
 * copied (at each start). */
const char *engine_shared_network(const struct app_container *c);
int engine_shared_network_resolve(struct engine *e, const char *mode, char *out, size_t size,
				  struct hull_error **err);
int engine_shared_network_join(struct engine *e, const struct app_container *c, const char *bundle,
			       struct hull_error **err);

/* Removes everything of the container; its lock is held. */
int engine_remove_locked(struct engine *e, struct app_container *c, struct hull_error **err);

/* Marks the container stopped by its user (or clears that): restart policies leave it alone. */
void engine_mark_stopped(struct engine *e, const struct app_container *c, bool stopped);

bool engine_stopped_by_user(struct engine *e, const char *id);

/* How many times its restart policy has restarted it. */
int engine_restart_count(struct engine *e, const struct app_container *c);

#endif
