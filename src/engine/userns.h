/* --userns auto|host and --uidmap: a container in a user namespace of its own, its ids a range of the
 * host's that no other container of the store has (Docker's userns-remap, podman's --userns=auto). */
#ifndef HULL_ENGINE_USERNS_H
#define HULL_ENGINE_USERNS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "image/bundle.h"

#define ENGINE_USERNS_SIZE 65536

/* The range for c (under the engine's lock, so that two creates never take one): *have false for the
 * host's namespace.  An explicit --uidmap 0:HOST:SIZE is taken as given. */
int engine_userns_choose(struct engine *e, const struct run_config *c, struct bundle_idmap *out, bool *have,
			 struct hull_error **err);

/* Records the range in the record's HostConfig (UsernsMode, IdMap). */
void engine_userns_record(json_object *record, const struct run_config *c, const struct bundle_idmap *m);

/* The range a container was made with; false when it has none. */
bool engine_userns_of(const struct app_container *c, struct bundle_idmap *out);

/* A user namespace with the range in a runtime config. */
void engine_userns_spec(json_object *spec, const struct bundle_idmap *m);

#endif
