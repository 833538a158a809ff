/* oci/: config.json parsing and validation, and the default spec. */
#include "unit.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "oci/default.h"
#include "oci/spec.h"

/* A minimal valid config with `extra` spliced into the top-level object and `linux_extra` into "linux". */
static int parse_with(const char *extra, const char *linux_extra, struct oci_spec **spec,
		      struct hull_error **err)
{
	char *text = NULL;
	int ret;

	if (asprintf(&text,
		     "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		     "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}%s%s"
		     ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"}]"
		     "%s%s}}",
		     *extra ? "," : "", extra, *linux_extra ? "," : "", linux_extra) < 0)
		return -ENOMEM;
	ret = oci_spec_parse(text, strlen(text), spec, err);
	free(text);
	return ret;
}

static void minimal_config_parses(void **state)
{
	struct hull_error *err = NULL;
	struct oci_spec *spec = NULL;

	if (parse_with("\"hostname\":\"h\"",
		       "\"maskedPaths\":[\"/proc/kcore\"],\"sysctl\":{\"kernel.hostname\":\"h\"}", &spec,
		       &err) < 0)
		fail_msg("%s", err->message);
	assert_string_equal(spec->root_path, "rootfs");
	assert_string_equal(spec->hostname, "h");
	assert_int_equal(spec->process->n_args, 1);
	assert_int_equal(spec->linux_.n_namespaces, 3);
	assert_non_null(oci_spec_namespace(spec, CLONE_NEWPID));
	assert_null(oci_spec_namespace(spec, CLONE_NEWNET));
	assert_int_equal(spec->linux_.n_masked_paths, 1);
	oci_spec_free(spec);
}

static void bad_configs_are_refused_with_their_location(void **state)
{
	static const struct {
		const char *extra, *linux_extra, *needle;
	} cases[] = {
	    {"\"hostname\":5", "", "hostname"},
	    {"\"mounts\":[{\"destination\":\"proc\",\"type\":\"proc\"}]", "", "mounts[0].destination"},
	    {"\"mounts\":[{\"type\":\"proc\"}]", "", "mounts[0]"},
	    {"\"hooks\":{\"prestart\":[{\"path\":\"x\"}]}", "", "hooks.prestart[0].path"},
	    {"\"hooks\":{\"prestart\":[{\"path\":\"/x\",\"timeout\":0}]}", "", "timeout"},
	    {"", "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"bogus\"}]", "bogus"},
	    {"", "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]", "pid"},
	    {"\"hostname\":\"a\"", "\"sysctl\":{\"kernel.hostname\":\"b\"}", "conflicts with hostname"},
	    {"", "\"devices\":[{\"path\":\"/dev/x/\",\"type\":\"c\",\"major\":1,\"minor\":3}]", "not end in"},
	    {"", "\"namespaces\":[{\"type\":\"network\",\"path\":\"run/netns/x\"}]", "namespaces[0].path"},
	    {"", "\"maskedPaths\":[\"proc/kcore\"]", "maskedPaths[0]"},
	    {"", "\"devices\":[{\"path\":\"/dev/x\",\"type\":\"q\"}]", "devices[0]"},
	    {"", "\"rootfsPropagation\":\"sideways\"", "rootfsPropagation"},
	    {"", "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]", "user namespace"},
	    {"", "\"sysctl\":{\"kernel.panic\":\"1\"}", "linux.sysctl.kernel.panic"},
	    {"", "\"sysctl\":{\"vm/overcommit_memory\":\"1\"}", "vm/overcommit_memory"},
	    {"", "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}", "network namespace"},
	    {"", "\"sysctl\":{\"kernel.shmmax\":\"1\"}", "ipc namespace"},
	    {"", "\"sysctl\":{\"fs/mqueue/msg_max\":\"1\"}", "ipc namespace"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hull_error *err = NULL;
		struct oci_spec *spec = NULL;
		int ret = parse_with(cases[i].extra, cases[i].linux_extra, &spec, &err);
		if (ret == 0)
			fail_msg("case %zu (%s %s) was accepted", i, cases[i].extra, cases[i].linux_extra);
		assert_null(spec);
		assert_fails_with(ret, err, cases[i].needle);
	}
}

static void top_level_errors(void **state)
{
	static const struct {
		const char *text, *needle;
	} cases[] = {
	    {"", "JSON"},
	    {"{", "JSON"},
	    {"[]", "object"},
	    {"{\"root\":{\"path\":\"r\"}}", "ociVersion"},
	    {"{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}", "2.0.0"},
	    {"{\"ociVersion\":\"1.0.0\"}", "root"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\"}}", "root.path"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[],\"cwd\":\"/\"}}",
	     "process.args"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":"
	     "\"x\"}}",
	     "process.cwd"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/"
	     "\","
	     "\"env\":[\"NOEQUALS\"]}}",
	     "process.env[0]"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/"
	     "\","
	     "\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]}}",
	     "RLIMIT_BOGUS"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/"
	     "\","
	     "\"user\":{\"uid\":-1,\"gid\":0}}}",
	     "process.user.uid"},
	    /* (uid_t)-1 leaves the ids unchanged (root): refused for uid, gid and additional groups. */
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/"
	     "\",\"user\":{\"uid\":4294967295,\"gid\":0}}}",
	     "process.user.uid: 4294967295 is (uid_t)-1"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/"
	     "\",\"user\":{\"uid\":1000,\"gid\":4294967295}}}",
	     "process.user.gid: 4294967295 is (uid_t)-1"},
	    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/"
	     "\",\"user\":{\"uid\":1000,\"gid\":1000,\"additionalGids\":[5,4294967295]}}}",
	     "additionalGids[1]"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hull_error *err = NULL;
		struct oci_spec *spec = NULL;
		int ret = oci_spec_parse(cases[i].text, strlen(cases[i].text), &spec, &err);
		if (ret == 0)
			fail_msg("case %zu (%s) was accepted", i, cases[i].text);
		assert_fails_with(ret, err, cases[i].needle);
	}
}

static void default_specs_parse(void **state)
{
	for (int rootless = 0; rootless <= 1; rootless++) {
		struct hull_error *err = NULL;
		struct oci_spec *spec = NULL;
		json_object *doc = oci_default_config(rootless);
		const char *text;

		assert_non_null(doc);
		text = json_object_to_json_string(doc);
		if (oci_spec_parse(text, strlen(text), &spec, &err) < 0)
			fail_msg("default spec (rootless %d): %s", rootless, err->message);
		assert_non_null(oci_spec_namespace(spec, CLONE_NEWPID));
		assert_true((oci_spec_namespace(spec, CLONE_NEWUSER) != NULL) == rootless);
		oci_spec_free(spec);
		json_object_put(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(minimal_config_parses),
	    cmocka_unit_test(bad_configs_are_refused_with_their_location),
	    cmocka_unit_test(top_level_errors),
	    cmocka_unit_test(default_specs_parse),
	};
	return cmocka_run_group_tests_name("oci", tests, NULL, NULL);
}
