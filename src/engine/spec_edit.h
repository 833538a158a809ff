/* The runtime config of an app container, as `docker run` would make it. */
#ifndef HULL_ENGINE_SPEC_EDIT_H
#define HULL_ENGINE_SPEC_EDIT_H

#include <json-c/json.h>

#include "engine/engine.h"

/* Changes spec (the bundle's config.json with the image config applied) to Docker's defaults (its
 * fourteen capabilities, no no_new_privs, our rlimits) and to what c asks: host name, cgroup parent,
 * volumes and tmpfs mounts (described in mounts_record for inspect), resources, capabilities,
 * --privileged, --read-only, seccomp.  root_fd is the container's root, for filling new volumes;
 * image_volumes the image config's Volumes (anonymous volumes where no -v is). */
int engine_spec_edit(struct engine *e, json_object *spec, const char *id, const struct run_config *c,
		     int root_fd, json_object *image_volumes, json_object *mounts_record,
		     struct hull_error **err);

#endif
