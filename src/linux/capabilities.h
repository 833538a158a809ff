/* The five capability sets of the container process. */
#ifndef HULL_LINUX_CAPABILITIES_H
#define HULL_LINUX_CAPABILITIES_H

#include <stdbool.h>
#include <stdint.h>

#include "oci/spec.h"
#include "util/error.h"

struct capability_plan {
	bool present; /* false: the config lists none and the process keeps what it has */
	uint64_t sets[OCI_CAP_SETS];
};

/* Turns the names of process.capabilities into bits; an unknown name is an error, a name the running kernel
 * does not know yet is skipped with a warning (as runc does). */
int capabilities_resolve(const struct oci_process *process, struct capability_plan *out,
			 struct hull_error **err);

/* Drops what is not in the bounding set; needs CAP_SETPCAP, so it runs before the user switch. */
int capabilities_drop_bounding(const struct capability_plan *plan, struct hull_error **err);

/* Sets effective, permitted, inheritable and ambient; runs after the user switch. */
int capabilities_apply(const struct capability_plan *plan, struct hull_error **err);

/* The name of capability number `cap` ("CAP_CHOWN"), NULL past the last one libcap knows. */
const char *capabilities_name(int cap, char buf[64]);
int capabilities_last(void);

#endif
