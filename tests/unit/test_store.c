/* The store's building blocks: chain ids, blob verification and resumable writes, layer commits, and the
 * credentials files shared with podman and Docker. */
#include "unit.h"

#include <limits.h>
#include <sys/xattr.h>

#include "image/bundle.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "image/auth_file.h"
#include "image/digest.h"
#include "image/local_image.h"
#include "image/store.h"
#include "util/fs.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hull-unit-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(AT_FDCWD, dir, NULL);
	return 0;
}

static void chain_ids_follow_the_image_spec(void **state)
{
	char a[DIGEST_MAX], b[DIGEST_MAX], chain[DIGEST_MAX], expect[DIGEST_MAX];
	const char *joined;

	(void)state;
	digest_buffer("one", 3, NULL, a);
	digest_buffer("two", 3, NULL, b);
	digest_chain_id(NULL, a, chain);
	assert_string_equal(chain, a); /* the first layer's chain id is its diff id */
	digest_chain_id(a, b, chain);
	joined = "sha256:7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed "
		 "sha256:3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3";
	assert_string_equal(a, "sha256:7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed");
	digest_buffer(joined, strlen(joined), NULL, expect);
	assert_string_equal(chain, expect);
	digest_buffer("x", 1, "sha512:", a);
	assert_int_equal(strlen(a), 7 + 128);
}

static void config_diff_ids_must_match_the_layers(void **state)
{
	struct hull_error *err = NULL;
	char(*chain)[DIGEST_MAX] = NULL;
	json_object *config = json_tokener_parse(
	    "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": "
	    "[\"sha256:7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed\"]}}");

	(void)state;
	assert_fails_with(local_image_chain_ids(config, 2, &chain, &err), err, "1 diff ids for 2 layers");
	assert_int_equal(local_image_chain_ids(config, 1, &chain, &err), 0);
	free(chain);
	json_object_put(config);
	config = json_tokener_parse("{\"rootfs\": {\"diff_ids\": [\"sha256:../../etc\"]}}");
	assert_fails_with(local_image_chain_ids(config, 1, &chain, &err), err, "diff id 0");
	json_object_put(config);
}

static void blobs_are_verified_and_downloads_resume(void **state)
{
	struct hull_error *err = NULL;
	struct store *s = NULL;
	struct blob_writer w;
	char path[128], digest[DIGEST_MAX], *text = NULL;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(store_open(path, false, &s, &err), 0);
	digest_buffer("hello world", 11, NULL, digest);
	assert_fails_with(store_blob_put(s, digest, "hello there", 11, &err), err, "content has digest");
	assert_false(store_has_blob(s, digest));
	assert_fails_with(store_blob_put(s, "sha256:../../x", "x", 1, &err), err, "hex digits");

	/* A download cut off after "hello ": the next writer continues after it. */
	assert_int_equal(store_blob_begin(s, digest, 11, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "hello ", 6, &err), 0);
	store_blob_close(&w);
	assert_int_equal(store_blob_begin(s, digest, 11, &w, &err), 0);
	assert_int_equal(w.have, 6);
	assert_int_equal(store_blob_write(&w, "world", 5, &err), 0);
	assert_int_equal(store_blob_commit(s, &w, 11, &err), 0);
	store_blob_close(&w);
	assert_true(store_has_blob(s, digest));
	assert_int_equal(store_blob_read(s, digest, 100, &text, &len, &err), 0);
	assert_string_equal(text, "hello world");
	free(text);
	/* Complete already: nothing to write. */
	assert_int_equal(store_blob_begin(s, digest, 11, &w, &err), 1);

	/* The wrong size or content is refused and not kept for resuming. */
	digest_buffer("abc", 3, NULL, digest);
	assert_int_equal(store_blob_begin(s, digest, 3, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "abd", 3, &err), 0);
	assert_fails_with(store_blob_commit(s, &w, 3, &err), err, "content has digest");
	store_blob_close(&w);
	assert_int_equal(store_blob_begin(s, digest, 4, &w, &err), 0);
	assert_int_equal(w.have, 0);
	assert_int_equal(store_blob_write(&w, "abc", 3, &err), 0);
	assert_fails_with(store_blob_commit(s, &w, 4, &err), err, "3 bytes where the manifest says 4");
	store_blob_close(&w);

	/* Nothing past the descriptor's size reaches the disk, and such a file is not kept. */
	assert_int_equal(store_blob_begin(s, digest, 3, &w, &err), 0);
	assert_int_equal(store_blob_write(&w, "ab", 2, &err), 0);
	assert_fails_with(store_blob_write(&w, "cd", 2, &err), err,
			  "more than the 3 bytes its descriptor gives");
	assert_int_equal(w.have, 2);
	store_blob_close(&w);
	assert_int_equal(store_blob_begin(s, digest, 3, &w, &err), 0);
	assert_int_equal(w.have, 0);
	assert_int_equal(store_blob_write(&w, "ab", 2, &err), 0);
	store_blob_close(&w);
	/* A partial file longer than the blob starts over; a restart empties it. */
	assert_int_equal(store_blob_begin(s, digest, 1, &w, &err), 0);
	assert_int_equal(w.have, 0);
	assert_int_equal(store_blob_write(&w, "a", 1, &err), 0);
	assert_int_equal(store_blob_restart(&w, &err), 0);
	assert_int_equal(w.have, 0);
	assert_int_equal(store_blob_write(&w, "abc", 3, &err), -EFBIG);
	hull_error_free(&err);
	store_blob_close(&w);
	store_free(&s);
}

static void a_layer_committed_twice_keeps_the_first(void **state)
{
	struct hull_error *err = NULL;
	struct store *s = NULL;
	char path[128], *tmp1 = NULL, *tmp2 = NULL, chain[DIGEST_MAX];
	int fd1 = -1, fd2 = -1;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(store_open(path, false, &s, &err), 0);
	digest_buffer("layer", 5, NULL, chain);
	assert_int_equal(store_layer_begin(s, &tmp1, &fd1, &err), 0);
	assert_int_equal(store_layer_begin(s, &tmp2, &fd2, &err), 0);
	assert_int_equal(mkdirat(fd1, "first", 0755), 0);
	assert_int_equal(mkdirat(fd2, "second", 0755), 0);
	assert_int_equal(store_layer_commit(s, tmp1, chain, &err), 0);
	assert_int_equal(store_layer_commit(s, tmp2, chain, &err), 0);
	assert_true(store_has_layer(s, chain));
	snprintf(path, sizeof(path), "%s/store/layers/%s/diff/first", dir, digest_hex(chain));
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/store/%s", dir, tmp2);
	assert_int_not_equal(access(path, F_OK), 0); /* the loser's copy is gone */
	close(fd1);
	close(fd2);
	free(tmp1);
	free(tmp2);
	store_free(&s);
}

/* A layer whose root is opaque hides the layers under it: they are left out of the bundle's lowerdir, as
 * export (which applies the layers in order) leaves out their files. */
static void an_opaque_layer_root_ends_the_lower_layers(void **state)
{
	struct hull_error *err = NULL;
	struct store *s = NULL;
	char path[PATH_MAX], chains[3][DIGEST_MAX];
	struct local_image img = {.manifest = {.n_layers = 3}, .chain_ids = chains};
	char *lower;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(store_open(path, false, &s, &err), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(chains[i], DIGEST_MAX, "sha256:%064d", i + 1);
		snprintf(path, sizeof(path), "%s/store/layers/%064d/diff", dir, i + 1);
		assert_int_equal(fs_mkdir_parents(path, 0755, &err), 0);
	}
	lower = image_bundle_lower_dirs(s, &img);
	assert_string_equal(
	    lower, "layers/"
		   "00000000000000000000000000000000000000000000000000000000000000"
		   "03/diff:layers/0000000000000000000000000000000000000000000000000000000000000002/diff:"
		   "layers/0000000000000000000000000000000000000000000000000000000000000001/diff");
	free(lower);
	snprintf(path, sizeof(path), "%s/store/layers/%064d/diff", dir, 2);
	assert_int_equal(setxattr(path, "trusted.overlay.opaque", "y", 1, 0), 0);
	lower = image_bundle_lower_dirs(s, &img);
	assert_string_equal(lower,
			    "layers/0000000000000000000000000000000000000000000000000000000000000003/diff:"
			    "layers/0000000000000000000000000000000000000000000000000000000000000002/diff");
	free(lower);
	store_free(&s);
}

static void credentials_round_trip_through_the_auth_file(void **state)
{
	struct hull_error *err = NULL;
	char file[128], *user = NULL, *password = NULL;
	bool removed;
	struct stat st;

	(void)state;
	snprintf(file, sizeof(file), "%s/containers/auth.json", dir);
	assert_int_equal(auth_file_lookup(file, "example.com", &user, &password, &err), 0);
	assert_null(user);
	assert_int_equal(auth_file_store(file, "example.com:5000", "me", "p:a:ss", &err), 0);
	assert_int_equal(auth_file_store(file, "docker.io", "hub", "secret", &err), 0);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(auth_file_lookup(file, "example.com:5000", &user, &password, &err), 0);
	assert_string_equal(user, "me");
	assert_string_equal(password, "p:a:ss");
	free(user);
	free(password);
	/* Docker Hub under the name its API host has. */
	assert_int_equal(auth_file_lookup(file, "registry-1.docker.io", &user, &password, &err), 0);
	assert_string_equal(user, "hub");
	free(user);
	free(password);
	assert_int_equal(auth_file_remove(file, "example.com:5000", &removed, &err), 0);
	assert_true(removed);
	assert_int_equal(auth_file_remove(file, "example.com:5000", &removed, &err), 0);
	assert_false(removed);
	assert_int_equal(auth_file_lookup(file, "example.com:5000", &user, &password, &err), 0);
	assert_null(user);
	/* Docker's own spelling of a key, and a broken entry. */
	const char *docker = "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"dTpw\"},"
			     " \"bad.example\": {\"auth\": \"!!!!\"}}}";
	assert_int_equal(fs_write_file_atomic(AT_FDCWD, file, docker, strlen(docker), 0600, &err), 0);
	assert_int_equal(auth_file_lookup(file, "docker.io", &user, &password, &err), 0);
	assert_string_equal(user, "u");
	assert_string_equal(password, "p");
	free(user);
	free(password);
	assert_fails_with(auth_file_lookup(file, "bad.example", &user, &password, &err), err, "not base64");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(chain_ids_follow_the_image_spec),
	    cmocka_unit_test(config_diff_ids_must_match_the_layers),
	    cmocka_unit_test_setup_teardown(blobs_are_verified_and_downloads_resume, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_layer_committed_twice_keeps_the_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(credentials_round_trip_through_the_auth_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(an_opaque_layer_root_ends_the_lower_layers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
