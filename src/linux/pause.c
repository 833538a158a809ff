/* The pause process that holds an unprivileged user's namespaces, and joining it. */
#include "linux/pause.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/process.h"
#include "util/rootless.h"

size_t pause_subid_ranges(const char *file, const char *user, const char *number,
			  struct pause_subid_range *out, size_t max)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[512];
	size_t n = 0;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *end;
		unsigned long start, count;
		if (colon == NULL || line[0] == '#')
			continue;
		*colon = '\0';
		if ((user == NULL || strcmp(line, user) != 0) &&
		    (number == NULL || strcmp(line, number) != 0))
			continue;
		errno = 0;
		start = strtoul(colon + 1, &end, 10);
		if (errno || *end != ':')
			continue;
		count = strtoul(end + 1, &end, 10);
		if (errno || count == 0 || count > UINT32_MAX || start > UINT32_MAX - count)
			continue;
		out[n++] = (struct pause_subid_range){.start = (uint32_t)start, .count = (uint32_t)count};
	}
	return n;
}

size_t pause_subid_maps(const char *file, const char *user, unsigned id, struct oci_id_mapping *maps)
{
	struct pause_subid_range ranges[PAUSE_MAX_RANGES];
	char number[16];
	size_t n = 1, found;
	uint32_t next = 1;

	maps[0] = (struct oci_id_mapping){.container_id = 0, .host_id = id, .size = 1};
	snprintf(number, sizeof(number), "%u", id);
	found = pause_subid_ranges(file, user, number, ranges, PAUSE_MAX_RANGES);
	for (size_t i = 0; i < found; i++) {
		/* Container ids run on from 1, range after range, within 32 bits. */
		if (ranges[i].count > UINT32_MAX - next)
			continue;
		maps[n++] = (struct oci_id_mapping){
		    .container_id = next, .host_id = ranges[i].start, .size = ranges[i].count};
		next += ranges[i].count;
	}
	return n;
}

pid_t pause_pid(const char *dir)
{
	char path[PATH_MAX];
	cleanup_free char *text = NULL;
	unsigned long long start = 0;
	int pid = 0;
	size_t len;

	snprintf(path, sizeof(path), "%s/pause.pid", dir);
	if (fs_read_file(AT_FDCWD, path, &text, &len, NULL) < 0 ||
	    sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0 || !process_is_alive(pid, start))
		return 0;
	return pid;
}

/* The pause process itself: it sleeps for good, in a session of its own, holding nothing of its
 * starter's.  SIGTERM ends it (and with it the mounts of containers not running). */
static _Noreturn void pause_forever(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	syscall(SYS_close_range, 3, ~0U, 0);
	if (chdir("/") < 0)
		_exit(1);
	prctl(PR_SET_NAME, "hull-pause");
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;)
		pause();
}

/* Starts the pause process: its grandchild of ours (reparented to init) unshares, we write its maps
 * (with newuidmap/newgidmap for the subordinate ranges), then it goes to sleep. */
static int start_pause(const char *dir, struct hull_error **err)
{
	struct oci_id_mapping uids[PAUSE_MAX_RANGES + 1], gids[PAUSE_MAX_RANGES + 1];
	struct passwd *pw = getpwuid(getuid());
	cleanup_free char *user = pw ? strdup(pw->pw_name) : NULL;
	size_t n_uids = pause_subid_maps("/etc/subuid", user, getuid(), uids);
	size_t n_gids = pause_subid_maps("/etc/subgid", user, getgid(), gids);
	int report[2], go[2], status, ret;
	char text[64], path[PATH_MAX];
	uint64_t start = 0;
	pid_t child, pid = 0;

	if (n_uids == 1 || n_gids == 1)
		hull_log_warning(
		    "rootless: /etc/subuid or /etc/subgid gives `%s` no range: only your own id is "
		    "mapped, so files of other owners cannot be made (see usermod --add-subuids)",
		    user ? user : "you");
	if (pipe2(report, O_CLOEXEC) < 0)
		return hull_error_errno(err, "rootless: pipe");
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(report[0]);
		close(report[1]);
		return hull_error_errno(err, "rootless: pipe");
	}
	child = fork();
	if (child < 0) {
		ret = hull_error_errno(err, "rootless: fork");
		goto out;
	}
	if (child == 0) {
		char byte;
		int result;
		setsid();
		if (fork() != 0)
			_exit(0);
		/* The mount namespace is made with the user namespace, so that it is owned by it. */
		result = unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ? -errno : getpid();
		if (write(report[1], &result, sizeof(result)) != sizeof(result) || result < 0 ||
		    read(go[0], &byte, 1) != 1)
			_exit(1);
		pause_forever();
	}
	close(report[1]);
	report[1] = -1;
	close(go[0]);
	go[0] = -1;
	waitpid(child, &status, 0);
	if (read(report[0], &pid, sizeof(pid)) != sizeof(pid)) {
		ret = hull_error_fail(err, EIO, "rootless: the namespace process ended without a report");
		goto out;
	}
	if (pid < 0) {
		errno = -pid;
		pid = 0;
		ret = hull_error_errno(err, "rootless: create a user namespace");
		goto out;
	}
	if ((ret = namespaces_write_maps(pid, uids, n_uids, gids, n_gids, err)) < 0) {
		hull_error_wrap(err, "rootless: user namespace");
		goto out;
	}
	if (process_start_time(pid, &start, NULL) < 0) {
		ret = hull_error_fail(err, ESRCH, "rootless: the namespace process is gone");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/pause.pid", dir);
	snprintf(text, sizeof(text), "%d %llu\n", (int)pid, (unsigned long long)start);
	if ((ret = fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0600, err)) < 0) {
		hull_error_wrap(err, "rootless");
		goto out;
	}
	if (write(go[1], "g", 1) != 1)
		ret = hull_error_errno(err, "rootless: start the namespace process");
out:
	if (ret < 0 && pid > 0)
		kill(pid, SIGKILL);
	for (int i = 0; i < 2; i++) {
		if (report[i] >= 0)
			close(report[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	return ret;
}

static int join(pid_t pid, struct hull_error **err)
{
	char user_path[64], mnt_path[64], cwd[PATH_MAX];
	cleanup_close int user = -1, mnt = -1;
	bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;

	snprintf(user_path, sizeof(user_path), "/proc/%d/ns/user", (int)pid);
	snprintf(mnt_path, sizeof(mnt_path), "/proc/%d/ns/mnt", (int)pid);
	if ((user = open(user_path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (mnt = open(mnt_path, O_RDONLY | O_CLOEXEC)) < 0)
		return hull_error_errno(err, "rootless: open the namespaces of process %d", (int)pid);
	if (setns(user, CLONE_NEWUSER) < 0)
		return hull_error_errno(err, "rootless: join the user namespace of process %d", (int)pid);
	if (setns(mnt, CLONE_NEWNS) < 0)
		return hull_error_errno(err, "rootless: join the mount namespace of process %d", (int)pid);
	/* Joining a mount namespace moves us to its root; the same paths are there (it is a copy of the
	 * host's), so relative paths given on the command line keep their meaning. */
	if (have_cwd && chdir(cwd) < 0)
		return hull_error_errno(err, "rootless: return to `%s`", cwd);
	return 0;
}

/* DIR is made for the user alone; one found owned by another user (in /tmp, say) is refused. */
static int own_dir(const char *dir, struct hull_error **err)
{
	struct stat st;

	if (fs_mkdir_parents(dir, 0700, err) < 0)
		return hull_error_wrap(err, "rootless");
	if (lstat(dir, &st) < 0)
		return hull_error_errno(err, "rootless: `%s`", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022))
		return hull_error_fail(err, EPERM, "rootless: `%s` is not a directory of yours alone", dir);
	return 0;
}

int pause_enter(const char *dir, struct hull_error **err)
{
	cleanup_close int lock = -1;
	char path[PATH_MAX];
	pid_t pid;
	int ret;

	if (!rootless() || rootless_nested())
		return 0;
	if ((ret = own_dir(dir, err)) < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/pause.lock", dir);
	/* One pause process per user, however many commands start at once. */
	if ((lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    flock(lock, LOCK_EX) < 0)
		return hull_error_errno(err, "rootless: lock `%s`", path);
	if ((pid = pause_pid(dir)) == 0) {
		if ((ret = start_pause(dir, err)) < 0)
			return ret;
		if ((pid = pause_pid(dir)) == 0)
			return hull_error_fail(err, ESRCH, "rootless: the namespace process is gone");
	}
	return join(pid, err);
}
