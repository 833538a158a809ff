#include "machine/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine/machine.h"
#include "util/cleanup.h"
#include "util/fs.h"

char *machine_unit_text(const struct engine *e, const char *name)
{
	char *text = NULL;

	if (asprintf(&text,
		     "# hull machine %s, started at the host's boot (hull machine enable %s)\n"
		     "[Unit]\n"
		     "Description=hull machine %s\n"
		     "Documentation=man:hull(1)\n"
		     "Wants=network-online.target\n"
		     "After=network-online.target local-fs.target\n\n"
		     "[Service]\n"
		     "Type=oneshot\n"
		     "RemainAfterExit=yes\n"
		     "ExecStart=%s --store %s --runroot %s machine start %s\n"
		     "ExecStop=%s --store %s --runroot %s machine stop %s\n"
		     "# The machine's monitor outlives this unit's process: it is not the unit's to kill.\n"
		     "KillMode=none\n\n"
		     "[Install]\n"
		     "WantedBy=multi-user.target\n",
		     name, name, name, e->self, e->store->path, e->runroot, name, e->self, e->store->path,
		     e->runroot, name) < 0)
		return NULL;
	return text;
}

static int systemctl(const char *verb, const char *unit)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("systemctl", "systemctl", "--quiet", verb, unit,
		       (char *)NULL); /* unit NULL ends the list */
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int machine_enable(struct engine *e, const struct app_container *c, bool on, struct hull_error **err)
{
	const char *dir = getenv("HULL_UNIT_DIR") ? getenv("HULL_UNIT_DIR") : "/etc/systemd/system";
	bool systemd_pid1 = access("/run/systemd/system", F_OK) == 0 && getenv("HULL_UNIT_DIR") == NULL;
	char unit[512], path[4700];
	struct stat st;

	snprintf(unit, sizeof(unit), "hull-machine-%s.service", app_container_name(c));
	snprintf(path, sizeof(path), "%s/%s", dir, unit);
	if (machine_set_autostart(e, c, on, err) < 0)
		return -1;
	if (!on) {
		if (systemd_pid1)
			systemctl("disable", unit);
		if (unlink(path) < 0 && errno != ENOENT)
			return hull_error_errno(err, "`%s`", path);
		return 0;
	}
	/* Without systemd's unit directory the mark alone does it (hull's init script runs system boot). */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	{
		cleanup_free char *text = machine_unit_text(e, app_container_name(c));
		if (text == NULL)
			return hull_error_set(err, ENOMEM, "unit");
		if (fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644, err) < 0) {
			machine_set_autostart(e, c, false, NULL);
			return -1;
		}
	}
	if (systemd_pid1 && (systemctl("daemon-reload", NULL) < 0 || systemctl("enable", unit) < 0)) {
		unlink(path);
		machine_set_autostart(e, c, false, NULL);
		return hull_error_fail(err, EIO, "systemctl enable `%s` failed", unit);
	}
	return 0;
}
