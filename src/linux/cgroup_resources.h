/* linux.resources as cgroup file writes.
 *
 * The config is turned into a plan (file name, value) for one cgroup version before anything exists, so
 * that bad values are refused up front; the plan is then written into the container's cgroups.  v1
 * values are converted for v2 as crun does (shares to weight, swap as memory+swap to swap alone, blkio
 * to io).  Device rules are not part of the plan: see cgroup_devices.h. */
#ifndef HULL_LINUX_CGROUP_RESOURCES_H
#define HULL_LINUX_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "linux/cgroup.h"
#include "util/error.h"

struct cgroup_write {
	char file[64]; /* memory.max */
	char value[256];
	char alt_file[64];  /* used when `file` does not exist: io.weight for io.bfq.weight */
	char alt_value[64]; /* its value, when it differs */
	char field[48];	    /* the config field, for messages: memory.limit */
	bool optional;	    /* a field kernels have dropped (kernel memory): skipped when missing */
};

struct cgroup_plan {
	struct cgroup_write *writes;
	size_t n_writes;
};

/* Builds the plan for the given layout's file names (v1 names for v1 and hybrid).  `where` names the
 * object in errors ("linux.resources" or "--resources"). */
int cgroup_resources_plan(json_object *resources, enum cgroup_layout layout, const char *where,
			  struct cgroup_plan *out, struct hull_error **err);

/* Writes the plan: each file into the first of the container's cgroup directories that has it.  A
 * write the kernel refuses because of the order of two related values (a memory limit above the
 * memory+swap limit, a realtime runtime above its period) is retried once after the others. */
int cgroup_resources_apply(const struct cgroup_set *set, const struct cgroup_plan *plan,
			   struct hull_error **err);

void cgroup_plan_free(struct cgroup_plan *plan);

/* crun's conversions of v1 values to v2. */
unsigned long long cgroup_shares_to_weight(unsigned long long shares);
unsigned long long cgroup_blkio_weight_to_io_weight(unsigned long long weight);

#endif
