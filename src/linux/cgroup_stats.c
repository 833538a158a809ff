/* Usage figures of a container's cgroups in the shape of runc's `events --stats` (cpu, memory, pids),
 * read from v1 or v2 files, whichever the container's directories have. */
#include "linux/cgroup_stats.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* The text of the first of the container's files named `file`, NULL when none has it. */
static char *read_any(const struct cgroup_set *set, const char *file)
{
	char path[4200];
	char *text = NULL;

	if (cgroup_set_find(set, file, path, sizeof(path)) == NULL ||
	    fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0)
		return NULL;
	return text;
}

/* A single number; "max" (no limit) is reported as 0, as runc does for v2. */
static bool read_number(const struct cgroup_set *set, const char *file, uint64_t *out)
{
	cleanup_free char *text = read_any(set, file);

	if (text == NULL)
		return false;
	*out = strncmp(text, "max", 3) == 0 ? 0 : strtoull(text, NULL, 10);
	return true;
}

/* "key value" lines (cpu.stat, memory.events, cpuacct.stat, memory.oom_control). */
static bool read_key(const struct cgroup_set *set, const char *file, const char *key, uint64_t *out)
{
	cleanup_free char *text = read_any(set, file);
	size_t n = strlen(key);

	for (char *line = text; line && *line;) {
		if (strncmp(line, key, n) == 0 && line[n] == ' ') {
			*out = strtoull(line + n + 1, NULL, 10);
			return true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static void add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

json_object *cgroup_stats(const struct cgroup_set *set)
{
	json_object *data = json_object_new_object(), *cpu = json_object_new_object();
	json_object *cpu_usage = json_object_new_object(), *memory = json_object_new_object();
	json_object *mem_usage = json_object_new_object(), *pids = json_object_new_object();
	uint64_t v = 0, user = 0, system = 0;
	long ticks = sysconf(_SC_CLK_TCK);

	if (read_number(set, "cpuacct.usage", &v)) {
		add_u64(cpu_usage, "total", v);
		if (ticks > 0 && read_key(set, "cpuacct.stat", "user", &user) &&
		    read_key(set, "cpuacct.stat", "system", &system)) {
			add_u64(cpu_usage, "user", user * (1000000000ull / (uint64_t)ticks));
			add_u64(cpu_usage, "kernel", system * (1000000000ull / (uint64_t)ticks));
		}
	} else if (read_key(set, "cpu.stat", "usage_usec", &v)) {
		add_u64(cpu_usage, "total", v * 1000);
		if (read_key(set, "cpu.stat", "user_usec", &user))
			add_u64(cpu_usage, "user", user * 1000);
		if (read_key(set, "cpu.stat", "system_usec", &system))
			add_u64(cpu_usage, "kernel", system * 1000);
	}
	json_object_object_add(cpu, "usage", cpu_usage);
	if (read_number(set, "memory.usage_in_bytes", &v)) {
		add_u64(mem_usage, "usage", v);
		if (read_number(set, "memory.limit_in_bytes", &v))
			add_u64(mem_usage, "limit", v);
		if (read_number(set, "memory.max_usage_in_bytes", &v))
			add_u64(mem_usage, "max", v);
		if (read_number(set, "memory.failcnt", &v))
			add_u64(mem_usage, "failcnt", v);
	} else if (read_number(set, "memory.current", &v)) {
		add_u64(mem_usage, "usage", v);
		if (read_number(set, "memory.max", &v))
			add_u64(mem_usage, "limit", v);
		if (read_number(set, "memory.peak", &v))
			add_u64(mem_usage, "max", v);
	}
	json_object_object_add(memory, "usage", mem_usage);
	if (read_number(set, "pids.current", &v))
		add_u64(pids, "current", v);
	if (read_number(set, "pids.max", &v))
		add_u64(pids, "limit", v);
	json_object_object_add(data, "cpu", cpu);
	json_object_object_add(data, "memory", memory);
	json_object_object_add(data, "pids", pids);
	return data;
}

uint64_t cgroup_oom_kills(const struct cgroup_set *set)
{
	uint64_t n = 0;

	if (!read_key(set, "memory.oom_control", "oom_kill", &n))
		read_key(set, "memory.events", "oom_kill", &n);
	return n;
}
