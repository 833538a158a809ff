/* The runtime-spec model: what hull reads from a bundle's config.json.
 *
 * Strings point into the parsed json-c document that the spec keeps alive (`doc`), so parsing allocates
 * only the arrays.  Parts that later subsystems interpret themselves (linux.resources, linux.seccomp) are
 * kept as json-c objects. */
#ifndef HULL_OCI_SPEC_H
#define HULL_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "util/error.h"

struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char **options;
	size_t n_options;
	/* An id-mapped mount's own mappings (runtime-spec 1.2), none when absent. */
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

struct oci_rlimit {
	int resource; /* RLIMIT_* */
	const char *name;
	uint64_t soft, hard;
};

struct oci_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
};

enum oci_cap_set {
	OCI_CAP_BOUNDING,
	OCI_CAP_EFFECTIVE,
	OCI_CAP_INHERITABLE,
	OCI_CAP_PERMITTED,
	OCI_CAP_AMBIENT,
	OCI_CAP_SETS
};

struct oci_process {
	bool terminal;
	uint32_t console_height, console_width;
	struct oci_user user;
	const char **args;
	size_t n_args;
	const char **env;
	size_t n_env;
	const char *cwd;
	bool has_capabilities;
	const char **capabilities[OCI_CAP_SETS];
	size_t n_capabilities[OCI_CAP_SETS];
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	const char *apparmor_profile;
	const char *selinux_label;
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

struct oci_hook {
	const char *path;
	const char **args;
	const char **env;
	int timeout; /* seconds, 0 for none */
};

struct oci_namespace {
	int type;	  /* CLONE_NEW* */
	const char *path; /* join instead of create when set */
};

struct oci_device {
	const char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t mode, uid, gid;
};

struct oci_sysctl {
	const char *key;
	const char *value;
};

struct oci_time_offset {
	int clock; /* CLOCK_MONOTONIC or CLOCK_BOOTTIME */
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_annotation {
	const char *key;
	const char *value;
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_device *devices;
	size_t n_devices;
	const char *cgroups_path;
	struct oci_sysctl *sysctl;
	size_t n_sysctl;
	const char **masked_paths;
	size_t n_masked_paths;
	const char **readonly_paths;
	size_t n_readonly_paths;
	const char *rootfs_propagation;
	const char *mount_label;
	struct oci_time_offset time_offsets[2];
	size_t n_time_offsets;
	json_object *resources; /* interpreted by the cgroup code */
	json_object *seccomp;	/* interpreted by the seccomp code */
	const char *personality_domain;
};

struct oci_spec {
	json_object *doc;
	const char *oci_version;
	const char *root_path;
	bool root_readonly;
	struct oci_process *process; /* NULL when the config has none */
	const char *hostname;
	const char *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hook *hooks[OCI_HOOK_KINDS];
	size_t n_hooks[OCI_HOOK_KINDS];
	struct oci_annotation *annotations;
	size_t n_annotations;
	bool has_linux;
	struct oci_linux linux_;
};

/* Parses and validates a config.json text.  `where` names it in errors. */
int oci_spec_parse(const char *text, size_t len, struct oci_spec **out, struct hull_error **err);

/* Reads `<bundle>/config.json`. */
int oci_spec_load(const char *bundle, struct oci_spec **out, struct hull_error **err);

void oci_spec_free(struct oci_spec *spec);

static inline void cleanup_spec_fn(struct oci_spec **s)
{
	oci_spec_free(*s);
}
#define cleanup_spec __attribute__((cleanup(cleanup_spec_fn)))

/* The namespace of a type, NULL when the config does not list it. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, int type);

/* Names used in config.json for namespaces and hooks, for messages and documents. */
int oci_namespace_type_from_name(const char *name);
const char *oci_namespace_name(int type);
const char *oci_hook_kind_name(enum oci_hook_kind kind);

#endif
