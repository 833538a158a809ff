/* `features`: what this runtime supports, as the runtime-spec's features document describes it. */
#include "oci/default.h"
#include "oci/names.h"
#include "oci/spec.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/capabilities.h"

static const char *const mount_options[] = {
    "async",	  "atime",	 "bind",       "defaults",    "dev",	    "diratime",	  "dirsync",
    "exec",	  "idmap",	 "iversion",	 "lazytime",   "loud",	      "mand",	    "noatime",	  "nodev",
    "nodiratime", "noexec",	 "noiversion", "nolazytime",  "nomand",	    "norelatime", "nostrictatime",
    "nosuid",	  "private",	 "rbind",      "relatime",    "remount",    "ro",	  "rprivate",
    "ridmap",	  "rro",	  "rshared",	 "rslave",     "runbindable", "rw",	    "shared",	  "silent",
    "slave",	  "strictatime", "suid",       "sync",	      "unbindable",
};

static const char *const seccomp_actions[] = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
};
static const char *const seccomp_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE",	 "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};
static const char *const seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",   "SCMP_ARCH_ARM",    "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",	   "SCMP_ARCH_PPC64",  "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",	   "SCMP_ARCH_S390X",  "SCMP_ARCH_X32",	     "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
};
static const char *const seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_TSYNC",
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
	json_object_object_add(cgroup, "systemd", json_object_new_boolean(true));
	json_object_object_add(cgroup, "systemdUser", json_object_new_boolean(true));
	json_object_object_add(cgroup, "rdma", json_object_new_boolean(true));
	json_object_object_add(lnx, "cgroup", cgroup);
	json_object *seccomp = enabled(true);
	json_object_object_add(seccomp, "actions",
			       string_array(seccomp_actions, sizeof(seccomp_actions) / sizeof(char *)));
	json_object_object_add(seccomp, "operators",
			       string_array(seccomp_operators, sizeof(seccomp_operators) / sizeof(char *)));
	json_object_object_add(seccomp, "archs",
			       string_array(seccomp_archs, sizeof(seccomp_archs) / sizeof(char *)));
	json_object_object_add(seccomp, "knownFlags",
			       string_array(seccomp_flags, sizeof(seccomp_flags) / sizeof(char *)));
	json_object_object_add(seccomp, "supportedFlags",
			       string_array(seccomp_flags, sizeof(seccomp_flags) / sizeof(char *)));
	json_object_object_add(lnx, "seccomp", seccomp);
	/* Id-mapped mounts need mount_setattr (Linux 5.12): probed with arguments it refuses. */
	json_object *mount_ext = json_object_new_object();
	bool has_setattr = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) < 0 && errno != ENOSYS;
	json_object_object_add(mount_ext, "idmap", enabled(has_setattr));
	json_object_object_add(lnx, "mountExtensions", mount_ext);
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
