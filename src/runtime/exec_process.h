/* The process object `exec` runs: the container's own process changed by the command-line flags, or a
 * --process file, validated as part of the container's config. */
#ifndef HULL_RUNTIME_EXEC_PROCESS_H
#define HULL_RUNTIME_EXEC_PROCESS_H

#include "oci/spec.h"
#include "runtime/runtime.h"
#include "util/error.h"

/* config_text is the container's saved config.json; *out is that config with the exec's process. */
int exec_process_spec(const char *config_text, size_t len, const struct exec_options *o,
		      struct oci_spec **out, struct hull_error **err);

#endif
