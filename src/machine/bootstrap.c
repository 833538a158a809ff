#include "machine/bootstrap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/rootpath.h"

/* The mirror apt uses (deb822 sources of Debian 12 on), else Debian's own. */
static void debian_mirror(char *out, size_t size)
{
	FILE *f = fopen("/etc/apt/sources.list.d/debian.sources", "re");
	char line[512];

	snprintf(out, size, "http://deb.debian.org/debian");
	while (f && fgets(line, sizeof(line), f)) {
		char uri[400];
		if (sscanf(line, "URIs: %399s", uri) == 1 && strncmp(uri, "http", 4) == 0 &&
		    strlen(uri) > 7 && strcmp(uri + strlen(uri) - 7, "/debian") == 0) {
			snprintf(out, size, "%s", uri);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* The last non-empty line of the log, for the error. */
static void last_line(const char *log, char *out, size_t size)
{
	FILE *f = fopen(log, "re");
	char line[512];

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, size, "%s", line);
	if (f)
		fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

int machine_debootstrap(const char *suite, const char *variant, const char *include, const char *dir,
			struct hull_error **err)
{
	char mirror[512], packages[1024], log[4400], variant_arg[128], last[512];
	int status;
	pid_t pid;

	debian_mirror(mirror, sizeof(mirror));
	snprintf(packages, sizeof(packages), "--include=systemd-sysv,dbus,iproute2,procps%s%s",
		 include ? "," : "", include ? include : "");
	snprintf(variant_arg, sizeof(variant_arg), "--variant=%s", variant);
	snprintf(log, sizeof(log), "%s.log", dir);
	pid = fork();
	if (pid < 0)
		return hull_error_errno(err, "debootstrap: fork");
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(126);
		execlp("debootstrap", "debootstrap", variant_arg, packages, suite, dir, mirror, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return hull_error_errno(err, "debootstrap: wait");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return hull_error_fail(err, ENOENT, "debootstrap is not installed (apt-get install debootstrap)");
	last_line(log, last, sizeof(last));
	return hull_error_fail(err, EIO, "debootstrap%s%.400s", *last ? ": " : " failed", last);
}

/* inittab with its gettys on real terminals commented out and one on the console added. */
static char *inittab_for_container(const char *text)
{
	static const char console[] =
	    "# hull: the machine's console\nco:2345:respawn:/sbin/getty --noclear 38400 console\n";
	size_t lines = 1;
	char *out, *w;

	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	/* At most one '#' more a line, a newline and the console's line. */
	if ((out = w = malloc(strlen(text) + lines + sizeof(console) + 1)) == NULL)
		return NULL;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
		if (line[0] != '#' && memmem(line, len, "getty", 5) && memmem(line, len, "tty", 3) &&
		    !memmem(line, len, "console", 7))
			*w++ = '#';
		memcpy(w, line, len);
		w += len;
		line += len;
	}
	if (w > out && w[-1] != '\n')
		*w++ = '\n';
	memcpy(w, console, sizeof(console));
	return out;
}

int machine_root_prepare(const char *dir, const char *name, struct hull_error **err)
{
	cleanup_close int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), etc = -1, file = -1;
	cleanup_free char *hostname = NULL, *text = NULL, *adjusted = NULL;
	int ret;

	if (root < 0)
		return hull_error_errno(err, "`%s`", dir);
	if ((etc = rootpath_open(root, "/etc", O_RDONLY | O_DIRECTORY, err)) < 0)
		return ret = etc, hull_error_wrap(err, "the root's /etc");
	if (asprintf(&hostname, "%s\n", name) < 0)
		return hull_error_set(err, ENOMEM, "prepare the root");
	if ((ret = fs_write_file_atomic(etc, "hostname", hostname, strlen(hostname), 0644, err)) < 0)
		return hull_error_wrap(err, "the root's /etc/hostname");
	/* sysvinit: its gettys are for real terminals, which a machine does not have. */
	if ((file = rootpath_open(root, "/etc/inittab", O_RDONLY | O_NOFOLLOW, NULL)) >= 0) {
		if ((ret = fs_read_fd(file, "/etc/inittab", &text, NULL, err)) < 0)
			return ret;
		if (strstr(text, "respawn:/sbin/getty --noclear 38400 console") == NULL) {
			if ((adjusted = inittab_for_container(text)) == NULL)
				return hull_error_set(err, ENOMEM, "prepare the root");
			if ((ret = fs_write_file_atomic(etc, "inittab", adjusted, strlen(adjusted), 0644, err)) < 0)
				return hull_error_wrap(err, "the root's /etc/inittab");
		}
		close(file);
		file = -1;
		free(text);
		text = NULL;
	}
	/* Where securetty limits root logins, the console and the ptys of machine login are allowed. */
	if ((file = rootpath_open(root, "/etc/securetty", O_RDONLY | O_NOFOLLOW, NULL)) >= 0) {
		static const char more[] = "# hull: the machine's console and login ptys\nconsole\npts/0\npts/1\n"
					   "pts/2\npts/3\npts/4\npts/5\npts/6\npts/7\npts/8\npts/9\n";
		if ((ret = fs_read_fd(file, "/etc/securetty", &text, NULL, err)) < 0)
			return ret;
		if (strstr(text, "# hull:") == NULL) {
			if (asprintf(&adjusted, "%s%s%s", text,
				     *text && text[strlen(text) - 1] != '\n' ? "\n" : "", more) < 0)
				return hull_error_set(err, ENOMEM, "prepare the root");
			if ((ret = fs_write_file_atomic(etc, "securetty", adjusted, strlen(adjusted), 0644, err)) <
			    0)
				return hull_error_wrap(err, "the root's /etc/securetty");
		}
	}
	return 0;
}
