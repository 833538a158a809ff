/* linux/ and runtime/ pieces that need no privileges: mount options, signal names, and path resolution
 * inside a root that is full of hostile symlinks. */
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/mount_options.h"
#include "linux/pause.h"
#include "runtime/signals.h"
#include "util/fs.h"
#include "util/rootpath.h"

static void mount_options_map_to_flags(void **state)
{
	struct hull_error *err = NULL;
	struct mount_options o;
	const char *opts[] = {"rbind", "ro", "nosuid", "nodev", "rslave", "mode=755", "size=64k"};

	assert_int_equal(mount_options_parse("bind", opts, 7, &o, &err), 0);
	assert_true(o.bind);
	assert_true(o.recursive);
	assert_true(o.flags & MS_RDONLY);
	assert_true(o.flags & MS_NOSUID);
	assert_true(o.flags & MS_NODEV);
	assert_int_equal(o.propagation, MS_SLAVE | MS_REC);
	assert_string_equal(o.data, "mode=755,size=64k");
	mount_options_free(&o);

	const char *rw[] = {"ro", "rw", "exec", "noexec"};
	assert_int_equal(mount_options_parse("tmpfs", rw, 4, &o, &err), 0);
	assert_false(o.flags & MS_RDONLY);
	assert_true(o.flags & MS_NOEXEC);
	assert_false(o.bind);
	assert_null(o.data);
	mount_options_free(&o);
}

static void signal_names_and_numbers(void **state)
{
	struct hull_error *err = NULL;
	int signo = 0;

	assert_int_equal(signal_parse("TERM", &signo, &err), 0);
	assert_int_equal(signo, SIGTERM);
	assert_int_equal(signal_parse("SIGKILL", &signo, &err), 0);
	assert_int_equal(signo, SIGKILL);
	assert_int_equal(signal_parse("hup", &signo, &err), 0);
	assert_int_equal(signo, SIGHUP);
	assert_int_equal(signal_parse("9", &signo, &err), 0);
	assert_int_equal(signo, 9);
	assert_int_equal(signal_parse("RTMIN+3", &signo, &err), 0);
	assert_int_equal(signo, SIGRTMIN + 3);
	assert_fails_with(signal_parse("NOPE", &signo, &err), err, "NOPE");
	assert_int_equal(signal_parse("0", &signo, &err), 0);
	assert_int_equal(signo, 0);
	assert_fails_with(signal_parse("65", &signo, &err), err, "65");
	assert_fails_with(signal_parse("RTMIN+99", &signo, &err), err, "RTMIN+99");
	assert_fails_with(signal_parse("", &signo, &err), err, "signal");
}

/* A root whose symlinks all point out of it: resolution must stay inside. */
static int hostile_root(void **state)
{
	char tmpl[] = "/tmp/hull-unit-root.XXXXXX";
	char *dir = mkdtemp(tmpl);
	char path[512];

	if (dir == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/outside", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/root", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/root/up", dir);
	symlink("../outside", path);
	snprintf(path, sizeof(path), "%s/root/abs", dir);
	symlink(dir, path); /* absolute, to the directory holding the root */
	snprintf(path, sizeof(path), "%s/root/slash", dir);
	symlink("/", path);
	*state = strdup(dir);
	return 0;
}

static int remove_hostile_root(void **state)
{
	struct hull_error *err = NULL;
	int ret = fs_remove_tree(AT_FDCWD, *state, &err);

	hull_error_free(&err);
	free(*state);
	return ret < 0 ? -1 : 0;
}

static void rootpath_never_leaves_the_root(void **state)
{
	const char *dir = *state;
	struct hull_error *err = NULL;
	char path[512], outside[512];
	struct stat st;
	int root_fd, fd;

	snprintf(path, sizeof(path), "%s/root", dir);
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root_fd >= 0);

	/* "../outside" from inside the root means <root>/outside, which does not exist: a dangling symlink in
	 * the middle of a path is refused rather than followed anywhere. */
	fd = rootpath_ensure(root_fd, "/up/x", true, 0755, &err);
	assert_fails_with(fd, err, "/up/x");
	snprintf(outside, sizeof(outside), "%s/outside/x", dir);
	assert_int_equal(stat(outside, &st), -1);
	/* Once the target exists inside the root, the same path lands there. */
	snprintf(path, sizeof(path), "%s/root/outside", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	fd = rootpath_ensure(root_fd, "/up/x", true, 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/root/outside/x", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(stat(outside, &st), -1);

	/* An absolute symlink is taken relative to the root. */
	fd = rootpath_ensure(root_fd, "/slash/etc/made-by-test", false, 0644, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat("/etc/made-by-test", &st), -1);
	snprintf(path, sizeof(path), "%s/root/etc/made-by-test", dir);
	assert_int_equal(stat(path, &st), 0);

	fd = rootpath_ensure(root_fd, "/slash/../../../z", true, 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/root/z", dir);
	assert_int_equal(stat(path, &st), 0);

	fd = rootpath_open(root_fd, "/../../../../etc/passwd", O_RDONLY, &err);
	assert_fails_with(fd, err, "passwd");
	close(root_fd);
}

static void subordinate_ranges_follow_the_own_id(void **state)
{
	char path[] = "/tmp/hull-unit-subuid.XXXXXX";
	const char *text = "# comment\nother:100000:65536\nalice:200000:65536\n1001:300000:1000\n"
			   "alice:bad:10\nalice:400000:0\nalice:4294967000:1000\nalice:500000:10\n";
	struct oci_id_mapping maps[PAUSE_MAX_RANGES + 1];
	int fd = mkstemp(path);
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	/* By name and by number, in the file's order; empty, malformed and overflowing ranges skipped. */
	n = pause_subid_maps(path, "alice", 1001, maps);
	assert_int_equal(n, 4);
	assert_int_equal(maps[0].container_id, 0);
	assert_int_equal(maps[0].host_id, 1001);
	assert_int_equal(maps[0].size, 1);
	assert_int_equal(maps[1].container_id, 1);
	assert_int_equal(maps[1].host_id, 200000);
	assert_int_equal(maps[2].container_id, 65537);
	assert_int_equal(maps[2].host_id, 300000);
	assert_int_equal(maps[2].size, 1000);
	assert_int_equal(maps[3].container_id, 66537);
	assert_int_equal(maps[3].host_id, 500000);
	/* A user with no range: its own id alone; a missing file likewise. */
	assert_int_equal(pause_subid_maps(path, "bob", 1002, maps), 1);
	assert_int_equal(pause_subid_maps("/nonexistent/subuid", "alice", 1001, maps), 1);
	unlink(path);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mount_options_map_to_flags),
	    cmocka_unit_test(signal_names_and_numbers),
	    cmocka_unit_test(subordinate_ranges_follow_the_own_id),
	    cmocka_unit_test_setup_teardown(rootpath_never_leaves_the_root, hostile_root,
					    remove_hostile_root),
	};
	return cmocka_run_group_tests_name("linux", tests, NULL, NULL);
}
