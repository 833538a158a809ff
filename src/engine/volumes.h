/* Volumes as `docker run -v` takes them: SRC:DST[:OPTIONS] where SRC is a host path (a bind mount, the
 * directory made when missing, as Docker does) or the name of a volume kept in the store
 * (volumes/<name>/_data, made on first use). */
#ifndef HULL_ENGINE_VOLUMES_H
#define HULL_ENGINE_VOLUMES_H

#include <json-c/json.h>

#include "engine/engine.h"

/* Adds the mount for spec to mounts (a runtime config's) and its description, as Docker's inspect gives
 * it, to record.  spec DST alone is an anonymous volume (removed by rm -v).  A volume made now is filled
 * with what the image has at DST in root_fd (the container's root; -1: left empty). */
int engine_volume_mount(struct engine *e, const char *spec, int root_fd, json_object *mounts,
			json_object *record, struct hull_error **err);

/* volume create [NAME] (a random one without); the name in out. */
int engine_volume_create(struct engine *e, const char *name, char out[ENGINE_ID_LEN + 1],
			 struct hull_error **err);
/* Docker's inspect document of a volume (NULL when there is none of that name). */
json_object *engine_volume_doc(struct engine *e, const char *name);
/* The names of the store's volumes (malloc'd, each malloc'd). */
int engine_volume_names(struct engine *e, char ***names, size_t *n, struct hull_error **err);
/* Removes a volume no container uses. */
int engine_volume_remove(struct engine *e, const char *name, struct hull_error **err);
/* rm -v: the anonymous volumes of the container go with it. */
void engine_remove_anonymous_volumes(struct engine *e, const struct app_container *c);

#endif
