/* Telling the inits apart by where /sbin/init leads, inside the root. */
#include "machine/init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/rootpath.h"

/* The path a chain of links from path ends at, inside the root (at most 8 links): "" when it leads
 * nowhere. */
static void resolve(int root_fd, const char *path, char *out, size_t size)
{
	char current[256], target[256];

	snprintf(current, sizeof(current), "%s", path);
	for (int depth = 0; depth < 8; depth++) {
		/* Links on the way (merged /usr: /sbin -> usr/sbin) are followed inside the root; the last
		 * component is looked at itself. */
		cleanup_close int fd = rootpath_open(root_fd, current, O_PATH | O_NOFOLLOW, NULL);
		struct stat st;
		ssize_t n;
		if (fd < 0)
			break;
		if (fstat(fd, &st) < 0)
			break;
		if (!S_ISLNK(st.st_mode)) {
			snprintf(out, size, "%s", S_ISREG(st.st_mode) && (st.st_mode & 0111) ? current : "");
			return;
		}
		n = readlinkat(fd, "", target, sizeof(target) - 1);
		if (n <= 0)
			break;
		target[n] = '\0';
		if (target[0] == '/') {
			snprintf(current, sizeof(current), "%s", target);
		} else {
			/* Relative to the link's directory; too long a chain leads nowhere. */
			char *slash = strrchr(current, '/');
			size_t dir = slash ? (size_t)(slash - current) : 0;
			if (dir + 1 + strlen(target) >= sizeof(current))
				break;
			current[dir] = '/';
			memcpy(current + dir + 1, target, strlen(target) + 1);
		}
	}
	out[0] = '\0';
}

int machine_init_detect(int root_fd, bool single_user, struct machine_init_info *out, struct hull_error **err)
{
	char where[256];

	if (single_user) {
		resolve(root_fd, "/bin/sh", where, sizeof(where));
		if (!*where)
			return hull_error_fail(err, ENOENT, "the root has no /bin/sh for single-user mode");
		*out = (struct machine_init_info){
		    .kind = MACHINE_INIT_SHELL, .stop_signal = "SIGTERM", .name = "shell"};
		snprintf(out->path, sizeof(out->path), "/bin/sh");
		return 0;
	}
	/* PID 1 is run by the name the root gives it (busybox picks its applet by that name); the kind is
	 * told by where the name leads. */
	*out = (struct machine_init_info){0};
	snprintf(out->path, sizeof(out->path), "/sbin/init");
	resolve(root_fd, "/sbin/init", where, sizeof(where));
	if (!*where) {
		snprintf(out->path, sizeof(out->path), "/lib/systemd/systemd");
		resolve(root_fd, out->path, where, sizeof(where));
	}
	if (!*where)
		return hull_error_fail(err, ENOENT,
				       "the root has no init (/sbin/init or /lib/systemd/systemd): install "
				       "systemd-sysv, sysvinit-core or busybox, or start it --single-user");
	if (strstr(where, "systemd")) {
		out->kind = MACHINE_INIT_SYSTEMD;
		out->stop_signal = "SIGRTMIN+3";
		out->name = "systemd";
	} else if (strstr(where, "busybox")) {
		out->kind = MACHINE_INIT_BUSYBOX;
		out->stop_signal = "SIGUSR2";
		out->name = "busybox";
	} else {
		out->kind = MACHINE_INIT_SYSVINIT;
		out->stop_signal = "SIGPWR";
		out->name = "sysvinit";
	}
	return 0;
}
