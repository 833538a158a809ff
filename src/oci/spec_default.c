/* `spec`: the default config.json, as runc writes it, and its rootless variant. */
#include "oci/spec.h"
#include "oci/default.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char default_config[] =
    "{"
    "\"ociVersion\":\"1.2.0\","
    "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"TERM=xterm\"],"
    "\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"hull\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}"
    "],"
    "\"linux\":{"
    "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
    "{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\","
    "\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\","
    "\"/sys/devices/virtual/powercap\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]"
    "}"
    "}";

/* What runc's --rootless changes: a user namespace mapping the caller to root, no network namespace of its
 * own (an unprivileged user cannot configure one), /sys bound from the host, no gid=5 for devpts (group 5
 * is not mapped), no cgroup mount and no resources (cgroups are not delegated by default). */
static void make_rootless(json_object *config)
{
	json_object *lnx = json_object_object_get(config, "linux");
	json_object *namespaces = json_object_object_get(lnx, "namespaces");
	json_object *mounts = json_object_object_get(config, "mounts");
	json_object *kept_ns = json_object_new_array();
	json_object *kept_mounts = json_object_new_array();
	char map[128];

	for (size_t i = 0; i < json_object_array_length(namespaces); i++) {
		json_object *ns = json_object_array_get_idx(namespaces, i);
		const char *type = json_object_get_string(json_object_object_get(ns, "type"));
		if (strcmp(type, "network") != 0 && strcmp(type, "cgroup") != 0)
			json_object_array_add(kept_ns, json_object_get(ns));
	}
	json_object_array_add(kept_ns, json_tokener_parse("{\"type\":\"user\"}"));
	json_object_object_add(lnx, "namespaces", kept_ns);
	snprintf(map, sizeof(map), "[{\"containerID\":0,\"hostID\":%u,\"size\":1}]", getuid());
	json_object_object_add(lnx, "uidMappings", json_tokener_parse(map));
	snprintf(map, sizeof(map), "[{\"containerID\":0,\"hostID\":%u,\"size\":1}]", getgid());
	json_object_object_add(lnx, "gidMappings", json_tokener_parse(map));
	json_object_object_del(lnx, "resources");

	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *dest = json_object_get_string(json_object_object_get(m, "destination"));
		if (strcmp(dest, "/sys/fs/cgroup") == 0)
			continue;
		if (strcmp(dest, "/sys") == 0) {
			json_object_array_add(
			    kept_mounts,
			    json_tokener_parse("{\"destination\":\"/sys\",\"type\":\"none\","
					       "\"source\":\"/sys\",\"options\":[\"rbind\",\"nosuid\","
					       "\"noexec\",\"nodev\",\"ro\"]}"));
			continue;
		}
		if (strcmp(dest, "/dev/pts") == 0) {
			json_object *opts = json_object_object_get(m, "options");
			json_object *kept = json_object_new_array();
			for (size_t k = 0; k < json_object_array_length(opts); k++) {
				json_object *o = json_object_array_get_idx(opts, k);
				if (strcmp(json_object_get_string(o), "gid=5") != 0)
					json_object_array_add(kept, json_object_get(o));
			}
			json_object_object_add(m, "options", kept);
		}
		json_object_array_add(kept_mounts, json_object_get(m));
	}
	json_object_object_add(config, "mounts", kept_mounts);
}

json_object *oci_default_config(bool rootless)
{
	json_object *config = json_tokener_parse(default_config);

	if (config == NULL)
		return NULL;
	json_object_object_add(json_object_object_get(config, "linux"), "seccomp",
			       oci_default_seccomp_profile());
	if (rootless)
		make_rootless(config);
	return config;
}
