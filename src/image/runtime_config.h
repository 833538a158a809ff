/* An image's config (the OCI image config's "config" object) turned into the process of a runtime
 * config, by the OCI conversion rules: Entrypoint + Cmd, Env, WorkingDir, User (names looked up in the
 * image's own /etc/passwd and /etc/group, resolved inside the root), and ExposedPorts, StopSignal and
 * Labels as annotations. */
#ifndef HULL_IMAGE_RUNTIME_CONFIG_H
#define HULL_IMAGE_RUNTIME_CONFIG_H

#include <json-c/json.h>

#include "util/error.h"

/* Applies image_config (the whole image config document) to spec (a runtime config document such as
 * `spec` writes), reading users and groups from root_fd, the image's unpacked root. */
int image_config_apply(json_object *image_config, int root_fd, json_object *spec, struct hull_error **err);

#endif
