/* Starting an app container through its monitor, stopping, killing and removing it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/userns.h"
#include "image/bundle.h"
#include "runtime/runtime.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/process.h"
#include "util/socket.h"

#define STOP_TIMEOUT_DEFAULT 10
#define KILL_WAIT_MS	     10000

/* Reads the monitor's report up to a newline (or EOF); "" when it said nothing. */
static void read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
}

/* The runtime's message without its "hull-runtime: start `ID`: " preamble. */
static const char *runtime_message(const char *text, const char *id)
{
	const char *p = text;

	if (strncmp(p, "hull-runtime: ", 14) == 0)
		p += 14;
	for (const char *verb = "create \0start \0"; *verb; verb += strlen(verb) + 1) {
		size_t n = strlen(verb);
		if (strncmp(p, verb, n) == 0 && p[n] == '`' && strncmp(p + n + 1, id, strlen(id)) == 0 &&
		    strncmp(p + n + 1 + strlen(id), "`: ", 3) == 0)
			return p + n + 1 + strlen(id) + 3;
	}
	return p;
}

/* Docker tells "not found" (127) from "cannot be run" (126) by the runtime's message. */
static int start_error(const struct app_container *c, const char *text, struct hull_error **err)
{
	const char *message = runtime_message(text, c->id);
	int errnum = strstr(message, "No such file or directory") || strstr(message, "not found")   ? ENOENT
		     : strstr(message, "Permission denied") || strstr(message, "Exec format error") ? EACCES
												    : EIO;

	return hull_error_fail(err, errnum, "start `%s`: %s", app_container_name(c), message);
}

struct monitor_argv {
	const char *argv[40];
	size_t n;
	char log_size[32], log_files[16];
};

static void monitor_argv(struct engine *e, const struct app_container *c, const char *bundle, const char *dir,
			 const struct start_io *io, struct monitor_argv *m)
{
	const char **a = m->argv;
	size_t n = 0;

	a[n++] = e->monitor;
	a[n++] = "--runtime";
	a[n++] = e->runtime;
	a[n++] = "--root";
	a[n++] = e->runroot;
	a[n++] = "--id";
	a[n++] = c->id;
	a[n++] = "--bundle";
	a[n++] = bundle;
	a[n++] = "--dir";
	a[n++] = dir;
	a[n++] = "--ready-fd";
	a[n++] = "3";
	if (io->attach)
		a[n++] = "--attach";
	{
		json_object *config = NULL, *tty = NULL, *open_stdin = NULL;
		json_object_object_get_ex(c->doc, "Config", &config);
		/* Detached, a container made with -i keeps a stdin for `hull attach` (the monitor's pipe). */
		if (io->stdin_in ||
		    (!io->attach && json_object_object_get_ex(config, "OpenStdin", &open_stdin) &&
		     json_object_get_boolean(open_stdin)))
			a[n++] = "--stdin";
		if (json_object_object_get_ex(config, "Tty", &tty) && json_object_get_boolean(tty))
			a[n++] = "--tty";
	}
	{
		json_object *host = NULL, *log = NULL, *opts = NULL;
		json_object_object_get_ex(c->doc, "HostConfig", &host);
		json_object_object_get_ex(host, "LogConfig", &log);
		json_object_object_get_ex(log, "Config", &opts);
		if (json_get_string(opts, "max-size", NULL)) {
			snprintf(m->log_size, sizeof(m->log_size), "%s",
				 json_get_string(opts, "max-size", ""));
			a[n++] = "--log-size";
			a[n++] = m->log_size;
		}
		if (json_get_string(opts, "max-file", NULL)) {
			snprintf(m->log_files, sizeof(m->log_files), "%s",
				 json_get_string(opts, "max-file", ""));
			a[n++] = "--log-files";
			a[n++] = m->log_files;
		}
	}
	/* The exit command: hull itself, with the store and runtime this engine uses. */
	a[n++] = "--";
	a[n++] = e->self;
	a[n++] = "--store";
	a[n++] = e->store->path;
	a[n++] = "--runroot";
	a[n++] = e->runroot;
	a[n++] = "--runtime";
	a[n++] = e->runtime;
	a[n++] = "container";
	a[n++] = "cleanup";
	a[n++] = c->id;
	a[n] = NULL;
	m->n = n;
}

/* In the child: the monitor gets a session of its own (no terminal's signals), fd 3 for its report and
 * nothing else of ours.  Detached, it is a grandchild, so that it is nobody's child but the
 * subreaper's or init's. */
static void exec_monitor(const struct monitor_argv *m, int ready, bool attach, bool stdin_in)
{
	int null;

	setsid();
	if (!attach) {
		pid_t pid = fork();
		if (pid != 0)
			_exit(pid < 0 ? 125 : 0);
	}
	null = open("/dev/null", O_RDWR);
	if (ready != 3 && (dup2(ready, 3) < 0 || close(ready) < 0))
		_exit(125);
	/* Detached, the monitor keeps nothing of ours: a stdin it gives the container is its own pipe. */
	if (!stdin_in || !attach)
		dup2(null, 0);
	if (!attach) {
		dup2(null, 1);
		dup2(null, 2);
	}
	syscall(SYS_close_range, 4, ~0U, 0);
	execv(m->argv[0], (char *const *)m->argv);
	_exit(127);
}

/* Signals for the container while attached, as docker run's signal proxy. */
static const int proxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/* Until the monitor's last line on ready ("exit CODE" or "detached"), with our signals proxied: a window
 * change goes to the monitor as SIGWINCH when it is our child (monitor > 0), as "winch" on the attach
 * socket otherwise. */
static int attach_wait(struct engine *e, struct app_container *c, int ready, pid_t monitor,
		       struct start_io *io)
{
	sigset_t set, old;
	int sigfd, status;
	char line[256] = "";

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(proxied) / sizeof(proxied[0]); i++)
		sigaddset(&set, proxied[i]);
	/* The terminal's size is the monitor's to pass on to the pty. */
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[2] = {{ready, POLLIN, 0}, {sigfd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGWINCH &&
			    monitor > 0)
				kill(monitor, SIGWINCH);
			else if (si.ssi_signo == SIGWINCH)
				send(ready, "winch", 5, MSG_NOSIGNAL);
			else if (si.ssi_signo != SIGWINCH) {
				struct hull_error *err = NULL;
				runtime_kill(&e->rt, c->id, (int)si.ssi_signo, false, &err);
				hull_error_free(&err);
			}
		}
		if (p[0].revents && monitor > 0) {
			read_line(ready, line, sizeof(line));
			break;
		}
		if (p[0].revents) {
			/* The attach socket: one message, read whole.  A monitor that closed with our message
			 * unread (turning us away) makes the first recv fail with ECONNRESET; its line is
			 * still queued behind that. */
			ssize_t n = recv(ready, line, sizeof(line) - 1, 0);
			if (n < 0 && errno == ECONNRESET)
				n = recv(ready, line, sizeof(line) - 1, MSG_DONTWAIT);
			line[n > 0 ? n : 0] = '\0';
			break;
		}
	}
	if (strcmp(line, "busy") == 0) {
		if (sigfd >= 0)
			close(sigfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -EBUSY;
	}
	io->detached = strcmp(line, "detached") == 0;
	io->exit_code = strncmp(line, "exit ", 5) == 0 ? atoi(line + 5) : io->detached ? 0 : 125;
	/* The monitor goes on with the exit command (an --rm container's removal): run returns after it.
	 * Detached, the container runs on and the monitor with it. */
	while (monitor > 0 && !io->detached && waitpid(monitor, &status, 0) < 0 && errno == EINTR)
		;
	if (sigfd >= 0)
		close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

/* The overlay of the bundle's root, mounted again when it is not (after a reboot). */
int engine_ensure_rootfs(struct engine *e, const struct app_container *c, const char *bundle,
			 struct hull_error **err)
{
	cleanup_free char *rootfs = NULL;
	struct stat dir, root;

	if (asprintf(&rootfs, "%s/rootfs", bundle) < 0)
		return hull_error_set(err, ENOMEM, "start");
	if (stat(bundle, &dir) < 0 || stat(rootfs, &root) < 0)
		return hull_error_errno(err, "start `%s`: `%s`", app_container_name(c), rootfs);
	if (dir.st_dev != root.st_dev) {
		/* A booting init with CAP_SYS_ADMIN remounts its root read-only as it powers off (busybox
		 * init's `umount -a -r`): that is the overlay's superblock, the host's mount of it included.
		 * Mounted anew, it is writable again; the layers themselves were never touched. */
		struct statvfs fs;
		if (statvfs(rootfs, &fs) < 0 || !(fs.f_flag & ST_RDONLY))
			return 0;
		if (umount2(rootfs, MNT_DETACH) < 0)
			return hull_error_errno(err, "start `%s`: unmount the read-only `%s`",
						app_container_name(c), rootfs);
	}
	struct bundle_idmap idmap;
	if (image_bundle_mount(e->store, json_get_string(c->doc, "ImageDigest", ""), bundle,
			       engine_userns_of(c, &idmap) ? &idmap : NULL, err) < 0)
		return hull_error_wrap(err, "start `%s`", app_container_name(c));
	return 0;
}

int engine_start(struct engine *e, struct app_container *c, struct start_io *io, struct hull_error **err)
{
	cleanup_free char *bundle = engine_path(e, c->id, "bundle"), *dir = engine_path(e, c->id, NULL);
	cleanup_free char *run = NULL, *exit_rec = NULL;
	struct monitor_argv m;
	struct app_state st;
	char line[4200];
	int ready[2], lock, status, ret;
	pid_t child;

	if (bundle == NULL || dir == NULL || asprintf(&run, "%s/run.json", c->id) < 0 ||
	    asprintf(&exit_rec, "%s/exit.json", c->id) < 0)
		return hull_error_set(err, ENOMEM, "start");
	if ((lock = engine_lock(e, c->id, err)) < 0)
		return hull_error_wrap(err, "start `%s`", app_container_name(c));
	engine_state(e, c, &st);
	/* A restart by policy gives way to a stop its user asked for meanwhile (both hold the lock). */
	if (st.status == APP_RUNNING || st.status == APP_PAUSED ||
	    (io->restart && engine_stopped_by_user(e, c->id))) {
		close(lock);
		return 0;
	}
	/* The last run's throwaway layer goes before this run mounts its root. */
	if ((ret = io->ephemeral ? engine_root_ephemeral(e, c, bundle, err)
				 : engine_discard_ephemeral(e, c, err)) < 0) {
		close(lock);
		return hull_error_wrap(err, "start `%s`", app_container_name(c));
	}
	if ((ret = engine_ensure_rootfs(e, c, bundle, err)) < 0) {
		close(lock);
		return ret;
	}
	if ((ret = engine_shared_network_join(e, c, bundle, err)) < 0) {
		close(lock);
		return hull_error_wrap(err, "start `%s`", app_container_name(c));
	}
	unlinkat(e->dir_fd, exit_rec, 0);
	unlinkat(e->dir_fd, run, 0);
	if (!io->restart)
		engine_mark_stopped(e, c, false);
	monitor_argv(e, c, bundle, dir, io, &m);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(lock);
		return hull_error_errno(err, "start `%s`: pipe", app_container_name(c));
	}
	child = fork();
	if (child == 0) {
		close(ready[0]);
		exec_monitor(&m, ready[1], io->attach, io->stdin_in);
	}
	close(ready[1]);
	if (child < 0) {
		close(ready[0]);
		close(lock);
		return hull_error_errno(err, "start `%s`: fork", app_container_name(c));
	}
	if (!io->attach)
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	read_line(ready[0], line, sizeof(line));
	close(lock);
	if (strncmp(line, "ok ", 3) != 0) {
		if (io->attach)
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
		close(ready[0]);
		if (strncmp(line, "error ", 6) == 0)
			return start_error(c, line + 6, err);
		return hull_error_fail(err, EIO, "start `%s`: the monitor `%s` ended without a report",
				       app_container_name(c), e->monitor);
	}
	if (io->attach)
		attach_wait(e, c, ready[0], child, io);
	close(ready[0]);
	return 0;
}

int engine_attach(struct engine *e, struct app_container *c, struct start_io *io, struct hull_error **err)
{
	cleanup_free char *sock_path = engine_path(e, c->id, "attach.sock");
	cleanup_close int sock = -1;
	const int fds[3] = {0, 1, 2};
	const char *hello = io->stdin_in ? "attach stdin" : "attach";
	struct app_state st;

	if (sock_path == NULL)
		return hull_error_set(err, ENOMEM, "attach");
	engine_state(e, c, &st);
	if (st.status != APP_RUNNING && st.status != APP_PAUSED)
		return hull_error_fail(err, EINVAL,
				       "attach `%s`: the container is not running; start it first",
				       app_container_name(c));
	if ((sock = socket_connect_path(sock_path, SOCK_SEQPACKET, err)) < 0)
		return hull_error_wrap(err, "attach `%s`: its monitor does not answer",
				       app_container_name(c));
	if (socket_send_fds_with(sock, fds, 3, hello, strlen(hello), err) < 0) {
		/* A monitor that turns us away may have closed before our message: its "busy" is queued. */
		char text[8] = "";
		if (recv(sock, text, sizeof(text) - 1, MSG_DONTWAIT) == 4 && memcmp(text, "busy", 4) == 0) {
			hull_error_free(err);
			return hull_error_fail(err, EBUSY, "attach `%s`: another terminal is attached",
					       app_container_name(c));
		}
		return hull_error_wrap(err, "attach `%s`", app_container_name(c));
	}
	if (attach_wait(e, c, sock, 0, io) == -EBUSY)
		return hull_error_fail(err, EBUSY, "attach `%s`: another terminal is attached",
				       app_container_name(c));
	return 0;
}

/* The monitor from run.json, if it is still the process that wrote it. */
static int monitor_pidfd(const struct app_container *c)
{
	json_object *pid, *start;

	if (c->run == NULL || !json_object_object_get_ex(c->run, "MonitorPid", &pid))
		return -ESRCH;
	json_object_object_get_ex(c->run, "MonitorStart", &start);
	return process_pidfd_open((pid_t)json_object_get_int(pid),
				  start ? (uint64_t)json_object_get_int64(start) : 0);
}

/* The container's init, for when its monitor is gone. */
static int init_pidfd(struct engine *e, const struct app_container *c)
{
	struct container_state rs = {0};
	struct hull_error *err = NULL;
	int fd = -ESRCH;

	if (runtime_state(&e->rt, c->id, &rs, &err) == 0 && rs.status != STATUS_STOPPED && rs.pid > 0)
		fd = process_pidfd_open(rs.pid, rs.start_time);
	state_free(&rs);
	hull_error_free(&err);
	return fd;
}

int engine_wait_exit(struct engine *e, struct app_container *c, long timeout_ms)
{
	int fd = monitor_pidfd(c), ret;
	struct pollfd p;

	/* The monitor ends after the container and its records; without one, the init is all there is. */
	if (fd < 0)
		fd = init_pidfd(e, c);
	if (fd < 0)
		return 1;
	p = (struct pollfd){fd, POLLIN, 0};
	do
		ret = poll(&p, 1, (int)timeout_ms);
	while (ret < 0 && errno == EINTR);
	close(fd);
	return ret > 0 ? 1 : 0;
}

/* Marks it stopped by its user under its lock, and reloads what the monitors wrote: a restart by policy
 * that held the lock may have started a new monitor, which is then the one to wait for. */
static void mark_stopped_locked(struct engine *e, struct app_container *c)
{
	struct hull_error *ignored = NULL;
	struct app_container now;
	int lock = engine_lock(e, c->id, &ignored);

	engine_mark_stopped(e, c, true);
	if (engine_load(e, c->id, &now, NULL) == 0) {
		app_container_free(c);
		*c = now;
	}
	if (lock >= 0)
		close(lock);
	hull_error_free(&ignored);
}

int engine_kill(struct engine *e, struct app_container *c, int sig, struct hull_error **err)
{

	if (!engine_running(e, c, NULL))
		return hull_error_fail(err, EINVAL, "kill `%s`: the container is not running",
				       app_container_name(c));
	if (runtime_kill(&e->rt, c->id, sig, false, err) < 0)
		return hull_error_wrap(err, "kill `%s`", app_container_name(c));
	return 0;
}

int engine_stop(struct engine *e, struct app_container *c, int sig, int timeout, struct hull_error **err)
{
	struct hull_error *ignored = NULL;
	json_object *config = NULL;

	/* Stopped by its user: no restart policy brings it back (until it is started again), also when it
	 * is between two runs, waiting out its back-off. */
	mark_stopped_locked(e, c);
	if (!engine_running(e, c, NULL)) {
		engine_wait_exit(e, c, KILL_WAIT_MS);
		return 0; /* as docker stop: stopping a stopped container succeeds */
	}
	json_object_object_get_ex(c->doc, "Config", &config);
	if (sig <= 0) {
		if (signal_parse(json_get_string(config, "StopSignal", "SIGTERM"), &sig, &ignored) < 0) {
			hull_error_free(&ignored);
			sig = SIGTERM;
		}
	}
	if (timeout < 0) {
		json_object *t = NULL;
		json_object_object_get_ex(config, "StopTimeout", &t);
		timeout = t ? json_object_get_int(t) : STOP_TIMEOUT_DEFAULT;
	}
	/* A paused container cannot act on the signal until it is thawed. */
	runtime_resume(&e->rt, c->id, &ignored);
	hull_error_free(&ignored);
	if (runtime_kill(&e->rt, c->id, sig, false, &ignored) == 0 && engine_wait_exit(e, c, timeout * 1000L))
		return 0;
	hull_error_free(&ignored);
	runtime_kill(&e->rt, c->id, SIGKILL, true, &ignored);
	hull_error_free(&ignored);
	if (!engine_wait_exit(e, c, KILL_WAIT_MS))
		return hull_error_fail(err, ETIMEDOUT, "stop `%s`: still running after SIGKILL",
				       app_container_name(c));
	return 0;
}

/* Everything of the container: the runtime's record (when the monitor could not delete it), the bundle
 * with its overlay mount and network, the directory.  Under the container's lock, then the engine's. */
int engine_remove_locked(struct engine *e, struct app_container *c, struct hull_error **err)
{
	struct container_state rs = {0};
	struct hull_error *ignored = NULL;
	cleanup_free char *bundle = engine_path(e, c->id, "bundle"), *config = NULL;
	int lock, ret = 0;

	if (bundle == NULL || asprintf(&config, "%s/config.json", bundle) < 0)
		return hull_error_set(err, ENOMEM, "remove");
	if (runtime_state(&e->rt, c->id, &rs, &ignored) == 0)
		runtime_delete(&e->rt, c->id, true, &ignored);
	state_free(&rs);
	hull_error_free(&ignored);
	if (access(bundle, F_OK) == 0 && image_bundle_remove(e->store, bundle, err) < 0)
		return hull_error_wrap(err, "rm `%s`", app_container_name(c));
	if ((lock = engine_lock(e, NULL, err)) < 0)
		return lock;
	if (fs_remove_tree(e->dir_fd, c->id, err) < 0)
		ret = hull_error_wrap(err, "rm `%s`", app_container_name(c));
	close(lock);
	return ret;
}

int engine_remove(struct engine *e, struct app_container *c, bool force, struct hull_error **err)
{
	struct hull_error *ignored = NULL;
	int lock, ret;

	if (engine_running(e, c, NULL)) {
		if (!force)
			return hull_error_fail(
			    err, EBUSY, "rm `%s`: the container is running (stop it first, or rm --force)",
			    app_container_name(c));
		mark_stopped_locked(e, c);
		runtime_kill(&e->rt, c->id, SIGKILL, true, &ignored);
		hull_error_free(&ignored);
		engine_wait_exit(e, c, KILL_WAIT_MS);
	}
	/* The monitor's exit command may have removed an --rm container meanwhile. */
	if ((lock = engine_lock(e, c->id, err)) < 0) {
		if (hull_error_code(*err) != -ENOENT)
			return lock;
		hull_error_free(err);
		return 0;
	}
	ret = engine_remove_locked(e, c, err);
	close(lock);
	return ret;
}
