/* image/: references as Docker users write them, and digests before they become file names. */
#include "unit.h"

#include <stdlib.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/registry_internal.h"
#include "image/runtime_config.h"
#include "util/fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

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

static char img_root[64];

static int make_image_root(void **state)
{
	char path[128];

	(void)state;
	snprintf(img_root, sizeof(img_root), "/tmp/hull-unit-img-XXXXXX");
	assert_non_null(mkdtemp(img_root));
	snprintf(path, sizeof(path), "%s/etc", img_root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", img_root);
	FILE *f = fopen(path, "w");
	fputs("root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\napp:x:1000:1001::/:/bin/sh\n"
	      "minus:x:4294967295:0::/:/bin/sh\nneg:x:-1:0::/:/bin/sh\nword:x:abc:0::/:/bin/sh\n"
	      "badgroup:x:1002:4294967295::/:/bin/sh\n",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/group", img_root);
	f = fopen(path, "w");
	fputs("root:x:0:\nwww:x:33:\napps:x:1001:\naudio:x:29:app,www\nvideo:x:44:app\nallmask:x:4294967295:"
	      "app\n"
	      "nogid:x:xyz:app\n",
	      f);
	fclose(f);
	return 0;
}

static int remove_image_root(void **state)
{
	(void)state;
	fs_remove_tree(AT_FDCWD, img_root, NULL);
	return 0;
}

static json_object *convert(const char *config, struct hull_error **err, int *ret)
{
	json_object *image = json_tokener_parse(config);
	json_object *spec = json_tokener_parse("{\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}");
	int root_fd = open(img_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_non_null(image);
	*ret = image_config_apply(image, root_fd, spec, err);
	close(root_fd);
	json_object_put(image);
	return spec;
}

static const char *at(json_object *o, const char *path)
{
	static char buf[512];
	json_object *cur = o;
	char copy[256], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(cur, json_type_array))
			cur = json_object_array_get_idx(cur, (size_t)atoi(k));
		else if (!json_object_object_get_ex(cur, k, &cur))
			cur = NULL;
	}
	snprintf(buf, sizeof(buf), "%s", cur ? json_object_get_string(cur) : "(none)");
	return buf;
}

static void image_config_becomes_the_process(void **state)
{
	struct hull_error *err = NULL;
	int ret;
	json_object *spec;

	(void)state;
	spec = convert("{\"config\": {\"Entrypoint\": [\"/bin/server\"], \"Cmd\": [\"--port\", \"80\"],"
		       "\"Env\": [\"A=1\"], \"WorkingDir\": \"/srv\", \"User\": \"app\","
		       "\"ExposedPorts\": {\"80/tcp\": {}, \"53/udp\": {}}, \"StopSignal\": \"SIGQUIT\","
		       "\"Labels\": {\"org.example.k\": \"v\"}}}",
		       &err, &ret);
	if (ret < 0)
		fail_msg("%s", err->message);
	assert_string_equal(at(spec, "process.args.0"), "/bin/server");
	assert_string_equal(at(spec, "process.args.2"), "80");
	assert_string_equal(at(spec, "process.env.0"), "A=1");
	assert_true(strncmp(at(spec, "process.env.1"), "PATH=", 5) == 0);
	assert_string_equal(at(spec, "process.cwd"), "/srv");
	assert_string_equal(at(spec, "process.user.uid"), "1000");
	assert_string_equal(at(spec, "process.user.gid"), "1001");
	assert_string_equal(at(spec, "process.user.additionalGids.0"), "29");
	assert_string_equal(at(spec, "process.user.additionalGids.1"), "44");
	/* Groups with ids that are not ids (allmask's -1, nogid's text) grant nothing. */
	assert_string_equal(at(spec, "process.user.additionalGids.2"), "(none)");
	assert_string_equal(at(spec, "annotations.org.opencontainers.image.stopSignal"),
			    "(none)"); /* dotted key */
	json_object *ann = json_object_object_get(spec, "annotations");
	assert_string_equal(
	    json_object_get_string(json_object_object_get(ann, "org.opencontainers.image.stopSignal")),
	    "SIGQUIT");
	assert_string_equal(
	    json_object_get_string(json_object_object_get(ann, "org.opencontainers.image.exposedPorts")),
	    "80/tcp,53/udp");
	assert_string_equal(json_object_get_string(json_object_object_get(ann, "org.example.k")), "v");
	json_object_put(spec);

	/* uid:group, uid alone (its passwd entry gives the group), a number without an entry. */
	spec = convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"33:apps\"}}", &err, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(at(spec, "process.user.uid"), "33");
	assert_string_equal(at(spec, "process.user.gid"), "1001");
	json_object_put(spec);
	spec = convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"33\"}}", &err, &ret);
	assert_string_equal(at(spec, "process.user.gid"), "33");
	json_object_put(spec);
	spec = convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"4242:7\"}}", &err, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(at(spec, "process.user.uid"), "4242");
	assert_string_equal(at(spec, "process.user.gid"), "7");
	json_object_put(spec);
}

static void image_config_errors_and_hostile_passwd(void **state)
{
	struct hull_error *err = NULL;
	int ret;
	char path[128];

	(void)state;
	json_object_put(convert("{\"config\": {}}", &err, &ret));
	assert_fails_with(ret, err, "nothing to run");
	json_object_put(convert("{\"config\": {\"Cmd\": [1]}}", &err, &ret));
	assert_fails_with(ret, err, "Cmd[0]");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"nobody-here\"}}", &err, &ret));
	assert_fails_with(ret, err, "no such user");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"app:nogroup\"}}", &err, &ret));
	assert_fails_with(ret, err, "no such group");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"WorkingDir\": \"srv\"}}", &err, &ret));
	assert_fails_with(ret, err, "absolute");
	/* (uid_t)-1 means "unchanged" to setuid: as a number, or from the image's passwd, it is refused, and
	 * ids that are not numbers are never read as 0. */
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"4294967295\"}}", &err, &ret));
	assert_fails_with(ret, err, "4294967295 is not a valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"0:4294967295\"}}", &err, &ret));
	assert_fails_with(ret, err, "gid 4294967295 is not a valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"99999999999\"}}", &err, &ret));
	assert_fails_with(ret, err, "not a valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"minus\"}}", &err, &ret));
	assert_fails_with(ret, err, "no valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"neg\"}}", &err, &ret));
	assert_fails_with(ret, err, "no valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"word\"}}", &err, &ret));
	assert_fails_with(ret, err, "no valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"badgroup\"}}", &err, &ret));
	assert_fails_with(ret, err, "no valid id");
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"app:allmask\"}}", &err, &ret));
	assert_fails_with(ret, err, "no valid id");
	/* /etc/passwd as a symlink to the host's: read inside the root, where it leads nowhere, so a user
	 * that exists only on the host is not found. */
	snprintf(path, sizeof(path), "%s/etc/passwd", img_root);
	unlink(path);
	assert_int_equal(symlink("/../../../../etc/passwd", path), 0);
	json_object_put(convert("{\"config\": {\"Cmd\": [\"x\"], \"User\": \"root\"}}", &err, &ret));
	assert_fails_with(ret, err, "no such user");
}

#define DESC(type, extra) "{\"mediaType\": \"" type "\", \"digest\": \"" D64 "\", \"size\": 10" extra "}"

static void manifests_and_indexes(void **state)
{
	struct hull_error *err = NULL;
	struct manifest m;
	const struct descriptor *d;
	const char *index =
	    "{\"schemaVersion\": 2, \"mediaType\": \"" MEDIA_OCI_INDEX "\", \"manifests\": [" DESC(
		MEDIA_OCI_MANIFEST,
		", \"platform\": {\"os\": \"linux\", "
		"\"architecture\": \"arm64\", \"variant\": "
		"\"v8\"}") "," DESC(MEDIA_OCI_MANIFEST,
				    ", \"platform\": {\"os\": \"linux\", \"architecture\": \"amd64\"}") "]}";
	const char *image =
	    "{\"schemaVersion\": 2, \"mediaType\": \"" MEDIA_DOCKER_MANIFEST "\", \"config\": " DESC(
		"application/vnd.docker.container.image.v1+json",
		"") ", \"layers\": [" DESC("application/vnd.docker.image.rootfs.diff.tar.gzip", "") "]}";

	(void)state;
	assert_non_null(strstr(manifest_accept, MEDIA_OCI_INDEX));
	assert_non_null(strstr(manifest_accept, MEDIA_DOCKER_MANIFEST));
	assert_int_equal(manifest_parse(index, strlen(index), MEDIA_OCI_INDEX "; charset=utf-8", &m, &err),
			 0);
	assert_int_equal(m.kind, MANIFEST_INDEX);
	assert_int_equal(m.n_manifests, 2);
	assert_int_equal(manifest_select(&m, "linux", "amd64", NULL, &d, &err), 0);
	assert_ptr_equal(d, &m.manifests[1]);
	assert_int_equal(manifest_select(&m, "linux", "arm64", "v8", &d, &err), 0);
	assert_fails_with(manifest_select(&m, "linux", "s390x", NULL, &d, &err), err,
			  "linux/arm64/v8, linux/amd64");
	manifest_free(&m);
	assert_int_equal(manifest_parse(image, strlen(image), NULL, &m, &err), 0);
	assert_int_equal(m.kind, MANIFEST_IMAGE);
	assert_int_equal(m.n_layers, 1);
	assert_int_equal(m.config.size, 10);
	manifest_free(&m);
	/* The registry's type and the document's must agree. */
	assert_fails_with(manifest_parse(image, strlen(image), MEDIA_OCI_INDEX, &m, &err), err,
			  "the registry sent");
}

static void bad_manifests_are_refused(void **state)
{
	static const struct {
		const char *text, *needle;
	} cases[] = {
	    {"[]", "object"},
	    {"{\"schemaVersion\": 1}", "schemaVersion"},
	    {"{\"schemaVersion\": 2, \"mediaType\": \"text/html\", \"layers\": []}", "not an image manifest"},
	    {"{\"schemaVersion\": 2, \"mediaType\": \"" MEDIA_OCI_INDEX "\", \"layers\": []}",
	     "must have manifests"},
	    {"{\"schemaVersion\": 2, \"mediaType\": \"" MEDIA_OCI_MANIFEST "\", \"manifests\": []}",
	     "must have config"},
	    {"{\"schemaVersion\": 2, \"config\": " DESC(
		 "application/vnd.oci.image.config.v1+json",
		 "") ", \"layers\": [{\"mediaType\": \"application/vnd.oci.image.layer.v1.tar\", \"digest\": "
		     "\"sha256:../../x\", \"size\": 1}]}",
	     "layers[0]"},
	    {"{\"schemaVersion\": 2, \"config\": " DESC("application/vnd.oci.image.config.v1+json",
							"") ", \"layers\": [" DESC("application/x-evil",
										   "") "]}",
	     "not a layer"},
	    {"{\"schemaVersion\": 2, \"config\": " DESC("text/plain", "") ", \"layers\": []}",
	     "not an image config"},
	    {"{\"schemaVersion\": 2, \"config\": {\"mediaType\": "
	     "\"application/vnd.oci.image.config.v1+json\", \"digest\": \"" D64
	     "\", \"size\": -1}, \"layers\": []}",
	     "size"},
	};
	struct hull_error *err = NULL;
	struct manifest m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_fails_with(manifest_parse(cases[i].text, strlen(cases[i].text), NULL, &m, &err), err,
				  cases[i].needle);
}

/* A registry names its token service: a realm on another scheme than http(s), or plain HTTP for a
 * registry reached over TLS, is refused before anything is sent there.  (Nothing listens on port 1: a
 * realm that is allowed fails to connect, which is another message.) */
static void token_realms_that_would_leak_credentials_are_refused(void **state)
{
	struct registry_options o = {.username = "hull", .password = "secret"};
	struct registry *tls = NULL, *loop = NULL;
	struct hull_error *err = NULL;

	(void)state;
	assert_int_equal(registry_global_init(&err), 0);
	assert_int_equal(registry_open("registry.example", &o, &tls, &err), 0);
	assert_fails_with(registry_authenticate(tls, "Bearer realm=\"http://127.0.0.1:1/token\"", "s", &err),
			  err, "plain HTTP for a registry reached over HTTPS");
	assert_fails_with(registry_authenticate(tls, "Bearer realm=\"file:///etc/passwd\"", "s", &err), err,
			  "not an http or https URL");
	assert_fails_with(registry_authenticate(tls, "Bearer realm=\"ftp://127.0.0.1:1/t\"", "s", &err), err,
			  "not an http or https URL");
	assert_fails_with(registry_authenticate(tls, "Bearer realm=\"https://127.0.0.1:1/token\"", "s", &err),
			  err, "token service `https://127.0.0.1:1/token`");
	/* A plain HTTP registry (loopback) may have a plain HTTP token service. */
	assert_int_equal(registry_open("127.0.0.1:5", &o, &loop, &err), 0);
	assert_fails_with(registry_authenticate(loop, "Bearer realm=\"http://127.0.0.1:1/token\"", "s", &err),
			  err, "token service `http://127.0.0.1:1/token`");
	registry_free(&tls);
	registry_free(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(references_normalise_like_docker),
	    cmocka_unit_test(bad_references_are_refused),
	    cmocka_unit_test(digests_are_checked_before_use),
	    cmocka_unit_test(manifests_and_indexes),
	    cmocka_unit_test(bad_manifests_are_refused),
	    cmocka_unit_test(token_realms_that_would_leak_credentials_are_refused),
	    cmocka_unit_test_setup_teardown(image_config_becomes_the_process, make_image_root,
					    remove_image_root),
	    cmocka_unit_test_setup_teardown(image_config_errors_and_hostile_passwd, make_image_root,
					    remove_image_root),
	};
	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
