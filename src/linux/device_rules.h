/* Device access rules (linux.resources.devices) as one list that both enforcement back ends read: the
 * v1 devices controller and the v2 eBPF program.  The list is the config's rules with the devices every
 * container may use (as runc allows them) and the config's linux.devices after its last wildcard rule. */
#ifndef HULL_LINUX_DEVICE_RULES_H
#define HULL_LINUX_DEVICE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "oci/spec.h"
#include "util/error.h"

#define DEVICE_ACCESS_MKNOD 1u
#define DEVICE_ACCESS_READ  2u
#define DEVICE_ACCESS_WRITE 4u

struct device_rule {
	bool allow;
	char type;	      /* 'a' (all), 'c' or 'b' */
	int64_t major, minor; /* -1 for any */
	unsigned access;      /* DEVICE_ACCESS_* */
};

struct device_rules {
	struct device_rule *rules;
	size_t n_rules;
};

/* Parses `devices` (may be NULL: no rules at all, devices stay as the parent cgroup has them) and, when
 * there are rules, inserts the defaults and linux.devices after the last wildcard rule. */
int device_rules_build(json_object *devices, const struct oci_spec *spec, const char *where,
		       struct device_rules *out, struct hull_error **err);

/* "c 1:3 rwm", as the v1 controller takes it. */
void device_rule_format(const struct device_rule *r, char *buf, size_t len);

void device_rules_free(struct device_rules *r);

#endif
