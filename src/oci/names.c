#include "oci/spec.h"
#include "oci/names.h"

#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int type;
} namespace_names[] = {
    {"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},	   {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS}, {"user", CLONE_NEWUSER},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int oci_namespace_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(namespace_names) / sizeof(namespace_names[0]); i++)
		if (strcmp(namespace_names[i].name, name) == 0)
			return namespace_names[i].type;
	return -1;
}

const char *oci_namespace_name(int type)
{
	for (size_t i = 0; i < sizeof(namespace_names) / sizeof(namespace_names[0]); i++)
		if (namespace_names[i].type == type)
			return namespace_names[i].name;
	return "unknown";
}

/* The names /proc/<pid>/ns uses, for joining and for reading a container's namespaces. */
const char *oci_namespace_proc_name(int type)
{
	switch (type) {
	case CLONE_NEWNET:
		return "net";
	case CLONE_NEWNS:
		return "mnt";
	default:
		return oci_namespace_name(type);
	}
}

static const char *const hook_names[OCI_HOOK_KINDS] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
	return hook_names[kind];
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int oci_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (strcmp(rlimit_names[i].name, name) == 0)
			return rlimit_names[i].resource;
	return -1;
}

const char *oci_rlimit_name(size_t index)
{
	return index < sizeof(rlimit_names) / sizeof(rlimit_names[0]) ? rlimit_names[index].name : NULL;
}

const char *oci_namespace_name_at(size_t index)
{
	return index < sizeof(namespace_names) / sizeof(namespace_names[0]) ? namespace_names[index].name
									    : NULL;
}
