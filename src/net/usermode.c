#include "net/usermode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/process.h"
#include "util/socket.h"

#define READY_TIMEOUT_MS 10000

static char *state_file(const char *dir, const char *id, const char *suffix)
{
	char *path = NULL;
	return asprintf(&path, "%s/usermode/%s%s", dir, id, suffix) < 0 ? NULL : path;
}

/* Whether the container has a user namespace of its own, which the helper must join first. */
static bool own_user_namespace(pid_t pid)
{
	struct stat mine, theirs;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	return stat("/proc/self/ns/user", &mine) == 0 && stat(path, &theirs) == 0 &&
	       mine.st_ino != theirs.st_ino;
}

/* The helper, detached: its own session, stdin and stdout on /dev/null, stderr to log.  keep is the one
 * descriptor it inherits (-1: none). */
static pid_t spawn(char *const argv[], const char *log, int keep, struct hull_error **err)
{
	pid_t pid = fork();

	if (pid < 0)
		return hull_error_errno(err, "%s: fork", argv[0]);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC),
		    logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		setsid();
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(logfd >= 0 ? logfd : null, 2) < 0)
			_exit(127);
		if (keep >= 0)
			fcntl(keep, F_SETFD, 0);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* The helper's last words, for an error. */
static void last_line(const char *log, char *out, size_t size)
{
	cleanup_free char *text = NULL;
	char *line, *end;

	snprintf(out, size, "no message");
	if (fs_read_file(AT_FDCWD, log, &text, NULL, NULL) < 0)
		return;
	for (end = text + strlen(text); end > text && (end[-1] == '\n' || end[-1] == ' '); end--)
		;
	*end = '\0';
	line = strrchr(text, '\n');
	snprintf(out, size, "%s", line ? line + 1 : text);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
}

static int wait_ready(int fd, pid_t helper, const char *name, const char *log, struct hull_error **err)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char byte, why[256];
	int status;

	if (poll(&p, 1, READY_TIMEOUT_MS) == 1 && read(fd, &byte, 1) == 1)
		return 0;
	kill(helper, SIGKILL);
	waitpid(helper, &status, 0);
	last_line(log, why, sizeof(why));
	return hull_error_fail(err, EIO, "%s did not configure the container's network: %s", name, why);
}

/* slirp4netns's API: one JSON request per connection, one JSON answer. */
static int slirp_forward(const char *socket_path, const struct net_port *p, struct hull_error **err)
{
	cleanup_close int sock = socket_connect_path(socket_path, SOCK_STREAM, err);
	char request[256], reply[1024], ip[INET_ADDRSTRLEN];
	json_object *doc = NULL, *error = NULL;
	ssize_t n;
	int ret = 0;

	if (sock < 0)
		return sock;
	snprintf(request, sizeof(request),
		 "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", \"host_addr\": \"%s\", "
		 "\"host_port\": %u, \"guest_port\": %u}}",
		 net_proto_name(p->proto), inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip)), p->host_port,
		 p->port);
	if (send(sock, request, strlen(request), MSG_NOSIGNAL) < 0)
		return hull_error_errno(err, "slirp4netns API");
	shutdown(sock, SHUT_WR);
	if ((n = recv(sock, reply, sizeof(reply) - 1, 0)) <= 0)
		return hull_error_fail(err, EIO, "slirp4netns API: no answer");
	reply[n] = '\0';
	if (json_parse_text(reply, (size_t)n, "slirp4netns answer", &doc, err) < 0)
		return -EIO;
	if (json_object_object_get_ex(doc, "error", &error))
		ret = hull_error_fail(err, EADDRINUSE, "%s", json_get_string(error, "desc", "refused"));
	json_object_put(doc);
	return ret;
}

static int start_slirp(const char *dir, const char *id, pid_t container, const struct net_ports *ports,
		       struct net_usermode_attachment *out, struct hull_error **err)
{
	cleanup_free char *log = state_file(dir, id, ".log"), *api = state_file(dir, id, ".sock");
	char ready_arg[32], userns_arg[64], pid_arg[16], api_arg[4200];
	char *argv[16];
	int ready[2], ret, n = 0;
	pid_t helper;

	if (log == NULL || api == NULL)
		return hull_error_set(err, ENOMEM, "slirp4netns");
	if (pipe2(ready, O_CLOEXEC) < 0)
		return hull_error_errno(err, "slirp4netns: pipe");
	snprintf(ready_arg, sizeof(ready_arg), "--ready-fd=%d", ready[1]);
	snprintf(userns_arg, sizeof(userns_arg), "--userns-path=/proc/%d/ns/user", (int)container);
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)container);
	snprintf(api_arg, sizeof(api_arg), "--api-socket=%s", api);
	unlink(api);
	argv[n++] = "slirp4netns";
	argv[n++] = "--configure";
	argv[n++] = "--mtu=65520";
	/* The host's 127.0.0.1 is the host's own business: 10.0.2.2 does not lead to it. */
	argv[n++] = "--disable-host-loopback";
	argv[n++] = ready_arg;
	if (ports->count)
		argv[n++] = api_arg;
	if (own_user_namespace(container))
		argv[n++] = userns_arg;
	argv[n++] = pid_arg;
	argv[n++] = "eth0";
	argv[n] = NULL;
	helper = spawn(argv, log, ready[1], err);
	close(ready[1]);
	if (helper < 0) {
		close(ready[0]);
		return helper;
	}
	ret = wait_ready(ready[0], helper, "slirp4netns", log, err);
	close(ready[0]);
	if (ret < 0)
		return ret;
	out->helper = helper;
	process_start_time(helper, &out->helper_start, NULL);
	for (size_t i = 0; i < ports->count; i++) {
		char what[64];
		if (ports->items[i].host_port == 0) {
			ret = hull_error_invalid(err, "port %u: slirp4netns needs a host port (HOSTPORT:%u)",
						 ports->items[i].port, ports->items[i].port);
		} else if ((ret = slirp_forward(api, &ports->items[i], err)) < 0) {
			snprintf(what, sizeof(what), "%u/%s", ports->items[i].host_port,
				 net_proto_name(ports->items[i].proto));
			hull_error_wrap(err, "publish port %s", what);
		}
		if (ret < 0) {
			net_usermode_detach(dir, id, out);
			return ret;
		}
	}
	inet_pton(AF_INET, "10.0.2.100", &out->address);
	inet_pton(AF_INET, "10.0.2.2", &out->gateway);
	inet_pton(AF_INET, "10.0.2.3", &out->dns);
	out->prefix = 24;
	return 0;
}

int net_usermode_attach(const char *dir, const char *id, pid_t container, const struct net_ports *ports,
			struct net_usermode_attachment *out, struct hull_error **err)
{
	cleanup_free char *sub = NULL;
	int ret;

	*out = (struct net_usermode_attachment){0};
	if (container <= 0)
		return hull_error_invalid(err, "slirp4netns needs the container's pid");
	if (asprintf(&sub, "%s/usermode", dir) < 0)
		return hull_error_set(err, ENOMEM, "slirp4netns");
	if ((ret = fs_mkdir_parents(sub, 0700, err)) < 0 ||
	    (ret = start_slirp(dir, id, container, ports, out, err)) < 0)
		return hull_error_wrap(err, "slirp4netns");
	return 0;
}

void net_usermode_detach(const char *dir, const char *id, const struct net_usermode_attachment *a)
{
	const char *const suffixes[] = {".log", ".sock"};

	/* Only the process recorded: a pid reused since belongs to someone else. */
	if (a->helper > 0 && process_is_alive(a->helper, a->helper_start)) {
		/* Not this process's child (an earlier hook started it): its end is watched, not waited for.
		 */
		kill(a->helper, SIGTERM);
		for (int i = 0; i < 100 && process_is_alive(a->helper, a->helper_start); i++)
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
		if (process_is_alive(a->helper, a->helper_start))
			kill(a->helper, SIGKILL);
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		cleanup_free char *path = state_file(dir, id, suffixes[i]);
		if (path)
			unlink(path);
	}
}
