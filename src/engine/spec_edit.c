/* The runtime config of an app container: the bundle's config.json (the image config applied) changed
 * to what `docker run` gives a container by default and to what its flags ask. */
#include "engine/spec_edit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine/volumes.h"
#include "linux/capabilities.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* Docker's default capabilities (moby's oci/caps/defaults.go lists these fourteen). */
static const char *const docker_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

static json_object *object_member(json_object *parent, const char *key)
{
	json_object *o;

	if (json_object_object_get_ex(parent, key, &o) && json_object_is_type(o, json_type_object))
		return o;
	o = json_object_new_object();
	json_object_object_add(parent, key, o);
	return o;
}

/* "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN" if the kernel and libcap know it. */
static int cap_name(const char *given, char out[64], struct hull_error **err)
{
	char buf[64];
	const char *bare = strncasecmp(given, "CAP_", 4) == 0 ? given + 4 : given;

	for (int cap = 0; cap <= capabilities_last(); cap++) {
		const char *name = capabilities_name(cap, buf);
		if (name && strcasecmp(name + 4, bare) == 0) {
			snprintf(out, 64, "%s", name);
			return 0;
		}
	}
	return hull_error_invalid(err, "capability `%.64s` is not one this system knows", given);
}

static bool list_has(char (*list)[64], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* The capability set: Docker's defaults (all with --privileged), plus --cap-add, less --cap-drop; ALL
 * stands for every capability. */
static int apply_caps(json_object *process, const struct run_config *c, struct hull_error **err)
{
	char set[128][64];
	char name[64], buf[64];
	size_t n = 0;
	json_object *caps, *array;
	bool all = c->privileged;
	int ret;

	for (size_t i = 0; i < c->n_cap_add; i++)
		all = all || strcasecmp(c->cap_add[i], "ALL") == 0;
	if (all) {
		for (int cap = 0; cap <= capabilities_last() && n < 128; cap++)
			if (capabilities_name(cap, buf))
				snprintf(set[n++], 64, "%s", buf);
	} else
		for (size_t i = 0; docker_caps[i]; i++)
			snprintf(set[n++], 64, "%s", docker_caps[i]);
	for (size_t i = 0; i < c->n_cap_add; i++) {
		if (strcasecmp(c->cap_add[i], "ALL") == 0)
			continue;
		if ((ret = cap_name(c->cap_add[i], name, err)) < 0)
			return hull_error_wrap(err, "--cap-add");
		if (!list_has(set, n, name) && n < 128)
			snprintf(set[n++], 64, "%s", name);
	}
	for (size_t i = 0; i < c->n_cap_drop; i++) {
		if (strcasecmp(c->cap_drop[i], "ALL") == 0) {
			n = 0;
			continue;
		}
		if ((ret = cap_name(c->cap_drop[i], name, err)) < 0)
			return hull_error_wrap(err, "--cap-drop");
		for (size_t k = 0; k < n; k++)
			if (strcmp(set[k], name) == 0) {
				memmove(set[k], set[k + 1], (n - k - 1) * sizeof(set[0]));
				n--;
				break;
			}
	}
	/* --cap-drop ALL --cap-add X: what was added after the drop comes back. */
	for (size_t i = 0; i < c->n_cap_add; i++)
		if (strcasecmp(c->cap_add[i], "ALL") != 0 && cap_name(c->cap_add[i], name, NULL) == 0 &&
		    !list_has(set, n, name) && n < 128)
			snprintf(set[n++], 64, "%s", name);
	caps = json_object_new_object();
	for (const char *const *kind = (const char *const[]){"bounding", "effective", "permitted", NULL};
	     *kind; kind++) {
		array = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(array, json_object_new_string(set[i]));
		json_object_object_add(caps, *kind, array);
	}
	json_object_object_add(process, "capabilities", caps);
	return 0;
}

static int apply_resources(json_object *linux_, const struct run_config *c)
{
	json_object *res = object_member(linux_, "resources");

	if (c->memory > 0) {
		json_object *mem = object_member(res, "memory");
		json_object_object_add(mem, "limit", json_object_new_int64(c->memory));
		/* Docker's default --memory-swap: as much swap again as memory. */
		json_object_object_add(mem, "swap", json_object_new_int64(c->memory * 2));
	}
	if (c->cpus > 0) {
		json_object *cpu = object_member(res, "cpu");
		json_object_object_add(cpu, "period", json_object_new_int64(100000));
		json_object_object_add(cpu, "quota",
				       json_object_new_int64((int64_t)(c->cpus * 100000 + 0.5)));
	}
	if (c->pids_limit != 0) {
		json_object *pids = object_member(res, "pids");
		json_object_object_add(pids, "limit", json_object_new_int64(c->pids_limit));
	}
	if (c->privileged) {
		json_object *all = json_object_new_object(), *devices = json_object_new_array();
		json_object_object_add(all, "allow", json_object_new_boolean(1));
		json_object_object_add(all, "access", json_object_new_string("rwm"));
		json_object_array_add(devices, all);
		json_object_object_add(res, "devices", devices);
	}
	return 0;
}

/* A Docker seccomp profile (or an OCI linux.seccomp object) from a file: its default action,
 * architectures and rules.  Rules with "includes"/"excludes" conditions are Docker's way of tailoring one
 * file to many settings; they are refused rather than guessed at. */
static int seccomp_from_file(const char *path, json_object **out, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	cleanup_json json_object *doc = NULL;
	json_object *profile, *syscalls = NULL, *arch = NULL, *archmap = NULL;
	size_t len;
	int ret;

	if ((ret = fs_read_file(AT_FDCWD, path, &text, &len, err)) < 0 ||
	    (ret = json_parse_text(text, len, path, &doc, err)) < 0)
		return hull_error_wrap(err, "--security-opt seccomp");
	if (!json_object_is_type(doc, json_type_object) ||
	    json_get_string(doc, "defaultAction", NULL) == NULL)
		return hull_error_invalid(err, "--security-opt seccomp: `%.200s` has no defaultAction", path);
	profile = json_object_new_object();
	json_object_object_add(profile, "defaultAction",
			       json_object_new_string(json_get_string(doc, "defaultAction", "")));
	if (json_object_object_get_ex(doc, "defaultErrnoRet", &arch))
		json_object_object_add(profile, "defaultErrnoRet", json_object_get(arch));
	if (json_object_object_get_ex(doc, "architectures", &arch))
		json_object_object_add(profile, "architectures", json_object_get(arch));
	else if (json_object_object_get_ex(doc, "archMap", &archmap) &&
		 json_object_is_type(archmap, json_type_array)) {
		json_object *archs = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(archmap); i++) {
			json_object *m = json_object_array_get_idx(archmap, i), *subs;
			json_object_array_add(archs,
					      json_object_new_string(json_get_string(m, "architecture", "")));
			if (json_object_object_get_ex(m, "subArchitectures", &subs))
				for (size_t k = 0; k < json_object_array_length(subs); k++)
					json_object_array_add(
					    archs, json_object_get(json_object_array_get_idx(subs, k)));
		}
		json_object_object_add(profile, "architectures", archs);
	}
	if (json_object_object_get_ex(doc, "syscalls", &syscalls) &&
	    json_object_is_type(syscalls, json_type_array)) {
		json_object *rules = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(syscalls); i++) {
			json_object *r = json_object_array_get_idx(syscalls, i), *cond, *rule;
			bool conditional = false;
			for (const char *const *k = (const char *const[]){"includes", "excludes", NULL}; *k;
			     k++)
				if (json_object_object_get_ex(r, *k, &cond) &&
				    json_object_object_length(cond) > 0)
					conditional = true;
			if (conditional) {
				json_object_put(rules);
				json_object_put(profile);
				return hull_error_invalid(
				    err,
				    "--security-opt seccomp: `%.200s`: rule %zu has includes/excludes "
				    "conditions, which hull does not evaluate",
				    path, i);
			}
			rule = json_object_new_object();
			json_object_object_foreach(r, key, value) if (strcmp(key, "comment") != 0)
			    json_object_object_add(rule, key, json_object_get(value));
			json_object_array_add(rules, rule);
		}
		json_object_object_add(profile, "syscalls", rules);
	}
	*out = profile;
	return 0;
}

static int apply_security(json_object *spec, json_object *process, json_object *linux_,
			  const struct run_config *c, struct hull_error **err)
{
	json_object *root = object_member(spec, "root"), *mounts = NULL;

	/* Docker leaves setuid programs working unless no-new-privileges is asked for. */
	json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(c->no_new_privileges));
	/* The limits are ours (a hard limit could not be raised anyway without CAP_SYS_RESOURCE). */
	json_object_object_del(process, "rlimits");
	json_object_object_add(root, "readonly", json_object_new_boolean(c->read_only));
	if (c->system) {
		/* A booting init manages its own cgroup subtree (systemd makes init.scope there): a cgroup
		 * namespace, so that the subtree is all it sees, and the cgroup tree writable; /sys stays
		 * read-only, as in systemd-nspawn. */
		json_object *namespaces = NULL, *ns = json_object_new_object();
		json_object_object_add(ns, "type", json_object_new_string("cgroup"));
		if (json_object_object_get_ex(linux_, "namespaces", &namespaces))
			json_object_array_add(namespaces, ns);
		else
			json_object_put(ns);
	}
	if (c->privileged || c->system) {
		if (c->privileged) {
			json_object_object_del(linux_, "maskedPaths");
			json_object_object_del(linux_, "readonlyPaths");
			json_object_object_del(linux_, "seccomp");
		}
		/* sysfs and the cgroup tree writable, as Docker's --privileged has them; a system container
		 * gets only the cgroup tree. */
		if (json_object_object_get_ex(spec, "mounts", &mounts))
			for (size_t i = 0; i < json_object_array_length(mounts); i++) {
				json_object *m = json_object_array_get_idx(mounts, i), *opts, *kept;
				const char *dst = json_get_string(m, "destination", "");
				if ((strcmp(dst, "/sys") != 0 || !c->privileged) &&
				    strcmp(dst, "/sys/fs/cgroup") != 0)
					continue;
				if (!json_object_object_get_ex(m, "options", &opts))
					continue;
				kept = json_object_new_array();
				for (size_t k = 0; k < json_object_array_length(opts); k++) {
					json_object *o = json_object_array_get_idx(opts, k);
					if (strcmp(json_object_get_string(o), "ro") != 0)
						json_object_array_add(kept, json_object_get(o));
				}
				json_object_object_add(m, "options", kept);
			}
	}
	if (c->seccomp && strcmp(c->seccomp, "unconfined") == 0)
		json_object_object_del(linux_, "seccomp");
	else if (c->seccomp) {
		json_object *profile = NULL;
		int ret = seccomp_from_file(c->seccomp, &profile, err);
		if (ret < 0)
			return ret;
		json_object_object_add(linux_, "seccomp", profile);
	}
	return 0;
}

/* --tmpfs DST[:OPTIONS]: Docker's defaults are noexec,nosuid,nodev. */
static int add_tmpfs(json_object *mounts, const char *spec, struct hull_error **err)
{
	const char *colon = strchr(spec, ':');
	cleanup_free char *dst = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
	json_object *m, *options;

	if (dst == NULL)
		return hull_error_set(err, ENOMEM, "--tmpfs");
	if (dst[0] != '/')
		return hull_error_invalid(err, "--tmpfs `%.200s`: the destination is not an absolute path",
					  spec);
	m = json_object_new_object();
	options = json_object_new_array();
	for (const char *const *o = (const char *const[]){"nosuid", "nodev", "noexec", NULL}; *o; o++)
		json_object_array_add(options, json_object_new_string(*o));
	if (colon && colon[1]) {
		cleanup_free char *copy = strdup(colon + 1);
		char *save = NULL;
		if (copy == NULL) {
			json_object_put(m);
			json_object_put(options);
			return hull_error_set(err, ENOMEM, "--tmpfs");
		}
		for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
			json_object_array_add(options, json_object_new_string(o));
	}
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string("tmpfs"));
	json_object_object_add(m, "source", json_object_new_string("tmpfs"));
	json_object_object_add(m, "options", options);
	json_object_array_add(mounts, m);
	return 0;
}

/* --init: hull-init bound read-only at /dev/init (the root's /dev is a tmpfs of the container's own, so
 * the image needs no file for it) and put in front of the command, as Docker does with docker-init. */
static int add_init(struct engine *e, json_object *process, json_object *mounts, struct hull_error **err)
{
	json_object *m = json_object_new_object(), *options = json_object_new_array(), *args = NULL,
		    *with_init = json_object_new_array();

	if (access(e->init, X_OK) < 0) {
		json_object_put(m);
		json_object_put(options);
		json_object_put(with_init);
		return hull_error_errno(err, "--init: `%s`", e->init);
	}
	for (const char *const *o = (const char *const[]){"bind", "ro", "nosuid", "nodev", NULL}; *o; o++)
		json_object_array_add(options, json_object_new_string(*o));
	json_object_object_add(m, "destination", json_object_new_string("/dev/init"));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(e->init));
	json_object_object_add(m, "options", options);
	json_object_array_add(mounts, m);
	json_object_array_add(with_init, json_object_new_string("/dev/init"));
	json_object_array_add(with_init, json_object_new_string("--"));
	if (json_object_object_get_ex(process, "args", &args))
		for (size_t i = 0; i < json_object_array_length(args); i++)
			json_object_array_add(with_init, json_object_get(json_object_array_get_idx(args, i)));
	json_object_object_add(process, "args", with_init);
	return 0;
}

/* Whether a mount of spec already has dst as its destination (trailing slashes aside). */
static bool mounted_at(json_object *mounts, const char *dst)
{
	size_t n = strlen(dst);

	while (n > 1 && dst[n - 1] == '/')
		n--;
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		const char *d = json_get_string(json_object_array_get_idx(mounts, i), "destination", "");
		size_t m = strlen(d);
		while (m > 1 && d[m - 1] == '/')
			m--;
		if (m == n && strncmp(d, dst, n) == 0)
			return true;
	}
	return false;
}

int engine_spec_edit(struct engine *e, json_object *spec, const char *id, const struct run_config *c,
		     int root_fd, json_object *image_volumes, json_object *mounts_record,
		     struct hull_error **err)
{
	json_object *process = object_member(spec, "process"), *linux_ = object_member(spec, "linux"),
		    *mounts;
	char hostname[13];
	int ret;

	snprintf(hostname, sizeof(hostname), "%.12s", id);
	json_object_object_add(spec, "hostname",
			       json_object_new_string(c->hostname ? c->hostname : hostname));
	json_object_object_add(process, "terminal", json_object_new_boolean(c->tty));
	if (c->cgroup_parent) {
		cleanup_free char *cgroup = NULL;
		if (asprintf(&cgroup, "%s/%s", c->cgroup_parent, id) < 0)
			return hull_error_set(err, ENOMEM, "create");
		json_object_object_add(linux_, "cgroupsPath", json_object_new_string(cgroup));
	}
	if (!json_object_object_get_ex(spec, "mounts", &mounts)) {
		mounts = json_object_new_array();
		json_object_object_add(spec, "mounts", mounts);
	}
	for (size_t i = 0; i < c->n_volumes; i++)
		if ((ret = engine_volume_mount(e, c->volumes[i], root_fd, mounts, mounts_record, err)) < 0)
			return ret;
	/* The image's Volumes that no -v or --tmpfs covers: an anonymous volume each, as Docker makes. */
	if (json_object_is_type(image_volumes, json_type_object)) {
		json_object_object_foreach(image_volumes, dst, unused)
		{
			(void)unused;
			if (dst[0] == '/' && !mounted_at(mounts, dst) &&
			    (ret = engine_volume_mount(e, dst, root_fd, mounts, mounts_record, err)) < 0)
				return ret;
		}
	}
	for (size_t i = 0; i < c->n_tmpfs; i++)
		if ((ret = add_tmpfs(mounts, c->tmpfs[i], err)) < 0)
			return ret;
	if (c->init && (ret = add_init(e, process, mounts, err)) < 0)
		return ret;
	if ((ret = apply_caps(process, c, err)) < 0 || (ret = apply_resources(linux_, c)) < 0 ||
	    (ret = apply_security(spec, process, linux_, c, err)) < 0)
		return ret;
	return 0;
}
