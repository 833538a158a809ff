/* The cgroup resource writers against fake cgroup directories (files named as the kernel names them),
 * so that v2 is covered on hosts whose controllers cannot be enabled, and the device rules and their eBPF
 * program. */
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/cgroup_devices.h"
#include "linux/cgroup_hierarchy.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_systemd.h"
#include "linux/device_rules.h"
#include "util/fs.h"

static const char *const v2_files[] = {"memory.max",	  "memory.low",	   "memory.swap.max", "cpu.weight",
				       "cpu.max",	  "cpu.max.burst", "cpu.idle",	      "cpuset.cpus",
				       "cpuset.mems",	  "pids.max",	   "io.weight",	      "io.max",
				       "hugetlb.2MB.max", "rdma.max",	   "memory.high",     NULL};
static const char *const v1_files[] = {"memory.limit_in_bytes",
				       "memory.soft_limit_in_bytes",
				       "memory.memsw.limit_in_bytes",
				       "memory.swappiness",
				       "memory.oom_control",
				       "cpu.shares",
				       "cpu.cfs_quota_us",
				       "cpu.cfs_period_us",
				       "pids.max",
				       "blkio.weight",
				       "blkio.throttle.read_bps_device",
				       NULL};

struct fake {
	char dir[64];
	struct cgroup_set set;
	char *dirs[2];
};

static void make_fake(struct fake *f, const char *const *files)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/hull-unit-cg-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	for (size_t i = 0; files[i]; i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	f->dirs[0] = f->dir;
	f->dirs[1] = NULL;
	f->set.dirs = f->dirs;
	f->set.n_dirs = 1;
}

static void remove_fake(struct fake *f)
{
	fs_remove_tree(AT_FDCWD, f->dir, NULL);
}

static char *read_back(struct fake *f, const char *file)
{
	static char buf[256];
	char path[128];
	char *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", f->dir, file);
	assert_int_equal(fs_read_file(AT_FDCWD, path, &text, NULL, NULL), 0);
	snprintf(buf, sizeof(buf), "%s", text);
	free(text);
	return buf;
}

static void apply_json(struct fake *f, const char *json, enum cgroup_layout layout)
{
	struct hull_error *err = NULL;
	struct cgroup_plan plan;
	json_object *o = json_tokener_parse(json);

	assert_non_null(o);
	if (cgroup_resources_plan(o, layout, "linux.resources", &plan, &err) < 0)
		fail_msg("plan: %s", err->message);
	if (cgroup_resources_apply(&f->set, &plan, &err) < 0)
		fail_msg("apply: %s", err->message);
	cgroup_plan_free(&plan);
	json_object_put(o);
}

static void v2_values_are_converted(void **state)
{
	struct fake f;

	(void)state;
	make_fake(&f, v2_files);
	apply_json(&f,
		   "{\"memory\":{\"limit\":1048576,\"reservation\":524288,\"swap\":3145728},"
		   "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":200000,\"burst\":1000,\"idle\":1,"
		   "\"cpus\":\"0-1\",\"mems\":\"0\"},\"pids\":{\"limit\":0},"
		   "\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":"
		   "1048576}]},"
		   "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
		   "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}},"
		   "\"unified\":{\"memory.high\":\"900000\"}}",
		   CGROUP_LAYOUT_V2);
	assert_string_equal(read_back(&f, "memory.max"), "1048576");
	assert_string_equal(read_back(&f, "memory.low"), "524288");
	assert_string_equal(read_back(&f, "memory.swap.max"), "2097152"); /* memsw - memory */
	assert_string_equal(read_back(&f, "cpu.weight"), "100");	  /* v1 default -> v2 default */
	assert_string_equal(read_back(&f, "cpu.max"), "50000 200000");
	assert_string_equal(read_back(&f, "cpu.max.burst"), "1000");
	assert_string_equal(read_back(&f, "cpu.idle"), "1");
	assert_string_equal(read_back(&f, "cpuset.cpus"), "0-1");
	assert_string_equal(read_back(&f, "pids.max"), "max");
	/* No io.bfq.weight here: the plain io.weight with the converted value. */
	assert_string_equal(read_back(&f, "io.weight"), "4950");
	assert_string_equal(read_back(&f, "io.max"), "8:0 rbps=1048576");
	assert_string_equal(read_back(&f, "hugetlb.2MB.max"), "4194304");
	assert_string_equal(read_back(&f, "rdma.max"), "mlx5_1 hca_handle=3 hca_object=10000");
	assert_string_equal(read_back(&f, "memory.high"), "900000");
	remove_fake(&f);
}

static void v1_values_are_written_as_given(void **state)
{
	struct fake f;

	(void)state;
	make_fake(&f, v1_files);
	apply_json(
	    &f,
	    "{\"memory\":{\"limit\":-1,\"swap\":-1,\"swappiness\":10,\"disableOOMKiller\":true,"
	    "\"kernel\":1048576},"
	    "\"cpu\":{\"shares\":512,\"quota\":-1,\"period\":100000},\"pids\":{\"limit\":64},"
	    "\"blockIO\":{\"weight\":300,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":5}]}}",
	    CGROUP_LAYOUT_V1);
	assert_string_equal(read_back(&f, "memory.limit_in_bytes"), "-1");
	assert_string_equal(read_back(&f, "memory.memsw.limit_in_bytes"), "-1");
	assert_string_equal(read_back(&f, "memory.swappiness"), "10");
	assert_string_equal(read_back(&f, "memory.oom_control"), "1");
	assert_string_equal(read_back(&f, "cpu.shares"), "512");
	assert_string_equal(read_back(&f, "cpu.cfs_quota_us"), "-1");
	assert_string_equal(read_back(&f, "pids.max"), "64");
	assert_string_equal(read_back(&f, "blkio.weight"), "300");
	assert_string_equal(read_back(&f, "blkio.throttle.read_bps_device"), "8:0 5");
	remove_fake(&f);
}

static void conversions_match_crun(void **state)
{
	(void)state;
	assert_int_equal(cgroup_shares_to_weight(2), 1);
	assert_int_equal(cgroup_shares_to_weight(1024), 100);
	assert_int_equal(cgroup_shares_to_weight(262144), 10000);
	assert_int_equal(cgroup_blkio_weight_to_io_weight(10), 1);
	assert_int_equal(cgroup_blkio_weight_to_io_weight(1000), 10000);
}

static void bad_values_are_refused(void **state)
{
	static const struct {
		const char *json, *needle;
	} cases[] = {
	    {"{\"memory\":{\"limit\":0}}", "memory.limit"},
	    {"{\"memory\":{\"limit\":\"1G\"}}", "memory.limit"},
	    {"{\"memory\":{\"limit\":1048576,\"swap\":1024}}", "memory.swap"},
	    {"{\"memory\":{\"swappiness\":101}}", "swappiness"},
	    {"{\"cpu\":{\"shares\":1}}", "cpu.shares"},
	    {"{\"cpu\":{\"quota\":10}}", "cpu.quota"},
	    {"{\"cpu\":{\"cpus\":\"0-1; rm\"}}", "cpu.cpus"},
	    {"{\"blockIO\":{\"weight\":5}}", "weight"},
	    {"{\"blockIO\":{\"throttleReadBpsDevice\":[{\"rate\":1}]}}", "major"},
	    {"{\"hugepageLimits\":[{\"pageSize\":\"../x\",\"limit\":1}]}", "pageSize"},
	    {"{\"unified\":{\"../../etc/passwd\":\"x\"}}", "not a controller file"},
	    {"{\"unified\":{\"cgroup.procs\":\"1\"}}", "not a controller file"},
	    {"{\"pids\":[]}", "pids"},
	};
	struct hull_error *err = NULL;
	struct cgroup_plan plan;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *o = json_tokener_parse(cases[i].json);
		assert_non_null(o);
		assert_fails_with(cgroup_resources_plan(o, CGROUP_LAYOUT_V2, "linux.resources", &plan, &err),
				  err, cases[i].needle);
		json_object_put(o);
	}
	json_object *o = json_tokener_parse("{\"cpu\":{\"realtimeRuntime\":1000}}");
	assert_fails_with(cgroup_resources_plan(o, CGROUP_LAYOUT_V2, "linux.resources", &plan, &err), err,
			  "realtime");
	json_object_put(o);
	o = json_tokener_parse("{\"unified\":{\"memory.high\":\"1\"}}");
	assert_fails_with(cgroup_resources_plan(o, CGROUP_LAYOUT_V1, "linux.resources", &plan, &err), err,
			  "cgroup v2");
	json_object_put(o);
}

static void missing_controller_is_named(void **state)
{
	static const char *const none[] = {NULL};
	struct hull_error *err = NULL;
	struct cgroup_plan plan;
	struct fake f;
	json_object *o = json_tokener_parse("{\"pids\":{\"limit\":5}}");

	(void)state;
	make_fake(&f, none);
	assert_int_equal(cgroup_resources_plan(o, CGROUP_LAYOUT_V2, "linux.resources", &plan, &err), 0);
	assert_fails_with(cgroup_resources_apply(&f.set, &plan, &err), err, "pids.max");
	cgroup_plan_free(&plan);
	json_object_put(o);
	remove_fake(&f);
}

static void device_defaults_follow_the_last_wildcard(void **state)
{
	struct hull_error *err = NULL;
	struct device_rules rules;
	char line[64];
	json_object *o =
	    json_tokener_parse("[{\"allow\":false,\"access\":\"rwm\"},"
			       "{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"r\"}]");

	(void)state;
	assert_int_equal(device_rules_build(o, NULL, "devices", &rules, &err), 0);
	assert_true(rules.n_rules > 3);
	device_rule_format(&rules.rules[0], line, sizeof(line));
	assert_string_equal(line, "a *:* rwm");
	assert_false(rules.rules[0].allow);
	device_rule_format(&rules.rules[rules.n_rules - 1], line, sizeof(line));
	assert_string_equal(line, "c 1:5 r");
	assert_false(rules.rules[rules.n_rules - 1].allow);

	struct bpf_insn prog[256];
	int n = device_bpf_program(&rules, prog, 256);
	assert_true(n > 6);
	assert_int_equal(prog[n - 1].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(device_bpf_program(&rules, prog, 8), -1);
	device_rules_free(&rules);
	json_object_put(o);

	o = json_tokener_parse("[{\"allow\":true,\"type\":\"a\",\"major\":1}]");
	assert_fails_with(device_rules_build(o, NULL, "devices", &rules, &err), err, "type `a`");
	json_object_put(o);
	o = json_tokener_parse("[{\"allow\":true,\"access\":\"rwx\"}]");
	assert_fails_with(device_rules_build(o, NULL, "devices", &rules, &err), err, "access");
	json_object_put(o);
	o = json_tokener_parse("[{\"type\":\"c\"}]");
	assert_fails_with(device_rules_build(o, NULL, "devices", &rules, &err), err, "allow");
	json_object_put(o);
}

static void systemd_unit_names(void **state)
{
	struct hull_error *err = NULL;
	struct systemd_unit u;

	(void)state;
	assert_int_equal(systemd_unit_parse("", "web", false, &u, &err), 0);
	assert_string_equal(u.slice, "system.slice");
	assert_string_equal(u.name, "hull-web.scope");
	assert_int_equal(systemd_unit_parse("machine.slice:libpod:abc", "web", false, &u, &err), 0);
	assert_string_equal(u.slice, "machine.slice");
	assert_string_equal(u.name, "libpod-abc.scope");
	assert_int_equal(systemd_unit_parse("::", "web", true, &u, &err), 0);
	assert_string_equal(u.slice, "user.slice");
	assert_string_equal(u.name, "web.scope");
	assert_fails_with(systemd_unit_parse("/sys/fs/cgroup/x", "web", false, &u, &err), err,
			  "slice:prefix:name");
	assert_fails_with(systemd_unit_parse("a:b:c:d", "web", false, &u, &err), err, "slice:prefix:name");
	assert_fails_with(systemd_unit_parse("notaslice:x:y", "web", false, &u, &err), err, "slice");
	assert_fails_with(systemd_unit_parse("system.slice:x:../y", "web", false, &u, &err), err, "slice");
	assert_fails_with(systemd_unit_parse("system.slice:x:y.slice", "web", false, &u, &err), err, "scope");
}

/* Reads LAYOUTS/NAME.cgroup and LAYOUTS/NAME.mountinfo and parses them. */
static void load_layout(const char *name, struct cgroup_hierarchies *out)
{
	char path[512];
	char *cgroup = NULL, *mountinfo = NULL;
	struct hull_error *err = NULL;

	snprintf(path, sizeof(path), "%s/%s.cgroup", HULL_CGROUP_LAYOUTS, name);
	assert_int_equal(fs_read_file(AT_FDCWD, path, &cgroup, NULL, &err), 0);
	snprintf(path, sizeof(path), "%s/%s.mountinfo", HULL_CGROUP_LAYOUTS, name);
	assert_int_equal(fs_read_file(AT_FDCWD, path, &mountinfo, NULL, &err), 0);
	assert_int_equal(cgroup_hierarchies_parse(cgroup, mountinfo, out, &err), 0);
	free(cgroup);
	free(mountinfo);
}

static const struct cgroup_hierarchy *with(const struct cgroup_hierarchies *all, const char *controller)
{
	for (size_t i = 0; i < all->n; i++)
		if (cgroup_hierarchy_has(&all->list[i], controller))
			return &all->list[i];
	return NULL;
}

static void hierarchies_of_a_systemd_v1_host_with_co_mounts(void **state)
{
	struct cgroup_hierarchies all;
	const struct cgroup_hierarchy *h;

	(void)state;
	load_layout("systemd-v1", &all);
	/* 11 hierarchies; the second mount of name=systemd is not a 12th. */
	assert_int_equal(all.n, 11);
	/* The named hierarchy is name=systemd, never its first option (xattr). */
	h = with(&all, "name=systemd");
	assert_non_null(h);
	assert_string_equal(h->controllers, "name=systemd");
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup/systemd");
	assert_string_equal(h->own_path, "/user.slice/user-1000.slice/session-2.scope");
	assert_string_equal(cgroup_hierarchy_dir_name(h), "systemd");
	assert_null(with(&all, "xattr"));
	h = with(&all, "cpuacct");
	assert_non_null(h);
	assert_ptr_equal(h, with(&all, "cpu"));
	assert_string_equal(h->controllers, "cpu,cpuacct");
	assert_string_equal(h->own_path, "/user.slice");
	assert_string_equal(cgroup_hierarchy_dir_name(h), "cpu,cpuacct");
	assert_ptr_equal(with(&all, "net_prio"), with(&all, "net_cls"));
	assert_string_equal(with(&all, "memory")->own_path, "/user.slice/user-1000.slice/session-2.scope");
	assert_null(with(&all, ""));
	assert_ptr_equal(cgroup_hierarchies_holding(&all, "/sys/fs/cgroup/cpu,cpuacct/x/y"),
			 with(&all, "cpu"));
	assert_null(cgroup_hierarchies_holding(&all, "/sys/fs/cgroup/cpu"));
	cgroup_hierarchies_free(&all);
}

static void hierarchies_of_a_hybrid_host(void **state)
{
	struct cgroup_hierarchies all;
	const struct cgroup_hierarchy *h;

	(void)state;
	load_layout("ubuntu-hybrid", &all);
	assert_int_equal(all.n, 13);
	h = with(&all, "");
	assert_non_null(h);
	assert_true(h->unified);
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup/unified");
	assert_string_equal(h->own_path, "/user.slice/user-1000.slice/session-1.scope");
	assert_string_equal(cgroup_hierarchy_dir_name(h), "unified");
	/* clone_children is an option, not a controller. */
	assert_string_equal(with(&all, "cpuset")->controllers, "cpuset");
	assert_string_equal(with(&all, "name=systemd")->controllers, "name=systemd");
	assert_ptr_equal(cgroup_hierarchies_holding(&all, "/sys/fs/cgroup/unified/a"), h);
	cgroup_hierarchies_free(&all);
}

static void hierarchies_of_a_pure_v2_host(void **state)
{
	struct cgroup_hierarchies all;

	(void)state;
	load_layout("pure-v2", &all);
	assert_int_equal(all.n, 1);
	assert_true(all.list[0].unified);
	assert_string_equal(all.list[0].mountpoint, "/sys/fs/cgroup");
	assert_string_equal(all.list[0].own_path, "/user.slice/user-1000.slice/session-3.scope");
	assert_null(with(&all, "memory"));
	assert_ptr_equal(cgroup_hierarchies_holding(&all, "/sys/fs/cgroup/system.slice/x"), &all.list[0]);
	cgroup_hierarchies_free(&all);
}

static void hierarchies_inside_a_container(void **state)
{
	struct cgroup_hierarchies all;
	char *path;

	(void)state;
	load_layout("container-view", &all);
	assert_int_equal(all.n, 4);
	/* Mounted from the subtree /docker/0123abcd: the caller's cgroup is that mount's root. */
	assert_string_equal(with(&all, "memory")->own_path, "/");
	assert_string_equal(with(&all, "name=systemd")->own_path, "/");
	assert_string_equal(with(&all, "")->own_path, "/");
	path = cgroup_hierarchy_path_of(with(&all, "cpu"), "4:cpu,cpuacct:/docker/0123abcd/sub\n");
	assert_string_equal(path, "/sub");
	free(path);
	path = cgroup_hierarchy_path_of(with(&all, "cpu"), "5:memory:/docker/0123abcd\n");
	assert_string_equal(path, "");
	free(path);
	cgroup_hierarchies_free(&all);
}

static void hierarchies_of_these_machines(void **state)
{
	struct cgroup_hierarchies all;

	(void)state;
	load_layout("these-machines", &all);
	assert_int_equal(all.n, 10);
	assert_string_equal(with(&all, "memory")->own_path, "/process_api/6734f798a77986264ac4d188ace6f09c");
	assert_string_equal(with(&all, "cpu")->controllers, "cpu");
	assert_ptr_not_equal(with(&all, "cpu"), with(&all, "cpuacct"));
	assert_string_equal(with(&all, "")->mountpoint, "/sys/fs/cgroup/unified");
	cgroup_hierarchies_free(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(v2_values_are_converted),
	    cmocka_unit_test(v1_values_are_written_as_given),
	    cmocka_unit_test(conversions_match_crun),
	    cmocka_unit_test(bad_values_are_refused),
	    cmocka_unit_test(missing_controller_is_named),
	    cmocka_unit_test(device_defaults_follow_the_last_wildcard),
	    cmocka_unit_test(systemd_unit_names),
	    cmocka_unit_test(hierarchies_of_a_systemd_v1_host_with_co_mounts),
	    cmocka_unit_test(hierarchies_of_a_hybrid_host),
	    cmocka_unit_test(hierarchies_of_a_pure_v2_host),
	    cmocka_unit_test(hierarchies_inside_a_container),
	    cmocka_unit_test(hierarchies_of_these_machines),
	};
	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
