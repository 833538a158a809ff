/* Namespaces: which to create, joining existing ones by path, user namespace id maps, time offsets. */
#ifndef HULL_LINUX_NAMESPACES_H
#define HULL_LINUX_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

/* CLONE_NEW* flags of the namespaces the config asks to create (not those joined by path). */
int namespaces_new_flags(const struct oci_spec *spec);

/* Opens every namespace the config joins by path (before anything changes), user namespace first. */
struct namespace_join {
	int type;
	int fd;
};
int namespaces_open_joins(const struct oci_spec *spec, struct namespace_join **out, size_t *count,
			  struct hull_error **err);
/* The namespaces of a running process that differ from ours, in the order to join them (user last). */
int namespaces_open_process(pid_t pid, struct namespace_join **out, size_t *count, struct hull_error **err);

int namespaces_join(const struct namespace_join *joins, size_t count, struct hull_error **err);
void namespaces_close_joins(struct namespace_join *joins, size_t count);

/* Writes uid_map and gid_map of pid from the config ("deny" to setgroups first when the maps are written by
 * an unprivileged caller, as the kernel requires). */
int namespaces_write_id_maps(pid_t pid, const struct oci_spec *spec, struct hull_error **err);
/* The same for maps given as they are (newuidmap/newgidmap for ranges beyond the caller's own id). */
int namespaces_write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
			  const struct oci_id_mapping *gids, size_t n_gids, struct hull_error **err);

/* A user namespace with these maps (the caller being root), as an O_RDONLY descriptor: what an id-mapped
 * mount is given. */
int namespaces_open_mapped_userns(const struct oci_id_mapping *uids, size_t n_uids,
				  const struct oci_id_mapping *gids, size_t n_gids, struct hull_error **err);

/* Writes /proc/self/timens_offsets: must happen after unshare(CLONE_NEWTIME), before any process enters. */
int namespaces_write_time_offsets(const struct oci_spec *spec, struct hull_error **err);

#endif
