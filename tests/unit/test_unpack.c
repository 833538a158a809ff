/* Layer unpacking against a corpus of hostile layers built here with libarchive: each is refused or
 * contained, and a sentinel directory next to the root (and the host's /etc/passwd) stays untouched. */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/unpack.h"
#include "util/fs.h"

struct entry {
	const char *path;
	mode_t type; /* AE_IF* */
	mode_t perm;
	const char *data;     /* file content, or symlink target */
	const char *hardlink; /* for hard links */
	unsigned uid, gid;
	const char *xattr; /* "name=value", one extended attribute in the pax header */
};

static char base[64];	  /* /tmp/hull-unit-unpack-XXXXXX */
static char root[128];	  /* base/root */
static char outside[128]; /* base/outside: must never change */

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/hull-unit-unpack-XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(AT_FDCWD, base, NULL);
	return 0;
}

/* Writes a tar (gzip when asked) of the entries to a file and returns it open for reading. */
static int layer(const struct entry *entries, size_t n, bool gzip)
{
	char path[160];
	struct archive *a = archive_write_new();
	int fd;

	snprintf(path, sizeof(path), "%s/layer.tar", base);
	archive_write_set_format_pax_restricted(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const struct entry *x = &entries[i];
		archive_entry_set_pathname(e, x->path);
		archive_entry_set_uid(e, x->uid);
		archive_entry_set_gid(e, x->gid);
		archive_entry_set_mtime(e, 1000000000, 0);
		if (x->hardlink) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, x->hardlink);
		} else {
			archive_entry_set_filetype(e, x->type);
			archive_entry_set_perm(e, x->perm ? x->perm : 0644);
			if (x->type == AE_IFLNK)
				archive_entry_set_symlink(e, x->data);
			if (x->type == AE_IFREG && x->data)
				archive_entry_set_size(e, (la_int64_t)strlen(x->data));
			if (x->type == AE_IFCHR)
				archive_entry_set_rdev(e, makedev(1, 3));
		}
		if (x->xattr) {
			char name[128];
			const char *eq = strchr(x->xattr, '=');
			snprintf(name, sizeof(name), "%.*s", (int)(eq - x->xattr), x->xattr);
			archive_entry_xattr_add_entry(e, name, eq + 1, strlen(eq + 1));
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (x->type == AE_IFREG && x->data && !x->hardlink)
			archive_write_data(a, x->data, strlen(x->data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static int apply(const struct entry *entries, size_t n, struct hull_error **err)
{
	int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = layer(entries, n, false);
	int ret = image_unpack_layer(root_fd, fd, NULL, err);

	close(fd);
	close(root_fd);
	return ret;
}

static bool exists_in(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &st) == 0;
}

static void outside_untouched(void)
{
	DIR *d = opendir(outside);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 0);
	assert_false(exists_in("/", "escaped-by-hull-test"));
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void ordinary_layer(void **state)
{
	struct hull_error *err = NULL;
	struct stat st;
	char path[512], buf[32] = "";
	static const struct entry l[] = {
	    {"./etc/", AE_IFDIR, 0755, NULL, NULL, 0, 0},
	    {"etc/hostname", AE_IFREG, 0644, "box\n", NULL, 0, 0},
	    {"bin/su", AE_IFREG, 04755, "#!\n", NULL, 0, 0},
	    {"home/u/file", AE_IFREG, 0600, "mine", NULL, 1000, 1000},
	    {"etc/link", AE_IFLNK, 0777, "hostname", NULL, 0, 0},
	    {"etc/hard", 0, 0, NULL, "etc/hostname", 0, 0},
	    {"run/fifo", AE_IFIFO, 0600, NULL, NULL, 0, 0},
	    {"dev/null", AE_IFCHR, 0666, NULL, NULL, 0, 0},
	    {"ro/", AE_IFDIR, 0555, NULL, NULL, 0, 0},
	    {"ro/inside", AE_IFREG, 0644, "x", NULL, 0, 0},
	};

	(void)state;
	if (apply(l, N(l), &err) < 0)
		fail_msg("%s", err->message);
	snprintf(path, sizeof(path), "%s/bin/su", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755); /* setuid survives the chown */
	assert_int_equal(st.st_mtime, 1000000000);
	snprintf(path, sizeof(path), "%s/home/u/file", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	snprintf(path, sizeof(path), "%s/etc/link", root);
	assert_int_equal(readlink(path, buf, sizeof(buf) - 1), 8);
	struct stat a, b;
	snprintf(path, sizeof(path), "%s/etc/hard", root);
	assert_int_equal(stat(path, &a), 0);
	snprintf(path, sizeof(path), "%s/etc/hostname", root);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	snprintf(path, sizeof(path), "%s/run/fifo", root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	snprintf(path, sizeof(path), "%s/dev/null", root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	snprintf(path, sizeof(path), "%s/ro", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0555); /* set after its contents were written */
	assert_true(exists_in(root, "ro/inside"));
}

static void whiteouts_and_opaque_directories(void **state)
{
	struct hull_error *err = NULL;
	static const struct entry l1[] = {
	    {"a/b", AE_IFREG, 0644, "1", NULL, 0, 0},
	    {"a/c", AE_IFREG, 0644, "1", NULL, 0, 0},
	    {"d/x", AE_IFREG, 0644, "1", NULL, 0, 0},
	    {"d/sub/y", AE_IFREG, 0644, "1", NULL, 0, 0},
	};
	static const struct entry l2[] = {
	    {"a/.wh.b", AE_IFREG, 0644, "", NULL, 0, 0},
	    {"d/new", AE_IFREG, 0644, "2", NULL, 0, 0},
	    {"d/.wh..wh..opq", AE_IFREG, 0644, "", NULL, 0, 0},
	    {".wh.nothing-there", AE_IFREG, 0644, "", NULL, 0, 0},
	};

	(void)state;
	assert_int_equal(apply(l1, N(l1), &err), 0);
	if (apply(l2, N(l2), &err) < 0)
		fail_msg("%s", err->message);
	assert_false(exists_in(root, "a/b"));
	assert_true(exists_in(root, "a/c"));
	assert_false(exists_in(root, "d/x"));
	assert_false(exists_in(root, "d/sub"));
	assert_true(exists_in(root, "d/new")); /* made by the same layer as the opaque marker */
	assert_false(exists_in(root, "a/.wh.b"));
}

static void overlay_mode_records_whiteouts_for_overlayfs(void **state)
{
	struct hull_error *err = NULL;
	static const struct entry l2[] = {
	    {"a", AE_IFDIR, 0755, NULL, NULL, 0, 0},
	    {"a/.wh.b", AE_IFREG, 0644, "", NULL, 0, 0},
	    {"d/.wh..wh..opq", AE_IFREG, 0644, "", NULL, 0, 0},
	    {"d/new", AE_IFREG, 0644, "2", NULL, 0, 0},
	};
	struct unpack_options o = {.overlay = true};
	int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = layer(l2, N(l2), true);
	char path[256], value[8] = "";
	struct stat st;

	(void)state;
	if (image_unpack_layer(root_fd, fd, &o, &err) < 0)
		fail_msg("%s", err->message);
	close(fd);
	close(root_fd);
	snprintf(path, sizeof(path), "%s/a/b", root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	assert_false(exists_in(root, "a/.wh.b"));
	snprintf(path, sizeof(path), "%s/d", root);
	assert_int_equal(getxattr(path, "trusted.overlay.opaque", value, sizeof(value)), 1);
	assert_int_equal(value[0], 'y');
	assert_true(exists_in(root, "d/new"));
}

/* A layer's own overlayfs xattrs would steer the mounted root (a `redirect` showed another layer's /etc
 * in a test): they are dropped, ordinary ones kept. */
static void overlay_xattrs_in_a_layer_are_not_applied(void **state)
{
	struct hull_error *err = NULL;
	static const struct entry l[] = {
	    {"etc", AE_IFDIR, 0755, NULL, NULL, 0, 0, "trusted.overlay.redirect=/../other/etc"},
	    {"opq", AE_IFDIR, 0755, NULL, NULL, 0, 0, "trusted.overlay.opaque=y"},
	    {"u", AE_IFDIR, 0755, NULL, NULL, 0, 0, "user.overlay.redirect=/x"},
	    {"f", AE_IFREG, 0644, "x", NULL, 0, 0, "user.hull-test=kept"},
	};
	struct unpack_options o = {.overlay = true};
	int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = layer(l, N(l), false);
	char path[256], value[64] = "";

	(void)state;
	if (image_unpack_layer(root_fd, fd, &o, &err) < 0)
		fail_msg("%s", err->message);
	close(fd);
	close(root_fd);
	snprintf(path, sizeof(path), "%s/etc", root);
	assert_int_equal(getxattr(path, "trusted.overlay.redirect", value, sizeof(value)), -1);
	snprintf(path, sizeof(path), "%s/opq", root);
	assert_int_equal(getxattr(path, "trusted.overlay.opaque", value, sizeof(value)), -1);
	snprintf(path, sizeof(path), "%s/u", root);
	assert_int_equal(getxattr(path, "user.overlay.redirect", value, sizeof(value)), -1);
	snprintf(path, sizeof(path), "%s/f", root);
	assert_int_equal(getxattr(path, "user.hull-test", value, sizeof(value)), 4);
	assert_memory_equal(value, "kept", 4);
}

/* Flattened (export), the layers give what their overlay mount shows, where each layer is its own
 * directory and the upper one wins: a parent a layer does not list is a plain 0755 directory of root's,
 * also over a lower layer's 0700 directory, symlink or file of that name; a symlink the layer made itself
 * is followed inside the root. */
static void flattened_parents_agree_with_the_overlay_mount(void **state)
{
	struct hull_error *err = NULL;
	static const struct entry lower[] = {
	    {"d", AE_IFDIR, 0700, NULL, NULL, 1000, 1000}, {"d/old", AE_IFREG, 0644, "o", NULL, 0, 0},
	    {"target", AE_IFDIR, 0755, NULL, NULL, 0, 0},  {"s", AE_IFLNK, 0777, "target", NULL, 0, 0},
	    {"f", AE_IFREG, 0644, "file", NULL, 0, 0},
	};
	static const struct entry upper[] = {
	    {"d/new", AE_IFREG, 0644, "n", NULL, 0, 0},	   {"s/g", AE_IFREG, 0644, "g", NULL, 0, 0},
	    {"f/h", AE_IFREG, 0644, "h", NULL, 0, 0},	   {"own", AE_IFLNK, 0777, "target", NULL, 0, 0},
	    {"own/i", AE_IFREG, 0644, "i", NULL, 0, 0},	   {"listed", AE_IFDIR, 0711, NULL, NULL, 0, 0},
	    {"listed/j", AE_IFREG, 0644, "j", NULL, 0, 0},
	};
	char path[256];
	struct stat st;

	(void)state;
	if (apply(lower, N(lower), &err) < 0 || apply(upper, N(upper), &err) < 0)
		fail_msg("%s", err->message);
	snprintf(path, sizeof(path), "%s/d", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_uid, 0);
	assert_true(exists_in(root, "d/old") && exists_in(root, "d/new"));
	snprintf(path, sizeof(path), "%s/s", root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_true(exists_in(root, "s/g") && !exists_in(root, "target/g"));
	snprintf(path, sizeof(path), "%s/f", root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode) && exists_in(root, "f/h"));
	assert_true(exists_in(root, "target/i"));
	snprintf(path, sizeof(path), "%s/listed", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
}

/* The diff id is the sha256 of the uncompressed tar, whether the layer came compressed or not. */
static void diff_id_is_the_digest_of_the_uncompressed_stream(void **state)
{
	struct hull_error *err = NULL;
	static const struct entry l[] = {{"f", AE_IFREG, 0644, "content", NULL, 0, 0}};
	char plain[DIGEST_MAX] = "", gz[DIGEST_MAX] = "", expect[DIGEST_MAX], *tar = NULL;
	struct unpack_options o = {.diff_id = plain};
	int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = layer(l, 1, false);
	size_t len;
	char path[160];

	(void)state;
	snprintf(path, sizeof(path), "%s/layer.tar", base);
	assert_int_equal(fs_read_file(AT_FDCWD, path, &tar, &len, &err), 0);
	digest_buffer(tar, len, NULL, expect);
	free(tar);
	assert_int_equal(image_unpack_layer(root_fd, fd, &o, &err), 0);
	close(fd);
	assert_string_equal(plain, expect);
	fd = layer(l, 1, true);
	o.diff_id = gz;
	assert_int_equal(image_unpack_layer(root_fd, fd, &o, &err), 0);
	close(fd);
	close(root_fd);
	assert_string_equal(gz, expect);
}

static void hostile_layers_are_refused_or_contained(void **state)
{
	struct hull_error *err = NULL;
	char sym_to_outside[160];

	(void)state;
	/* ../ in a path: refused. */
	static const struct entry dotdot[] = {{"../outside/escaped", AE_IFREG, 0644, "x", NULL, 0, 0}};
	assert_fails_with(apply(dotdot, 1, &err), err, "..");
	static const struct entry dotdot2[] = {{"a/../../outside/escaped", AE_IFREG, 0644, "x", NULL, 0, 0}};
	assert_fails_with(apply(dotdot2, 1, &err), err, "..");
	outside_untouched();

	/* A symlink to / and entries under it: they land in the root. */
	static const struct entry slash[] = {
	    {"evil", AE_IFLNK, 0777, "/", NULL, 0, 0},
	    {"evil/escaped-by-hull-test", AE_IFREG, 0644, "x", NULL, 0, 0},
	    {"dot", AE_IFLNK, 0777, "/.", NULL, 0, 0},
	    {"dot/escaped-by-hull-test2", AE_IFREG, 0644, "x", NULL, 0, 0},
	};
	assert_int_equal(apply(slash, N(slash), &err), 0);
	assert_true(exists_in(root, "escaped-by-hull-test"));
	assert_true(exists_in(root, "escaped-by-hull-test2"));
	outside_untouched();

	/* A symlinked parent pointing outside, relative and absolute: contained. */
	snprintf(sym_to_outside, sizeof(sym_to_outside), "%s", outside);
	struct entry parents[] = {
	    {"up", AE_IFLNK, 0777, "../outside", NULL, 0, 0},
	    {"up/f", AE_IFREG, 0644, "x", NULL, 0, 0},
	    {"abs", AE_IFLNK, 0777, sym_to_outside, NULL, 0, 0},
	    {"abs/g", AE_IFREG, 0644, "x", NULL, 0, 0},
	};
	/* The links resolve inside the root, where their targets do not exist: refused, nothing outside. */
	assert_fails_with(apply(parents, 2, &err), err, "up");
	assert_fails_with(apply(parents + 2, 2, &err), err, "abs");
	outside_untouched();
	/* Once the target exists inside the root, entries go there. */
	static const struct entry made[] = {
	    {"outside/", AE_IFDIR, 0755, NULL, NULL, 0, 0},
	    {"up", AE_IFLNK, 0777, "../outside", NULL, 0, 0},
	    {"up/f", AE_IFREG, 0644, "x", NULL, 0, 0},
	};
	assert_int_equal(apply(made, N(made), &err), 0);
	assert_true(exists_in(root, "outside/f"));
	outside_untouched();

	/* A hard link to a host file resolves inside the root, where there is none. */
	struct stat before, after;
	assert_int_equal(stat("/etc/passwd", &before), 0);
	static const struct entry hard[] = {{"passwd", 0, 0, NULL, "/etc/passwd", 0, 0}};
	assert_fails_with(apply(hard, 1, &err), err, "hard link");
	assert_int_equal(stat("/etc/passwd", &after), 0);
	assert_int_equal(before.st_nlink, after.st_nlink);
	static const struct entry hard2[] = {{"passwd", 0, 0, NULL, "../../../../etc/passwd", 0, 0}};
	assert_fails_with(apply(hard2, 1, &err), err, "hard link");

	/* Duplicates: the later entry replaces the earlier, also a file by a symlink and back. */
	static const struct entry dup[] = {
	    {"dup", AE_IFREG, 0644, "first", NULL, 0, 0},
	    {"dup", AE_IFLNK, 0777, "/etc/passwd", NULL, 0, 0},
	    {"dup", AE_IFREG, 0644, "third", NULL, 0, 0},
	};
	assert_int_equal(apply(dup, N(dup), &err), 0);
	char path[512], *text = NULL;
	snprintf(path, sizeof(path), "%s/dup", root);
	assert_int_equal(fs_read_file(AT_FDCWD, path, &text, NULL, NULL), 0);
	assert_string_equal(text, "third");
	free(text);
	assert_int_equal(stat("/etc/passwd", &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	outside_untouched();
}

static void bombs_and_truncated_streams_fail_cleanly(void **state)
{
	struct hull_error *err = NULL;
	static char zeros[4 << 20];
	struct entry big[] = {{"big", AE_IFREG, 0644, NULL, NULL, 0, 0}};
	struct unpack_options limits = {.max_bytes = 1 << 20};
	int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	char path[160];
	struct stat st;

	(void)state;
	memset(zeros, 'z', sizeof(zeros) - 1);
	big[0].data = zeros;
	/* 4 MiB of one byte compresses to a few KiB: refused at the content limit. */
	fd = layer(big, 1, true);
	assert_true(fstat(fd, &st) == 0 && st.st_size < 100000);
	assert_fails_with(image_unpack_layer(root_fd, fd, &limits, &err), err, "decompression bomb");
	close(fd);
	/* The same layer cut in half. */
	fd = layer(big, 1, false);
	snprintf(path, sizeof(path), "%s/layer.tar", base);
	assert_int_equal(truncate(path, 1 << 20), 0);
	assert_fails_with(image_unpack_layer(root_fd, fd, NULL, &err), err, "big");
	close(fd);
	/* Not a tar at all. */
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	assert_fails_with(image_unpack_layer(root_fd, fd, NULL, &err), err, "layer");
	close(fd);
	close(root_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(ordinary_layer, setup, teardown),
	    cmocka_unit_test_setup_teardown(whiteouts_and_opaque_directories, setup, teardown),
	    cmocka_unit_test_setup_teardown(overlay_mode_records_whiteouts_for_overlayfs, setup, teardown),
	    cmocka_unit_test_setup_teardown(overlay_xattrs_in_a_layer_are_not_applied, setup, teardown),
	    cmocka_unit_test_setup_teardown(flattened_parents_agree_with_the_overlay_mount, setup, teardown),
	    cmocka_unit_test_setup_teardown(diff_id_is_the_digest_of_the_uncompressed_stream, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(hostile_layers_are_refused_or_contained, setup, teardown),
	    cmocka_unit_test_setup_teardown(bombs_and_truncated_streams_fail_cleanly, setup, teardown),
	};
	return cmocka_run_group_tests_name("unpack", tests, NULL, NULL);
}
