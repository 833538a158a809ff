/* Shared by the lifecycle files of the runtime; not for other subsystems. */
#ifndef HULL_RUNTIME_INTERNAL_H
#define HULL_RUNTIME_INTERNAL_H

#include "oci/spec.h"
#include "runtime/state_store.h"

/* The copy of config.json that create saved in the state directory. */
int runtime_load_saved_spec(const struct state_dir *dir, struct oci_spec **spec, struct hull_error **err);

/* Runs one kind of hook with the container's current state; failures are logged as warnings, as the spec
 * requires for poststart and poststop. */
void runtime_run_hooks_warn(const struct state_dir *dir, const struct container_state *state,
			    enum oci_hook_kind kind);

#endif
