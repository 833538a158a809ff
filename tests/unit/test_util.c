/* util/: the error convention, id validation, typed JSON field access and directory creation. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"

#include "util/id.h"
#include "util/json.h"
#include "util/passwd.h"
#include "util/timefmt.h"

static void error_chain_reads_outside_in(void **state)
{
	struct hull_error *err = NULL;
	int ret = hull_error_set(&err, ENOENT, "open `%s`", "/x");

	assert_int_equal(ret, -ENOENT);
	ret = hull_error_wrap(&err, "create `%s`", "web");
	assert_int_equal(ret, -ENOENT);
	assert_string_equal(err->message, "create `web`: open `/x`: No such file or directory");
	hull_error_free(&err);
	assert_null(err);
}

static void error_fail_does_not_repeat_the_cause(void **state)
{
	struct hull_error *err = NULL;

	assert_int_equal(hull_error_invalid(&err, "bad `%s`", "thing"), -EINVAL);
	assert_string_equal(err->message, "bad `thing`");
	hull_error_free(&err);
	assert_int_equal(hull_error_set(NULL, EPERM, "ignored"), -EPERM);
}

static void ids_like_runc(void **state)
{
	struct hull_error *err = NULL;
	const char *good[] = {"a", "web-1", "A_b.c+d", "0123456789abcdef"};
	char long_id[HULL_ID_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(id_validate(good[i], &err), 0);
	assert_fails_with(id_validate("", &err), err, "empty");
	assert_fails_with(id_validate("a/b", &err), err, "'/'");
	assert_fails_with(id_validate("..", &err), err, "..");
	assert_fails_with(id_validate(".", &err), err, "`.`");
	assert_fails_with(id_validate("a\x01", &err), err, "0x01");
	assert_fails_with(id_validate("a b", &err), err, "not allowed");
	assert_fails_with(id_validate("a\nb", &err), err, "not allowed");
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_fails_with(id_validate(long_id, &err), err, "long");
}

static void json_fields_are_typed(void **state)
{
	struct hull_error *err = NULL;
	json_object *doc = NULL, *obj = NULL;
	const char *s = NULL;
	int64_t n = 0;
	uint32_t u = 0;
	bool b = false;
	const char **v = NULL;
	size_t count = 0;
	const char *text = "{\"s\":\"x\",\"n\":-5,\"u\":4294967296,\"b\":true,\"v\":[\"a\",1],\"o\":{}}";

	assert_int_equal(json_parse_text(text, strlen(text), "test", &doc, &err), 0);
	assert_int_equal(json_field_string(doc, "", "s", &s, &err), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_field_int64(doc, "", "n", -10, 10, &n, &err), 0);
	assert_int_equal(n, -5);
	assert_fails_with(json_field_int64(doc, "", "n", 0, 10, &n, &err), err, "out of range");
	assert_fails_with(json_field_uint32(doc, "", "u", &u, &err), err, "u");
	assert_int_equal(json_field_bool(doc, "", "b", &b, &err), 0);
	assert_true(b);
	assert_fails_with(json_field_string(doc, "process", "b", &s, &err), err, "process.b");
	s = "unchanged";
	assert_int_equal(json_field_string(doc, "", "missing", &s, &err), 0);
	assert_string_equal(s, "unchanged");
	assert_fails_with(json_field_strv(doc, "", "v", &v, &count, &err), err, "v[1]");
	assert_int_equal(json_field_object(doc, "", "o", &obj, &err), 0);
	assert_fails_with(json_field_object(doc, "", "s", &obj, &err), err, "object");
	json_object_put(doc);
	assert_fails_with(json_parse_text("{\"a\":", 5, "config.json", &doc, &err), err, "config.json");
}

static void mkdir_parents_creates_only_what_is_missing(void **state)
{
	char base[] = "/tmp/hull-unit-XXXXXX";
	char path[256], file[256];
	struct hull_error *err = NULL;
	struct stat st;

	assert_non_null(mkdtemp(base));
	snprintf(path, sizeof(path), "%s/a/b/c", base);
	assert_int_equal(fs_mkdir_parents(path, 0700, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Existing: nothing to do. Partly existing: only the rest. */
	assert_int_equal(fs_mkdir_parents(path, 0700, &err), 0);
	snprintf(path, sizeof(path), "%s/a/b/d/e", base);
	assert_int_equal(fs_mkdir_parents(path, 0700, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	/* A file in the way is an error naming the path. */
	snprintf(file, sizeof(file), "%s/a/f", base);
	fclose(fopen(file, "w"));
	snprintf(path, sizeof(path), "%s/a/f/g", base);
	assert_fails_with(fs_mkdir_parents(path, 0700, &err), err, "a/f");
	snprintf(path, sizeof(path), "rm -rf %s", base);
	assert_int_equal(system(path), 0);
}

static void passwd_lines_of_any_shape(void **state)
{
	struct passwd_line line;
	char big[3000];
	const char *text;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* A line too long to hold is skipped whole, never cut into a false match. */
	char *doc = NULL;
	assert_true(asprintf(&doc, "%s:x:7:7::/long:\nshort::7\nweb:x:1000:100:Web:/srv/web:/bin/sh", big) >
		    0);
	assert_true(passwd_find(doc, 2, "7", &line));
	assert_string_equal(line.field[0], "short");
	assert_string_equal(line.field[1], "");
	assert_null(line.field[3]);
	assert_true(passwd_find(doc, 0, "web", &line));
	assert_string_equal(line.field[5], "/srv/web");
	assert_false(passwd_find(doc, 0, "nobody", &line));
	assert_false(passwd_find(doc, 9, "web", &line));
	free(doc);
	text = "::::::::::\n\n:\nroot";
	assert_true(passwd_find(text, 0, "root", &line));
	assert_null(line.field[1]);
	assert_false(passwd_find("", 0, "", &line));
}

static void passwd_home_refuses_what_is_not_a_small_file(void **state)
{
	char dir[] = "/tmp/hull-unit-XXXXXX", path[64], home[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/passwd", dir);
	FILE *f = fopen(path, "w");
	fputs("root:x:0:0:root:/root:/bin/sh\nu:x:5:5::relative:/bin/sh\n", f);
	fclose(f);
	passwd_home(path, 0, home, sizeof(home));
	assert_string_equal(home, "/root");
	passwd_home(path, 5, home, sizeof(home)); /* not absolute: "/" */
	assert_string_equal(home, "/");
	passwd_home(path, 99, home, sizeof(home));
	assert_string_equal(home, "/");
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0); /* must not block */
	passwd_home(path, 0, home, sizeof(home));
	assert_string_equal(home, "/");
	unlink(path);
	rmdir(dir);
}

static void times_as_docker_logs_takes_them(void **state)
{
	int64_t ns, now;
	struct timespec ts;

	assert_int_equal(timefmt_parse("2026-12-02T13:53:01.032157795Z", &ns), 0);
	assert_true(ns == 1796219581032157795LL);
	assert_int_equal(timefmt_parse("2026-12-02T14:53:01+01:00", &ns), 0);
	assert_true(ns == 1796219581000000000LL);
	assert_int_equal(timefmt_parse("2026-12-02", &ns), 0);
	assert_true(ns == 1796169600000000000LL);
	assert_int_equal(timefmt_parse("2026-12-02T13:53Z", &ns), 0);
	assert_true(ns == 1796219580000000000LL);
	for (const char *const *bad = (const char *const[]){"", "2026-12-02T", "2026-12-02T13:53:01Zx",
							    "2026-12-02T13:53:01+1", "yesterday", NULL};
	     *bad; bad++)
		assert_int_equal(timefmt_parse(*bad, &ns), -EINVAL);
	assert_int_equal(timefmt_parse_when("1764683581.5", &ns), 0);
	assert_true(ns == 1764683581500000000LL);
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	assert_int_equal(timefmt_parse_when("1h30m", &ns), 0);
	assert_true(now - ns > 5399000000000LL && now - ns <= 5400000000000LL);
	assert_int_equal(timefmt_parse_when("250ms", &ns), 0);
	assert_true(now - ns > -750000000LL && now - ns <= 250000000LL);
	for (const char *const *bad = (const char *const[]){"10x", "m", "-5m", "1h30", NULL}; *bad; bad++)
		assert_int_equal(timefmt_parse_when(*bad, &ns), -EINVAL);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(error_chain_reads_outside_in),
	    cmocka_unit_test(error_fail_does_not_repeat_the_cause),
	    cmocka_unit_test(ids_like_runc),
	    cmocka_unit_test(times_as_docker_logs_takes_them),
	    cmocka_unit_test(json_fields_are_typed),
	    cmocka_unit_test(mkdir_parents_creates_only_what_is_missing),
	    cmocka_unit_test(passwd_lines_of_any_shape),
	    cmocka_unit_test(passwd_home_refuses_what_is_not_a_small_file),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
