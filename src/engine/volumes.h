/* Volumes as `docker run -v` takes them: SRC:DST[:OPTIONS] where SRC is a host path (a bind mount, the
 * directory made when missing, as Docker does) or the name of a volume kept in the store
 * (volumes/<name>/_data, made on first use). */
#ifndef HULL_ENGINE_VOLUMES_H
#define HULL_ENGINE_VOLUMES_H

#include <json-c/json.h>

#include "engine/engine.h"

/* Adds the mount for spec to mounts (a runtime config's) and its description, as Docker's inspect gives
 * it, to record. */
int engine_volume_mount(struct engine *e, const char *spec, json_object *mounts, json_object *record,
			struct hull_error **err);

#endif
