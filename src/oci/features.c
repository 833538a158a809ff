/* `features`: what this runtime supports, as the runtime-spec's features document describes it. */
#include "oci/default.h"
#include "oci/names.h"
#include "oci/spec.h"

#include <string.h>

#include "linux/capabilities.h"

static const char *const mount_options[] = {
    "async",	  "atime",	 "bind",       "defaults",    "dev",	    "diratime",	  "dirsync",
    "exec",	  "iversion",	 "lazytime",   "loud",	      "mand",	    "noatime",	  "nodev",
    "nodiratime", "noexec",	 "noiversion", "nolazytime",  "nomand",	    "norelatime", "nostrictatime",
    "nosuid",	  "private",	 "rbind",      "relatime",    "remount",    "ro",	  "rprivate",
    "rro",	  "rshared",	 "rslave",     "runbindable", "rw",	    "shared",	  "silent",
    "slave",	  "strictatime", "suid",       "sync",	      "unbindable",
};

static json_object *string_array(const char *const *names, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

static json_object *enabled(bool on)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(on));
	return o;
}

json_object *oci_features_document(void)
{
	json_object *doc = json_object_new_object();
	json_object *lnx = json_object_new_object();
	json_object *hooks = json_object_new_array();
	json_object *namespaces = json_object_new_array();
	json_object *caps = json_object_new_array();
	json_object *cgroup = json_object_new_object();
	json_object *annotations = json_object_new_object();
	const char *name;
	char buf[64];

	json_object_object_add(doc, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(doc, "ociVersionMax", json_object_new_string("1.2.0"));
	for (int k = 0; k < OCI_HOOK_KINDS; k++)
		json_object_array_add(hooks, json_object_new_string(oci_hook_kind_name(k)));
	json_object_object_add(doc, "hooks", hooks);
	json_object_object_add(doc, "mountOptions",
			       string_array(mount_options, sizeof(mount_options) / sizeof(*mount_options)));

	for (size_t i = 0; (name = oci_namespace_name_at(i)) != NULL; i++)
		json_object_array_add(namespaces, json_object_new_string(name));
	json_object_object_add(lnx, "namespaces", namespaces);
	for (int cap = 0; capabilities_name(cap, buf) != NULL; cap++)
		json_object_array_add(caps, json_object_new_string(buf));
	json_object_object_add(lnx, "capabilities", caps);
	json_object_object_add(cgroup, "v1", json_object_new_boolean(true));
	json_object_object_add(cgroup, "v2", json_object_new_boolean(true));
	json_object_object_add(cgroup, "systemd", json_object_new_boolean(false));
	json_object_object_add(cgroup, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(cgroup, "rdma", json_object_new_boolean(true));
	json_object_object_add(lnx, "cgroup", cgroup);
	json_object_object_add(lnx, "seccomp", enabled(false));
	json_object_object_add(lnx, "apparmor", enabled(false));
	json_object_object_add(lnx, "selinux", enabled(false));
	json_object_object_add(lnx, "intelRdt", enabled(false));
	json_object_object_add(doc, "linux", lnx);
	json_object_object_add(annotations, "org.opencontainers.runc.checkpoint.enabled",
			       json_object_new_string("false"));
	json_object_object_add(annotations, "io.github.hull.version", json_object_new_string(HULL_VERSION));
	json_object_object_add(doc, "annotations", annotations);
	return doc;
}
