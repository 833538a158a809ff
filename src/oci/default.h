/* Documents the runtime writes: the default config.json (`spec`) and the features document. */
#ifndef HULL_OCI_DEFAULT_H
#define HULL_OCI_DEFAULT_H

#include <stdbool.h>

#include <json-c/json.h>

json_object *oci_default_config(bool rootless);

/* The runtime-spec features document (features.md) for what this build supports. */
json_object *oci_features_document(void);

#endif
