/* `--mount type=bind|volume|tmpfs,KEY=VALUE,...` as Docker parses it, turned into the `-v` or `--tmpfs`
 * spelling the engine takes, so that both flags lead to one mount code path. */
#ifndef HULL_ENGINE_MOUNT_SPEC_H
#define HULL_ENGINE_MOUNT_SPEC_H

#include "util/error.h"

/* Sets *volume (a -v spec) or *tmpfs (a --tmpfs spec), malloc'd; the other stays NULL.  A bind's source
 * must exist (Docker's --mount does not make it, unlike -v). */
int engine_mount_translate(const char *spec, char **volume, char **tmpfs, struct hull_error **err);

#endif
