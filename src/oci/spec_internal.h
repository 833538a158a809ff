/* Shared by the files that parse config.json; not for other subsystems. */
#ifndef HULL_OCI_SPEC_INTERNAL_H
#define HULL_OCI_SPEC_INTERNAL_H

#include <stdio.h>

#include "oci/spec.h"

int oci_require_absolute(const char *where, const char *path, struct hull_error **err);
int oci_array_object(json_object *array, size_t i, const char *where, json_object **out,
		     struct hull_error **err);
/* obj.key, an array of {containerID, hostID, size}; where names obj in messages ("linux", "mounts[2]"). */
int oci_parse_id_mappings(json_object *obj, const char *where, const char *key, struct oci_id_mapping **out,
			  size_t *count, struct hull_error **err);
int oci_parse_linux(json_object *doc, struct oci_spec *spec, struct hull_error **err);
void oci_linux_free(struct oci_linux *l);

#endif
