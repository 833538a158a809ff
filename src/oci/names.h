/* The runtime-spec's vocabulary: namespace, hook and rlimit names. */
#ifndef HULL_OCI_NAMES_H
#define HULL_OCI_NAMES_H

#include <stddef.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const char *oci_namespace_proc_name(int type);
int oci_rlimit_from_name(const char *name);

/* Iteration over the known names (NULL past the end), for the features document. */
const char *oci_rlimit_name(size_t index);
const char *oci_namespace_name_at(size_t index);

#endif
