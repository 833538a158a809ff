/* image/: references as Docker users write them, and digests before they become file names. */
#include "unit.h"

#include <stdlib.h>

#include "image/digest.h"
#include "image/reference.h"

static void check(const char *text, const char *domain, const char *repo, const char *tag, const char *digest,
		  const char *canonical)
{
	struct hull_error *err = NULL;
	struct image_ref r;
	char *s;

	if (image_ref_parse(text, &r, &err) < 0)
		fail_msg("`%s`: %s", text, err->message);
	assert_string_equal(r.domain, domain);
	assert_string_equal(r.repository, repo);
	if (tag)
		assert_string_equal(r.tag, tag);
	else
		assert_null(r.tag);
	if (digest)
		assert_string_equal(r.digest, digest);
	else
		assert_null(r.digest);
	s = image_ref_format(&r);
	assert_string_equal(s, canonical);
	free(s);
	image_ref_free(&r);
}

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void references_normalise_like_docker(void **state)
{
	(void)state;
	check("alpine", "docker.io", "library/alpine", "latest", NULL, "docker.io/library/alpine:latest");
	check("alpine:3.20", "docker.io", "library/alpine", "3.20", NULL, "docker.io/library/alpine:3.20");
	check("library/alpine", "docker.io", "library/alpine", "latest", NULL,
	      "docker.io/library/alpine:latest");
	check("docker.io/x/y:tag", "docker.io", "x/y", "tag", NULL, "docker.io/x/y:tag");
	check("index.docker.io/alpine", "docker.io", "library/alpine", "latest", NULL,
	      "docker.io/library/alpine:latest");
	check("localhost:5000/ns/name@" D64, "localhost:5000", "ns/name", NULL, D64,
	      "localhost:5000/ns/name@" D64);
	check("127.0.0.1:5000/a/b/c:v1.2_x-y@" D64, "127.0.0.1:5000", "a/b/c", "v1.2_x-y", D64,
	      "127.0.0.1:5000/a/b/c:v1.2_x-y@" D64);
	check("localhost/x", "localhost", "x", "latest", NULL, "localhost/x:latest");
	check("[::1]:5000/x", "[::1]:5000", "x", "latest", NULL, "[::1]:5000/x:latest");
	check("Registry/x", "Registry", "x", "latest", NULL, "Registry/x:latest");
	check("a__b/c-d--e.f_g", "docker.io", "a__b/c-d--e.f_g", "latest", NULL,
	      "docker.io/a__b/c-d--e.f_g:latest");
	/* As Docker: without a slash, a colon is a tag. */
	check("localhost:5000", "docker.io", "library/localhost", "5000", NULL,
	      "docker.io/library/localhost:5000");

	struct image_ref r;
	struct hull_error *err = NULL;
	assert_int_equal(image_ref_parse("alpine", &r, &err), 0);
	assert_string_equal(image_ref_registry_host(&r), "registry-1.docker.io");
	image_ref_free(&r);
	assert_int_equal(image_ref_parse("localhost:5000/x", &r, &err), 0);
	assert_string_equal(image_ref_registry_host(&r), "localhost:5000");
	image_ref_free(&r);
}

static void bad_references_are_refused(void **state)
{
	static const struct {
		const char *text, *needle;
	} cases[] = {
	    {"", "empty"},
	    {"Alpine", "repository"},
	    {"alpine:", "tag"},
	    {"alpine:-x", "tag"},
	    {"alpine@sha256:abc", "digest"},
	    {"alpine@md5:0123456789abcdef0123456789abcdef", "digest"},
	    {"/alpine", "repository"},
	    {"alpine/", "repository"},
	    {"a//b", "repository"},
	    {"a/../b", "repository"},
	    {"-a/b", "repository"},
	    {"a_/b", "repository"},
	    {"a___b", "repository"},
	    {"host:port/x", "registry"},
	    {"-bad.host/x", "registry"},
	    {"host:123456/x", "registry"},
	    {"[zz]:5000/x", "registry"},
	    {":tag", "no repository"},
	    {"@" D64, "no repository"},
	};
	struct hull_error *err = NULL;
	struct image_ref r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_fails_with(image_ref_parse(cases[i].text, &r, &err), err, cases[i].needle);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_fails_with(image_ref_parse(longname, &r, &err), err, "255");
	/* Short enough as written, too long once docker.io/library/ is added. */
	longname[250] = '\0';
	assert_fails_with(image_ref_parse(longname, &r, &err), err, "with its registry");
	/* Unprintable input is not echoed into the one-line message. */
	assert_fails_with(image_ref_parse("a\nb", &r, &err), err, "image reference:");
}

static void digests_are_checked_before_use(void **state)
{
	struct hull_error *err = NULL;

	(void)state;
	assert_int_equal(digest_validate(D64, &err), 0);
	assert_fails_with(digest_validate("sha256:../../../etc/passwd", &err), err, "hex");
	assert_fails_with(
	    digest_validate("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", &err),
	    err, "lower-case");
	assert_fails_with(digest_validate(D64 "0", &err), err, "hex");
	assert_fails_with(digest_validate("sha1:0123", &err), err, "algorithm");
	assert_fails_with(digest_validate(NULL, &err), err, "missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(references_normalise_like_docker),
	    cmocka_unit_test(bad_references_are_refused),
	    cmocka_unit_test(digests_are_checked_before_use),
	};
	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
