/* Running the hooks of config.json with the state document on their standard input. */
#ifndef HULL_RUNTIME_HOOKS_H
#define HULL_RUNTIME_HOOKS_H

#include "oci/spec.h"
#include "util/error.h"

/* Runs the hooks of one kind in order; the first that fails (non-zero exit, signal, or its timeout) stops
 * the rest and is the error. */
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
	      struct hull_error **err);

/* Runs every hook of one kind; each failure is a warning naming the container and the rest still run, as
 * the runtime spec asks for poststart and poststop. */
void hooks_run_warn(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
		    const char *id);

#endif
