/* Documents the runtime writes: the default config.json (`spec`) and the features document. */
#ifndef HULL_OCI_DEFAULT_H
#define HULL_OCI_DEFAULT_H

#include <stdbool.h>

#include <json-c/json.h>

/* `spec` output, with linux.seccomp set to the default profile. */
json_object *oci_default_config(bool rootless);

/* A seccomp profile equivalent to Docker's default for a container with the default capabilities: an
 * allow list, EPERM for the rest, clone without namespace flags, clone3 as ENOSYS (libc falls back). */
json_object *oci_default_seccomp_profile(void);

/* The runtime-spec features document (features.md) for what this build supports. */
json_object *oci_features_document(void);

#endif
