#include "linux/cgroup_resources.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

struct planner {
	struct cgroup_plan *plan;
	enum cgroup_layout layout;
	bool v2;
	char where[64]; /* linux.resources.memory */
	struct hull_error **err;
};

static struct cgroup_write *add(struct planner *p, const char *field, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct cgroup_write *add(struct planner *p, const char *field, const char *file, const char *fmt, ...)
{
	struct cgroup_write *bigger = realloc(p->plan->writes, (p->plan->n_writes + 1) * sizeof(*bigger));
	struct cgroup_write *w;
	va_list ap;

	if (bigger == NULL) {
		hull_error_set(p->err, ENOMEM, "cgroup plan");
		return NULL;
	}
	p->plan->writes = bigger;
	w = &bigger[p->plan->n_writes++];
	memset(w, 0, sizeof(*w));
	snprintf(w->file, sizeof(w->file), "%s", file);
	snprintf(w->field, sizeof(w->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(w->value, sizeof(w->value), fmt, ap);
	va_end(ap);
	return w;
}

#define ADD_OR_FAIL(...)                                                                                     \
	do {                                                                                                 \
		if (add(__VA_ARGS__) == NULL)                                                                \
			return -ENOMEM;                                                                      \
	} while (0)

unsigned long long cgroup_shares_to_weight(unsigned long long shares)
{
	/* A curve through (2, 1), (1024, 100) and (262144, 10000): the v1 default maps to the v2 default,
	 * which the old linear formula did not (1024 gave 39). */
	double l, exponent;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	l = log2((double)shares);
	exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	return (unsigned long long)ceil(pow(10, exponent));
}

unsigned long long cgroup_blkio_weight_to_io_weight(unsigned long long weight)
{
	return weight == 0 ? 0 : 1 + (weight - 10) * 9999 / 990;
}

static int get_i64(struct planner *p, json_object *o, const char *key, bool *has, int64_t *out)
{
	*has = false;
	if (!json_object_object_get_ex(o, key, NULL))
		return 0;
	if (json_field_int64(o, p->where, key, INT64_MIN, INT64_MAX, out, p->err) < 0)
		return -EINVAL;
	*has = json_object_get_type(json_object_object_get(o, key)) != json_type_null;
	return 0;
}

static int get_u64(struct planner *p, json_object *o, const char *key, bool *has, uint64_t *out)
{
	*has = false;
	if (!json_object_object_get_ex(o, key, NULL))
		return 0;
	if (json_field_uint64(o, p->where, key, out, p->err) < 0)
		return -EINVAL;
	*has = json_object_get_type(json_object_object_get(o, key)) != json_type_null;
	return 0;
}

static int invalid(struct planner *p, const char *key, const char *why)
{
	return hull_error_invalid(p->err, "%s.%s: %s", p->where, key, why);
}

static void set_where(struct planner *p, const char *base, const char *section)
{
	snprintf(p->where, sizeof(p->where), "%s.%s", base, section);
}

/* A byte limit: -1 means none ("max" on v2, -1 on v1); 0 is refused, as the kernel would
 * OOM-kill the container at once. */
static int limit_text(struct planner *p, const char *key, int64_t v, char *buf, size_t len)
{
	if (v == -1) {
		snprintf(buf, len, "%s", p->v2 ? "max" : "-1");
		return 0;
	}
	if (v <= 0)
		return invalid(p, key, "must be positive or -1 (no limit)");
	snprintf(buf, len, "%" PRId64, v);
	return 0;
}

/* A limit of a file recent kernels dropped: skipped where it is missing. */
static int add_optional_limit(struct planner *p, const char *key, int64_t v, const char *file)
{
	char buf[32], field[48];
	struct cgroup_write *w;

	if (limit_text(p, key, v, buf, sizeof(buf)) < 0)
		return -EINVAL;
	snprintf(field, sizeof(field), "memory.%s", key);
	w = add(p, field, file, "%s", buf);
	if (w == NULL)
		return -ENOMEM;
	w->optional = true;
	return 0;
}

static int plan_memory(struct planner *p, json_object *m)
{
	int64_t limit = 0, reservation = 0, swap = 0, kernel = 0, tcp = 0;
	uint64_t swappiness = 0;
	bool has_limit, has_res, has_swap, has_kernel, has_tcp, has_swappiness;
	bool disable_oom = false, use_hierarchy = false;
	char buf[32];

	if (get_i64(p, m, "limit", &has_limit, &limit) < 0 ||
	    get_i64(p, m, "reservation", &has_res, &reservation) < 0 ||
	    get_i64(p, m, "swap", &has_swap, &swap) < 0 ||
	    get_i64(p, m, "kernel", &has_kernel, &kernel) < 0 ||
	    get_i64(p, m, "kernelTCP", &has_tcp, &tcp) < 0 ||
	    get_u64(p, m, "swappiness", &has_swappiness, &swappiness) < 0 ||
	    json_field_bool(m, p->where, "disableOOMKiller", &disable_oom, p->err) < 0 ||
	    json_field_bool(m, p->where, "useHierarchy", &use_hierarchy, p->err) < 0)
		return -EINVAL;
	if (has_limit) {
		if (limit_text(p, "limit", limit, buf, sizeof(buf)) < 0)
			return -EINVAL;
		ADD_OR_FAIL(p, "memory.limit", p->v2 ? "memory.max" : "memory.limit_in_bytes", "%s", buf);
	}
	if (has_res) {
		if (limit_text(p, "reservation", reservation, buf, sizeof(buf)) < 0)
			return -EINVAL;
		ADD_OR_FAIL(p, "memory.reservation", p->v2 ? "memory.low" : "memory.soft_limit_in_bytes",
			    "%s", buf);
	}
	if (has_swap) {
		/* The spec's swap is memory+swap (v1's memsw); v2 limits swap alone. */
		if (has_limit && limit > 0 && swap > 0 && swap < limit)
			return invalid(p, "swap",
				       "must not be below memory.limit (it counts memory plus swap)");
		if (limit_text(p, "swap", swap, buf, sizeof(buf)) < 0)
			return -EINVAL;
		if (p->v2 && swap > 0) {
			if (!has_limit || limit <= 0)
				return invalid(p, "swap", "needs memory.limit on cgroup v2");
			snprintf(buf, sizeof(buf), "%" PRId64, swap - limit);
		}
		ADD_OR_FAIL(p, "memory.swap", p->v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes", "%s",
			    buf);
	}
	if (has_swappiness) {
		if (swappiness > 100)
			return invalid(p, "swappiness", "must be between 0 and 100");
		if (p->v2)
			hull_log_debug("%s.swappiness: not available on cgroup v2, ignored", p->where);
		else
			ADD_OR_FAIL(p, "memory.swappiness", "memory.swappiness", "%" PRIu64, swappiness);
	}
	/* Kernel memory limits are deprecated and gone from recent kernels; runc and crun ignore them. */
	if ((has_kernel || has_tcp) && p->v2)
		hull_log_debug("%s.kernel: no kernel memory limit on cgroup v2, ignored", p->where);
	if (!p->v2 &&
	    ((has_kernel && add_optional_limit(p, "kernel", kernel, "memory.kmem.limit_in_bytes") < 0) ||
	     (has_tcp && add_optional_limit(p, "kernelTCP", tcp, "memory.kmem.tcp.limit_in_bytes") < 0)))
		return -EINVAL;
	if (disable_oom) {
		if (p->v2)
			hull_log_debug("%s.disableOOMKiller: not available on cgroup v2, ignored", p->where);
		else
			ADD_OR_FAIL(p, "memory.disableOOMKiller", "memory.oom_control", "1");
	}
	if (use_hierarchy && !p->v2) {
		struct cgroup_write *w = add(p, "memory.useHierarchy", "memory.use_hierarchy", "1");
		if (w == NULL)
			return -ENOMEM;
		w->optional = true;
	}
	return 0;
}

/* cpuset lists: digits, commas and ranges only, as the kernel parses them. */
static bool valid_cpu_list(const char *s)
{
	return *s && strspn(s, "0123456789,-") == strlen(s);
}

static int plan_cpu(struct planner *p, json_object *c)
{
	uint64_t shares = 0, period = 0, burst = 0, rt_period = 0;
	int64_t quota = 0, rt_runtime = 0, idle = 0;
	bool has_shares, has_period, has_burst, has_quota, has_rt_runtime, has_rt_period, has_idle;
	const char *cpus = NULL, *mems = NULL;

	if (get_u64(p, c, "shares", &has_shares, &shares) < 0 ||
	    get_i64(p, c, "quota", &has_quota, &quota) < 0 ||
	    get_u64(p, c, "period", &has_period, &period) < 0 ||
	    get_u64(p, c, "burst", &has_burst, &burst) < 0 ||
	    get_i64(p, c, "realtimeRuntime", &has_rt_runtime, &rt_runtime) < 0 ||
	    get_u64(p, c, "realtimePeriod", &has_rt_period, &rt_period) < 0 ||
	    get_i64(p, c, "idle", &has_idle, &idle) < 0 ||
	    json_field_string(c, p->where, "cpus", &cpus, p->err) < 0 ||
	    json_field_string(c, p->where, "mems", &mems, p->err) < 0)
		return -EINVAL;
	if (has_shares && shares != 0) {
		if (shares < 2 || shares > 262144)
			return invalid(p, "shares", "must be between 2 and 262144");
		if (p->v2)
			ADD_OR_FAIL(p, "cpu.shares", "cpu.weight", "%llu", cgroup_shares_to_weight(shares));
		else
			ADD_OR_FAIL(p, "cpu.shares", "cpu.shares", "%" PRIu64, shares);
	}
	if (has_period && period != 0 && (period < 1000 || period > 1000000))
		return invalid(p, "period", "must be between 1000 and 1000000 microseconds");
	if (has_quota && quota != 0 && quota != -1 && quota < 1000)
		return invalid(p, "quota", "must be at least 1000 microseconds, or -1 (no limit)");
	if (p->v2 && ((has_quota && quota != 0) || (has_period && period != 0))) {
		char q[32];
		if (!has_quota || quota <= 0)
			snprintf(q, sizeof(q), "max");
		else
			snprintf(q, sizeof(q), "%" PRId64, quota);
		ADD_OR_FAIL(p, "cpu.quota", "cpu.max", "%s %" PRIu64, q,
			    has_period && period ? period : 100000);
	} else if (!p->v2) {
		if (has_period && period != 0)
			ADD_OR_FAIL(p, "cpu.period", "cpu.cfs_period_us", "%" PRIu64, period);
		if (has_quota && quota != 0)
			ADD_OR_FAIL(p, "cpu.quota", "cpu.cfs_quota_us", "%" PRId64, quota);
	}
	if (has_burst)
		ADD_OR_FAIL(p, "cpu.burst", p->v2 ? "cpu.max.burst" : "cpu.cfs_burst_us", "%" PRIu64, burst);
	if ((has_rt_runtime && rt_runtime != 0) || (has_rt_period && rt_period != 0)) {
		if (p->v2)
			return invalid(p, "realtimeRuntime", "realtime scheduling limits need cgroup v1");
		if (has_rt_period && rt_period != 0)
			ADD_OR_FAIL(p, "cpu.realtimePeriod", "cpu.rt_period_us", "%" PRIu64, rt_period);
		if (has_rt_runtime && rt_runtime != 0)
			ADD_OR_FAIL(p, "cpu.realtimeRuntime", "cpu.rt_runtime_us", "%" PRId64, rt_runtime);
	}
	if (has_idle) {
		if (idle != 0 && idle != 1)
			return invalid(p, "idle", "must be 0 or 1");
		ADD_OR_FAIL(p, "cpu.idle", "cpu.idle", "%" PRId64, idle);
	}
	if (cpus && *cpus) {
		if (!valid_cpu_list(cpus))
			return invalid(p, "cpus", "expected a list like 0-3,5");
		ADD_OR_FAIL(p, "cpu.cpus", "cpuset.cpus", "%s", cpus);
	}
	if (mems && *mems) {
		if (!valid_cpu_list(mems))
			return invalid(p, "mems", "expected a list like 0-1");
		ADD_OR_FAIL(p, "cpu.mems", "cpuset.mems", "%s", mems);
	}
	return 0;
}

static int plan_pids(struct planner *p, json_object *o)
{
	int64_t limit = 0;
	bool has;

	if (get_i64(p, o, "limit", &has, &limit) < 0)
		return -EINVAL;
	if (!has)
		return 0;
	if (limit < -1)
		return invalid(p, "limit", "below -1, which is the only negative value (no limit)");
	if (limit > 0)
		ADD_OR_FAIL(p, "pids.limit", "pids.max", "%" PRId64, limit);
	else
		ADD_OR_FAIL(p, "pids.limit", "pids.max", "max");
	return 0;
}

static int device_numbers(struct planner *p, json_object *e, const char *key, int64_t *major, int64_t *minor)
{
	char where[96];

	snprintf(where, sizeof(where), "%s.%s[]", p->where, key);
	if (json_field_int64(e, where, "major", 0, 0xfff, major, p->err) < 0 ||
	    json_field_int64(e, where, "minor", 0, 0xfffff, minor, p->err) < 0)
		return -EINVAL;
	if (!json_object_object_get_ex(e, "major", NULL) || !json_object_object_get_ex(e, "minor", NULL))
		return invalid(p, key, "each entry needs major and minor");
	return 0;
}

static int plan_weight(struct planner *p, const char *field, uint64_t weight, const char *device)
{
	struct cgroup_write *w;

	if (weight == 0)
		return 0;
	if (weight < 10 || weight > 1000)
		return invalid(p, field, "must be between 10 and 1000");
	/* BFQ takes the v1 range as is; the plain io.weight wants it converted. */
	w = add(p, field, p->v2 ? "io.bfq.weight" : "blkio.weight", "%s%" PRIu64, device, weight);
	if (w == NULL)
		return -ENOMEM;
	snprintf(w->alt_file, sizeof(w->alt_file), "%s", p->v2 ? "io.weight" : "blkio.bfq.weight");
	if (p->v2)
		snprintf(w->alt_value, sizeof(w->alt_value), "%s%llu", device,
			 cgroup_blkio_weight_to_io_weight(weight));
	if (*device && !p->v2) {
		snprintf(w->file, sizeof(w->file), "blkio.weight_device");
		snprintf(w->alt_file, sizeof(w->alt_file), "blkio.bfq.weight_device");
	}
	return 0;
}

static int plan_block_io(struct planner *p, json_object *b)
{
	static const struct {
		const char *key, *v1_file, *v2_key;
	} throttles[] = {
	    {"throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
	    {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
	    {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
	    {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"},
	};
	uint64_t weight = 0, leaf = 0;
	bool has_weight, has_leaf;
	json_object *devices = NULL;

	if (get_u64(p, b, "weight", &has_weight, &weight) < 0 ||
	    get_u64(p, b, "leafWeight", &has_leaf, &leaf) < 0 ||
	    json_field_array(b, p->where, "weightDevice", &devices, p->err) < 0)
		return -EINVAL;
	if (has_weight && plan_weight(p, "blockIO.weight", weight, "") < 0)
		return -EINVAL;
	if (has_leaf && leaf != 0) {
		if (p->v2)
			hull_log_debug("%s.leafWeight: not available on cgroup v2, ignored", p->where);
		else
			ADD_OR_FAIL(p, "blockIO.leafWeight", "blkio.leaf_weight", "%" PRIu64, leaf);
	}
	for (size_t i = 0; devices && i < json_object_array_length(devices); i++) {
		json_object *e = json_object_array_get_idx(devices, i);
		int64_t major, minor;
		uint64_t w = 0;
		bool has_w;
		char device[32];
		if (!json_object_is_type(e, json_type_object))
			return invalid(p, "weightDevice", "entries must be objects");
		if (device_numbers(p, e, "weightDevice", &major, &minor) < 0 ||
		    get_u64(p, e, "weight", &has_w, &w) < 0)
			return -EINVAL;
		snprintf(device, sizeof(device), "%" PRId64 ":%" PRId64 " ", major, minor);
		if (has_w && plan_weight(p, "blockIO.weightDevice", w, device) < 0)
			return -EINVAL;
	}
	for (size_t t = 0; t < sizeof(throttles) / sizeof(throttles[0]); t++) {
		json_object *list = NULL;
		if (json_field_array(b, p->where, throttles[t].key, &list, p->err) < 0)
			return -EINVAL;
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			json_object *e = json_object_array_get_idx(list, i);
			int64_t major, minor;
			uint64_t rate = 0;
			bool has_rate;
			if (!json_object_is_type(e, json_type_object))
				return invalid(p, throttles[t].key, "entries must be objects");
			if (device_numbers(p, e, throttles[t].key, &major, &minor) < 0 ||
			    get_u64(p, e, "rate", &has_rate, &rate) < 0)
				return -EINVAL;
			if (p->v2)
				ADD_OR_FAIL(p, "blockIO.throttle", "io.max", "%" PRId64 ":%" PRId64 " %s=%s",
					    major, minor, throttles[t].v2_key, rate ? "" : "max");
			else
				ADD_OR_FAIL(p, "blockIO.throttle", throttles[t].v1_file,
					    "%" PRId64 ":%" PRId64 " %" PRIu64, major, minor, rate);
			/* "rbps=" + the number: appended here to keep one format per branch. */
			if (p->v2 && rate) {
				struct cgroup_write *w = &p->plan->writes[p->plan->n_writes - 1];
				size_t len = strlen(w->value);
				snprintf(w->value + len, sizeof(w->value) - len, "%" PRIu64, rate);
			}
		}
	}
	return 0;
}

/* "2MB", "1GB", "64KB": the kernel's names for hugepage sizes. */
static bool valid_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && digits < 8 &&
	       (strcmp(s + digits, "KB") == 0 || strcmp(s + digits, "MB") == 0 ||
		strcmp(s + digits, "GB") == 0);
}

static int plan_hugepages(struct planner *p, json_object *list)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i);
		const char *size = NULL;
		uint64_t limit = 0;
		bool has;
		char v1[64], v2[64];
		struct cgroup_write *w;

		if (!json_object_is_type(e, json_type_object) ||
		    json_field_string(e, p->where, "pageSize", &size, p->err) < 0 || size == NULL ||
		    get_u64(p, e, "limit", &has, &limit) < 0 || !has) {
			hull_error_free(p->err);
			return invalid(p, "hugepageLimits", "each entry needs pageSize (like 2MB) and limit");
		}
		if (!valid_page_size(size))
			return invalid(p, "hugepageLimits", "pageSize must look like 2MB or 1GB");
		snprintf(v1, sizeof(v1), "hugetlb.%s.limit_in_bytes", size);
		snprintf(v2, sizeof(v2), "hugetlb.%s.max", size);
		/* On a hybrid host hugetlb may be only on the unified hierarchy (as here): v2 names then. */
		w = add(p, "hugepageLimits", p->v2 ? v2 : v1, "%" PRIu64, limit);
		if (w == NULL)
			return -ENOMEM;
		if (!p->v2)
			snprintf(w->alt_file, sizeof(w->alt_file), "%s", v2);
	}
	return 0;
}

static int plan_network(struct planner *p, json_object *n)
{
	uint32_t class_id = 0;
	json_object *prios = NULL;
	bool has_class = json_object_object_get_ex(n, "classID", NULL);

	if (json_field_uint32(n, p->where, "classID", &class_id, p->err) < 0 ||
	    json_field_array(n, p->where, "priorities", &prios, p->err) < 0)
		return -EINVAL;
	if (p->v2) {
		if (has_class || prios)
			hull_log_warning("%s: net_cls and net_prio do not exist on cgroup v2, ignored",
					 p->where);
		return 0;
	}
	if (has_class)
		ADD_OR_FAIL(p, "network.classID", "net_cls.classid", "%" PRIu32, class_id);
	for (size_t i = 0; prios && i < json_object_array_length(prios); i++) {
		json_object *e = json_object_array_get_idx(prios, i);
		const char *name = NULL;
		uint32_t prio = 0;
		if (!json_object_is_type(e, json_type_object) ||
		    json_field_string(e, p->where, "name", &name, p->err) < 0 ||
		    json_field_uint32(e, p->where, "priority", &prio, p->err) < 0 || name == NULL ||
		    strpbrk(name, " \n/") || *name == '\0') {
			hull_error_free(p->err);
			return invalid(p, "priorities", "each entry needs an interface name and a priority");
		}
		ADD_OR_FAIL(p, "network.priorities", "net_prio.ifpriomap", "%s %" PRIu32, name, prio);
	}
	return 0;
}

static int plan_rdma(struct planner *p, json_object *r)
{
	json_object_object_foreach(r, device, limits)
	{
		uint32_t handles = 0, objects = 0;
		bool has_h = json_object_object_get_ex(limits, "hcaHandles", NULL);
		bool has_o = json_object_object_get_ex(limits, "hcaObjects", NULL);
		char text[128] = "";

		if (!json_object_is_type(limits, json_type_object) || strpbrk(device, " \n/") ||
		    json_field_uint32(limits, p->where, "hcaHandles", &handles, p->err) < 0 ||
		    json_field_uint32(limits, p->where, "hcaObjects", &objects, p->err) < 0) {
			hull_error_free(p->err);
			return invalid(p, "rdma",
				       "expected {\"device\": {\"hcaHandles\": N, \"hcaObjects\": N}}");
		}
		if (has_h)
			snprintf(text, sizeof(text), " hca_handle=%" PRIu32, handles);
		if (has_o)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " hca_object=%" PRIu32,
				 objects);
		if (*text)
			ADD_OR_FAIL(p, "rdma", "rdma.max", "%s%s", device, text);
	}
	return 0;
}

/* unified: file names are taken as given, so they are checked to stay a plain file of the cgroup. */
static int plan_unified(struct planner *p, json_object *u)
{
	if (p->layout == CGROUP_LAYOUT_V1 && json_object_object_length(u) > 0)
		return invalid(p, "unified", "needs a cgroup v2 hierarchy, and this host has none");
	json_object_object_foreach(u, key, value)
	{
		const char *dot = strchr(key, '.');
		if (!json_object_is_type(value, json_type_string))
			return invalid(p, "unified", "values must be strings");
		if (dot == NULL || dot == key || strchr(key, '/') || strlen(key) >= 64 ||
		    strncmp(key, "cgroup.", 7) == 0)
			return hull_error_invalid(p->err, "%s.unified: `%s` is not a controller file",
						  p->where, key);
		ADD_OR_FAIL(p, "unified", key, "%s", json_object_get_string(value));
	}
	return 0;
}

int cgroup_resources_plan(json_object *resources, enum cgroup_layout layout, const char *where,
			  struct cgroup_plan *out, struct hull_error **err)
{
	struct planner p = {.plan = out, .layout = layout, .v2 = layout == CGROUP_LAYOUT_V2, .err = err};
	static const struct {
		const char *name;
		int (*plan)(struct planner *, json_object *);
	} sections[] = {
	    {"memory", plan_memory},	{"cpu", plan_cpu},	   {"pids", plan_pids},
	    {"blockIO", plan_block_io}, {"network", plan_network}, {"rdma", plan_rdma},
	    {"unified", plan_unified},
	};
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (resources == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]) && ret == 0; i++) {
		json_object *section = NULL;
		if ((ret = json_field_object(resources, where, sections[i].name, &section, err)) < 0 ||
		    section == NULL)
			continue;
		set_where(&p, where, sections[i].name);
		ret = sections[i].plan(&p, section);
	}
	if (ret == 0) {
		json_object *huge = NULL;
		set_where(&p, where, "hugepageLimits");
		ret = json_field_array(resources, where, "hugepageLimits", &huge, err);
		if (ret == 0 && huge)
			ret = plan_hugepages(&p, huge);
	}
	if (ret < 0) {
		cgroup_plan_free(out);
		return ret;
	}
	return 0;
}

/* A v1 cgroup gets no realtime runtime unless each ancestor has at least as much: new cgroups start with
 * 0, so the container's value is refused (EINVAL) until the cgroups between the hierarchy's root and the
 * container are raised to it, top-down.  Ancestors that have more keep it. */
static int raise_rt_runtime_ancestors(const char *dir, const char *value, struct hull_error **err)
{
	long long want = strtoll(value, NULL, 10);
	cleanup_free char *path = strdup(dir);

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "cpu.rt_runtime_us");
	for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		cleanup_free char *file = NULL, *current = NULL;
		if (slash[1] == '/' || slash[1] == '\0')
			continue;
		*slash = '\0';
		if (asprintf(&file, "%s/cpu.rt_runtime_us", path) < 0) {
			*slash = '/';
			return hull_error_set(err, ENOMEM, "cpu.rt_runtime_us");
		}
		*slash = '/';
		if (fs_read_file(AT_FDCWD, file, &current, NULL, NULL) < 0)
			continue; /* above the hierarchy's mount */
		if (strtoll(current, NULL, 10) >= want || strtoll(current, NULL, 10) < 0)
			continue;
		if (fs_write_file(AT_FDCWD, file, value, strlen(value), err) < 0)
			return hull_error_wrap(err, "raise the realtime runtime of a parent cgroup");
	}
	return 0;
}

static int write_one(const struct cgroup_set *set, const struct cgroup_write *w, struct hull_error **err)
{
	const char *file = w->file, *value = w->value;
	char path[4200];
	const char *dir = cgroup_set_find(set, file, path, sizeof(path));

	if (dir == NULL && *w->alt_file) {
		file = w->alt_file;
		value = *w->alt_value ? w->alt_value : w->value;
		dir = cgroup_set_find(set, file, path, sizeof(path));
	}
	if (dir == NULL) {
		if (w->optional) {
			hull_log_debug("resources.%s: %s does not exist on this host, skipped", w->field,
				       w->file);
			return 0;
		}
		return hull_error_fail(
		    err, ENOENT,
		    "resources.%s: this host has no cgroup file `%s` (controller missing or "
		    "not enabled)",
		    w->field, w->file);
	}
	if (strcmp(file, "cpu.rt_runtime_us") == 0 && raise_rt_runtime_ancestors(dir, value, err) < 0)
		return hull_error_wrap(err, "resources.%s", w->field);
	if (fs_write_file(AT_FDCWD, path, value, strlen(value), err) < 0) {
		if (w->optional) {
			hull_log_debug("resources.%s: %s refused by the kernel, skipped", w->field, file);
			hull_error_free(err);
			return 0;
		}
		return hull_error_wrap(err, "resources.%s: write `%s` to %s", w->field, value, file);
	}
	return 0;
}

int cgroup_resources_apply(const struct cgroup_set *set, const struct cgroup_plan *plan,
			   struct hull_error **err)
{
	cleanup_free bool *deferred = calloc(plan->n_writes + 1, sizeof(bool));
	size_t n_deferred = 0;

	if (deferred == NULL)
		return hull_error_set(err, ENOMEM, "cgroup resources");
	for (size_t i = 0; i < plan->n_writes; i++) {
		struct hull_error *e = NULL;
		if (write_one(set, &plan->writes[i], &e) == 0)
			continue;
		if (e->errnum != EINVAL && e->errnum != EBUSY) {
			*err = e;
			return hull_error_code(e);
		}
		hull_error_free(&e);
		deferred[i] = true;
		n_deferred++;
	}
	for (size_t i = 0; n_deferred && i < plan->n_writes; i++)
		if (deferred[i] && write_one(set, &plan->writes[i], err) < 0)
			return hull_error_code(*err);
	return 0;
}

void cgroup_plan_free(struct cgroup_plan *plan)
{
	free(plan->writes);
	plan->writes = NULL;
	plan->n_writes = 0;
}
