/* hull and hull-image: the commands that need libcurl or libarchive (pull, push, login, logout, save,
 * load, import, export) are built into hull-image, which hull runs for them.  Loading those libraries and
 * what they bring (OpenSSL, GnuTLS, Kerberos, LDAP, ICU, libxml2) costs about 20 ms on every start, and
 * hull starts twice for each `hull run --rm` (the command and the monitor's cleanup). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/hull/cli.h"

static const char *const helper_commands[] = {"pull",	"push",	 "save",   "load", "import",
					      "export", "login", "logout", NULL};

bool hull_is_image_helper_command(const char *name)
{
	for (size_t i = 0; helper_commands[i]; i++)
		if (strcmp(helper_commands[i], name) == 0)
			return true;
	return false;
}

static int helper_path(char *out, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL ||
	    snprintf(out, size, "%.*shull-image", (int)(slash + 1 - self), self) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int hull_exec_image_helper(char **argv)
{
	char path[4200];

	if (helper_path(path, sizeof(path)) < 0) {
		fprintf(stderr, "hull: cannot find hull-image beside hull\n");
		return 1;
	}
	execv(path, argv);
	fprintf(stderr, "hull: run `%s`: %s\n", path, strerror(errno));
	return 1;
}

int hull_image_helper_run(struct hull_cli *cli, const char *const *args, int in_fd, bool quiet)
{
	char path[4200], size[32];
	const char *argv[16];
	size_t n = 0;
	int status;
	pid_t pid;

	if (helper_path(path, sizeof(path)) < 0)
		return -ENOENT;
	argv[n++] = path;
	argv[n++] = "--store";
	argv[n++] = cli->store_path;
	if (cli->max_layer_bytes) {
		snprintf(size, sizeof(size), "%llu", (unsigned long long)cli->max_layer_bytes);
		argv[n++] = "--max-layer-size";
		argv[n++] = size;
	}
	if (cli->debug)
		argv[n++] = "--debug";
	for (size_t i = 0; args[i] && n < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Its stdout (an image id) is not ours to print: run's own stdout is the container's. */
		int null = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
		dup2(null >= 0 ? null : 2, 1);
		if (in_fd >= 0 && in_fd != 0)
			dup2(in_fd, 0);
		execv(path, (char *const *)argv);
		fprintf(stderr, "hull: run `%s`: %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int hull_image_helper_pull(struct hull_cli *cli, const char *image)
{
	const char *args[] = {"pull", image, NULL};

	return hull_image_helper_run(cli, args, -1, false);
}
