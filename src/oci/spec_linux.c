/* config.json: the `linux` object. */
#include "oci/spec_internal.h"
#include "oci/names.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"

static int parse_namespaces(json_object *lnx, struct oci_linux *l, struct hull_error **err)
{
	json_object *array = NULL;
	int ret = json_field_array(lnx, "linux", "namespaces", &array, err);
	size_t n;

	if (ret < 0 || array == NULL)
		return ret;
	n = json_object_array_length(array);
	l->namespaces = calloc(n + 1, sizeof(*l->namespaces));
	if (l->namespaces == NULL)
		return hull_error_set(err, ENOMEM, "linux.namespaces");
	for (size_t i = 0; i < n; i++) {
		struct oci_namespace *ns = &l->namespaces[l->n_namespaces];
		const char *type = NULL;
		json_object *obj;
		char where[48];
		bool repeated = false;

		snprintf(where, sizeof(where), "linux.namespaces[%zu]", i);
		if ((ret = oci_array_object(array, i, "linux.namespaces", &obj, err)) < 0 ||
		    (ret = json_field_string(obj, where, "type", &type, err)) < 0 ||
		    (ret = json_field_string(obj, where, "path", &ns->path, err)) < 0)
			return ret;
		if (type == NULL)
			return hull_error_invalid(err, "%s.type: missing", where);
		ns->type = oci_namespace_type_from_name(type);
		if (ns->type < 0)
			return hull_error_invalid(
			    err,
			    "%s.type: unknown namespace `%s` (known: pid, network, mount, ipc, uts, "
			    "user, cgroup, time)",
			    where, type);
		if (ns->path && *ns->path == '\0')
			ns->path = NULL;
		if (ns->path) {
			char path_where[64];
			snprintf(path_where, sizeof(path_where), "%s.path", where);
			if (oci_require_absolute(path_where, ns->path, err) < 0)
				return -EINVAL;
		}
		/* The same entry twice says nothing new (engines that merge configs write that, and runc
		 * takes it); the same type with another path is a contradiction. */
		for (size_t j = 0; j < l->n_namespaces; j++) {
			const struct oci_namespace *o = &l->namespaces[j];
			if (o->type != ns->type)
				continue;
			if ((o->path == NULL && ns->path == NULL) ||
			    (o->path && ns->path && strcmp(o->path, ns->path) == 0)) {
				repeated = true;
				break;
			}
			return hull_error_invalid(err, "%s.type: namespace `%s` is listed twice", where,
						  type);
		}
		if (repeated)
			memset(ns, 0, sizeof(*ns));
		else
			l->n_namespaces++;
	}
	return 0;
}

int oci_parse_id_mappings(json_object *obj, const char *where, const char *key, struct oci_id_mapping **out,
			  size_t *count, struct hull_error **err)
{
	json_object *array = NULL;
	int ret = json_field_array(obj, where, key, &array, err);

	if (ret < 0 || array == NULL)
		return ret;
	*count = json_object_array_length(array);
	*out = calloc(*count + 1, sizeof(**out));
	if (*out == NULL)
		return hull_error_set(err, ENOMEM, "%s.%s", where, key);
	for (size_t i = 0; i < *count; i++) {
		struct oci_id_mapping *m = &(*out)[i];
		json_object *entry;
		char at[80], name[64];

		snprintf(name, sizeof(name), "%s.%s", where, key);
		snprintf(at, sizeof(at), "%s.%s[%zu]", where, key, i);
		if ((ret = oci_array_object(array, i, name, &entry, err)) < 0 ||
		    (ret = json_field_uint32(entry, at, "containerID", &m->container_id, err)) < 0 ||
		    (ret = json_field_uint32(entry, at, "hostID", &m->host_id, err)) < 0 ||
		    (ret = json_field_uint32(entry, at, "size", &m->size, err)) < 0)
			return ret;
		if (m->size == 0)
			return hull_error_invalid(err, "%s.size: must be at least 1", at);
	}
	return 0;
}

static int parse_devices(json_object *lnx, struct oci_linux *l, struct hull_error **err)
{
	json_object *array = NULL;
	int ret = json_field_array(lnx, "linux", "devices", &array, err);

	if (ret < 0 || array == NULL)
		return ret;
	l->n_devices = json_object_array_length(array);
	l->devices = calloc(l->n_devices + 1, sizeof(*l->devices));
	if (l->devices == NULL)
		return hull_error_set(err, ENOMEM, "linux.devices");
	for (size_t i = 0; i < l->n_devices; i++) {
		struct oci_device *d = &l->devices[i];
		const char *type = NULL;
		json_object *obj;
		char where[48], path_where[64];

		snprintf(where, sizeof(where), "linux.devices[%zu]", i);
		if ((ret = oci_array_object(array, i, "linux.devices", &obj, err)) < 0 ||
		    (ret = json_field_string(obj, where, "path", &d->path, err)) < 0 ||
		    (ret = json_field_string(obj, where, "type", &type, err)) < 0 ||
		    (ret = json_field_int64(obj, where, "major", 0, 0xfff, &d->major, err)) < 0 ||
		    (ret = json_field_int64(obj, where, "minor", 0, 0xfffff, &d->minor, err)) < 0)
			return ret;
		d->has_mode = json_object_object_get_ex(obj, "fileMode", NULL);
		d->has_uid = json_object_object_get_ex(obj, "uid", NULL);
		d->has_gid = json_object_object_get_ex(obj, "gid", NULL);
		if ((ret = json_field_uint32(obj, where, "fileMode", &d->mode, err)) < 0 ||
		    (ret = json_field_uint32(obj, where, "uid", &d->uid, err)) < 0 ||
		    (ret = json_field_uint32(obj, where, "gid", &d->gid, err)) < 0)
			return ret;
		snprintf(path_where, sizeof(path_where), "%s.path", where);
		if (oci_require_absolute(path_where, d->path, err) < 0)
			return -EINVAL;
		if (d->path[strlen(d->path) - 1] == '/')
			return hull_error_invalid(err,
						  "%s `%s`: a device path must name a file, not end in `/`",
						  path_where, d->path);
		if (type == NULL || strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
			return hull_error_invalid(err, "%s.type: expected one of c, b, u, p, got `%s`", where,
						  type ? type : "");
		d->type = type[0];
		if (d->type != 'p' && (!json_object_object_get_ex(obj, "major", NULL) ||
				       !json_object_object_get_ex(obj, "minor", NULL)))
			return hull_error_invalid(
			    err, "%s: a character or block device needs major and minor", where);
	}
	return 0;
}

static int parse_sysctl(json_object *lnx, struct oci_linux *l, struct hull_error **err)
{
	json_object *obj = NULL;
	size_t i = 0;
	int ret = json_field_object(lnx, "linux", "sysctl", &obj, err);

	if (ret < 0 || obj == NULL)
		return ret;
	l->sysctl = calloc(json_object_object_length(obj) + 1, sizeof(*l->sysctl));
	if (l->sysctl == NULL)
		return hull_error_set(err, ENOMEM, "linux.sysctl");
	json_object_object_foreach(obj, key, value)
	{
		if (!json_object_is_type(value, json_type_string))
			return hull_error_invalid(err, "linux.sysctl.%s: expected a string, got %s", key,
						  json_type_label(value));
		/* The key becomes a path under /proc/sys: no way out of it. */
		if (*key == '\0' || *key == '/' || strstr(key, "..") != NULL)
			return hull_error_invalid(err, "linux.sysctl: invalid key `%s`", key);
		l->sysctl[i].key = key;
		l->sysctl[i].value = json_object_get_string(value);
		i++;
	}
	l->n_sysctl = i;
	return 0;
}

static int parse_path_list(json_object *lnx, const char *key, const char ***out, size_t *count,
			   struct hull_error **err)
{
	int ret = json_field_strv(lnx, "linux", key, out, count, err);

	for (size_t i = 0; ret == 0 && i < *count; i++) {
		char where[64];
		snprintf(where, sizeof(where), "linux.%s[%zu]", key, i);
		ret = oci_require_absolute(where, (*out)[i], err);
	}
	return ret;
}

static int parse_time_offsets(json_object *lnx, struct oci_linux *l, struct hull_error **err)
{
	static const struct {
		const char *name;
		int clock;
	} clocks[] = {{"monotonic", CLOCK_MONOTONIC}, {"boottime", CLOCK_BOOTTIME}};
	json_object *obj = NULL;
	int ret = json_field_object(lnx, "linux", "timeOffsets", &obj, err);

	if (ret < 0 || obj == NULL)
		return ret;
	json_object_object_foreach(obj, key, value)
	{
		struct oci_time_offset *t;
		char where[64];
		size_t c;

		for (c = 0; c < 2 && strcmp(clocks[c].name, key) != 0; c++)
			;
		if (c == 2)
			return hull_error_invalid(
			    err, "linux.timeOffsets.%s: unknown clock (monotonic, boottime)", key);
		t = &l->time_offsets[l->n_time_offsets++];
		t->clock = clocks[c].clock;
		snprintf(where, sizeof(where), "linux.timeOffsets.%s", key);
		if (!json_object_is_type(value, json_type_object))
			return hull_error_invalid(err, "%s: expected an object", where);
		if ((ret = json_field_int64(value, where, "secs", INT64_MIN, INT64_MAX, &t->secs, err)) < 0 ||
		    (ret = json_field_uint32(value, where, "nanosecs", &t->nanosecs, err)) < 0)
			return ret;
		if (t->nanosecs >= 1000000000)
			return hull_error_invalid(err, "%s.nanosecs: must be below 1000000000", where);
	}
	return 0;
}

/* Which namespace a sysctl belongs to, as runc decides it; 0 for one that is global to the host.  Writing
 * a global one from the container's init would change the host itself, so those are refused. */
static int sysctl_namespace(const char *key)
{
	static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb",	 "kernel.msgmni",
					       "kernel.sem",	"kernel.shmall",	 "kernel.shmmax",
					       "kernel.shmmni", "kernel.shm_rmid_forced"};
	char dotted[256];
	size_t n = strlen(key);

	if (n >= sizeof(dotted))
		return 0;
	for (size_t i = 0; i <= n; i++)
		dotted[i] = key[i] == '/' ? '.' : key[i];
	for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
		if (strcmp(dotted, ipc_keys[i]) == 0)
			return CLONE_NEWIPC;
	if (strncmp(dotted, "fs.mqueue.", 10) == 0)
		return CLONE_NEWIPC;
	if (strncmp(dotted, "net.", 4) == 0)
		return CLONE_NEWNET;
	if (strcmp(dotted, "kernel.hostname") == 0 || strcmp(dotted, "kernel.domainname") == 0)
		return CLONE_NEWUTS;
	return 0;
}

/* kernel.hostname and kernel.domainname write what `hostname` and `domainname` set: two values for one
 * name are a contradiction, refused as runc refuses it. */
static int check_uts_sysctl(const struct oci_spec *spec, const char *key, const char *value,
			    struct hull_error **err)
{
	bool host = strstr(key, "hostname") != NULL;
	const char *field = host ? spec->hostname : spec->domainname;

	if (field && *field && strcmp(field, value) != 0)
		return hull_error_invalid(err, "linux.sysctl.%s `%s` conflicts with %s `%s`", key, value,
					  host ? "hostname" : "domainname", field);
	return 0;
}

static int check_sysctl(const struct oci_spec *spec, struct hull_error **err)
{
	int ret;

	static const struct {
		int type;
		const char *name;
	} names[] = {{CLONE_NEWIPC, "ipc"}, {CLONE_NEWNET, "network"}, {CLONE_NEWUTS, "uts"}};

	for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
		const char *key = spec->linux_.sysctl[i].key;
		int type = sysctl_namespace(key);

		if (type == CLONE_NEWUTS &&
		    (ret = check_uts_sysctl(spec, key, spec->linux_.sysctl[i].value, err)) < 0)
			return ret;
		if (type == 0)
			return hull_error_invalid(
			    err,
			    "linux.sysctl.%s: not a namespaced sysctl (setting it would "
			    "change the host)",
			    key);
		if (oci_spec_namespace(spec, type) == NULL)
			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
				if (names[k].type == type)
					return hull_error_invalid(err,
								  "linux.sysctl.%s: needs a %s namespace (it "
								  "would change the host's)",
								  key, names[k].name);
	}
	return 0;
}

static int check_consistency(const struct oci_spec *spec, struct hull_error **err)
{
	const struct oci_linux *l = &spec->linux_;
	bool user_ns = oci_spec_namespace(spec, CLONE_NEWUSER) != NULL;
	const struct oci_namespace *uts = oci_spec_namespace(spec, CLONE_NEWUTS);

	if ((l->n_uid_mappings || l->n_gid_mappings) && !user_ns)
		return hull_error_invalid(err, "linux.uidMappings: id mappings need a user namespace");
	if (user_ns && !oci_spec_namespace(spec, CLONE_NEWUSER)->path &&
	    (!l->n_uid_mappings || !l->n_gid_mappings))
		return hull_error_invalid(
		    err, "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
	/* As runc: a uts namespace joined by path may be given a name too (it is the container's). */
	if ((spec->hostname && *spec->hostname) && uts == NULL)
		return hull_error_invalid(err, "hostname: setting it needs a uts namespace");
	if ((spec->domainname && *spec->domainname) && uts == NULL)
		return hull_error_invalid(err, "domainname: setting it needs a uts namespace");
	if (check_sysctl(spec, err) < 0)
		return -EINVAL;
	if (l->n_time_offsets && !oci_spec_namespace(spec, CLONE_NEWTIME))
		return hull_error_invalid(err, "linux.timeOffsets: needs a time namespace");
	if (l->rootfs_propagation) {
		static const char *const known[] = {"private", "rprivate", "slave",	 "rslave",
						    "shared",  "rshared",  "unbindable", "runbindable"};
		size_t i;
		for (i = 0; i < sizeof(known) / sizeof(known[0]) && strcmp(known[i], l->rootfs_propagation);
		     i++)
			;
		if (i == sizeof(known) / sizeof(known[0]))
			return hull_error_invalid(err, "linux.rootfsPropagation: unknown value `%s`",
						  l->rootfs_propagation);
	}
	return 0;
}

int oci_parse_linux(json_object *doc, struct oci_spec *spec, struct hull_error **err)
{
	struct oci_linux *l = &spec->linux_;
	json_object *lnx = NULL, *personality = NULL;
	int ret = json_field_object(doc, "", "linux", &lnx, err);

	if (ret < 0 || lnx == NULL)
		return ret;
	spec->has_linux = true;
	if ((ret = parse_namespaces(lnx, l, err)) < 0 ||
	    (ret = oci_parse_id_mappings(lnx, "linux", "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err)) < 0 ||
	    (ret = oci_parse_id_mappings(lnx, "linux", "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err)) < 0 ||
	    (ret = parse_devices(lnx, l, err)) < 0 ||
	    (ret = json_field_string(lnx, "linux", "cgroupsPath", &l->cgroups_path, err)) < 0 ||
	    (ret = parse_sysctl(lnx, l, err)) < 0 ||
	    (ret = parse_path_list(lnx, "maskedPaths", &l->masked_paths, &l->n_masked_paths, err)) < 0 ||
	    (ret = parse_path_list(lnx, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths, err)) <
		0 ||
	    (ret = json_field_string(lnx, "linux", "rootfsPropagation", &l->rootfs_propagation, err)) < 0 ||
	    (ret = json_field_string(lnx, "linux", "mountLabel", &l->mount_label, err)) < 0 ||
	    (ret = parse_time_offsets(lnx, l, err)) < 0 ||
	    (ret = json_field_object(lnx, "linux", "resources", &l->resources, err)) < 0 ||
	    (ret = json_field_object(lnx, "linux", "seccomp", &l->seccomp, err)) < 0 ||
	    (ret = json_field_object(lnx, "linux", "personality", &personality, err)) < 0 ||
	    (ret = json_field_string(personality, "linux.personality", "domain", &l->personality_domain,
				     err)) < 0)
		return ret;
	return check_consistency(spec, err);
}

void oci_linux_free(struct oci_linux *l)
{
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	free(l->devices);
	free(l->sysctl);
	free(l->masked_paths);
	free(l->readonly_paths);
}
