#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "monitor/attach.h"
#include "monitor/log_writer.h"
#include "monitor/oom.h"
#include "monitor/terminal.h"
#include "util/fdio.h"
#include "util/socket.h"
#include "util/timefmt.h"

/* Docker cuts lines at 16 KiB into partial entries; so does the monitor, with a fixed buffer per stream. */
#define LINE_MAX_BYTES 16384
/* After the init ends, processes it left in a shared PID namespace may hold the pipes open. */
#define DRAIN_MS 2000

struct stream {
	int fd;	    /* read end of the container's pipe, -1 at EOF */
	int tee_fd; /* --attach: our stdout or stderr, -1 when not copying (or the reader left) */
	const char *name;
	size_t len;
	char buf[LINE_MAX_BYTES];
};

/* Signals a terminal or a shell sends to a process group are not the monitor's business: it runs in a
 * session of its own, and stops only when the container does. */
static const int ignored_signals[] = {SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE};

static void report(int fd, const char *fmt, const char *text, long value)
{
	if (fd < 0)
		return;
	if (text) {
		/* One line: the runtime's message may end with a newline or hold several. */
		size_t n = strcspn(text, "\n");
		dprintf(fd, fmt, (int)n, text);
	} else
		dprintf(fd, fmt, value);
}

/* DIR/NAME written whole or not at all. */
static int write_record(const char *dir, const char *name, json_object *o)
{
	char path[4096], tmp[4200];
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		ret = -errno;
	close(fd);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	return ret;
}

/* Runs the runtime with ARGS on the given stdio and waits for it; its stderr, when err_fd is a pipe, is
 * read by the caller afterwards (a runtime's message fits a pipe's buffer many times over). */
static int run_runtime(const struct monitor_options *o, const char *const *args, int in, int out, int err,
		       const sigset_t *old_mask)
{
	const char *argv[16];
	size_t n = 0;
	pid_t pid;
	int status;

	argv[n++] = o->runtime;
	argv[n++] = "--root";
	argv[n++] = o->runtime_root;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(125);
		/* What the monitor ignores or blocks, the container must not inherit. */
		for (size_t i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++)
			signal(ignored_signals[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, old_mask, NULL);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "exec `%s`: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void read_available(int fd, char *buf, size_t size)
{
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(buf, size, "the OCI runtime failed without a message");
}

static int read_pid(const char *dir)
{
	char path[4096], text[32] = {0};
	int fd, pid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/pid", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	pid = n > 0 ? atoi(text) : 0;
	return pid > 0 ? pid : -EINVAL;
}

static void log_entries(struct log_writer *w, struct stream *s, bool flush)
{
	size_t start = 0;

	for (size_t i = 0; i < s->len; i++)
		if (s->buf[i] == '\n') {
			log_writer_add(w, s->name, s->buf + start, i + 1 - start);
			start = i + 1;
		}
	/* A line longer than the buffer, or what is left at the end, goes as a partial entry. */
	if (start == 0 && (s->len == sizeof(s->buf) || (flush && s->len))) {
		log_writer_add(w, s->name, s->buf, s->len);
		start = s->len;
	} else if (flush && start < s->len) {
		log_writer_add(w, s->name, s->buf + start, s->len - start);
		start = s->len;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
}

static void copy_out(struct stream *s, const char *data, size_t len)
{
	/* The attached reader went away: the log goes on without it. */
	if (s->tee_fd >= 0 && fd_write_all(s->tee_fd, data, len) < 0)
		s->tee_fd = -1;
}

static void read_stream(struct log_writer *w, struct stream *s)
{
	ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(s->fd);
		s->fd = -1;
		log_entries(w, s, true);
		return;
	}
	copy_out(s, s->buf + s->len, (size_t)n);
	s->len += (size_t)n;
	log_entries(w, s, false);
}

/* Reaps every child that has ended (the subreaper inherits whatever the container orphans); returns
 * true once the init is among them, with its status in *code as a shell gives it. */
static bool reap(pid_t init, int *code)
{
	bool init_done = false;
	siginfo_t info;

	for (;;) {
		memset(&info, 0, sizeof(info));
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
			return init_done;
		if (info.si_pid == init) {
			init_done = true;
			*code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
		}
	}
}

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reset_signals(const sigset_t *old_mask)
{
	for (size_t i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++)
		signal(ignored_signals[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
}

/* create, then start; the init's pid, or -1 after reporting why not. */
static pid_t start_container(const struct monitor_options *o, int in, int out_w, int err_r, int err_w,
			     int console_listen, int *master, const sigset_t *old_mask)
{
	char pid_file[4096], message[4096], console[4200];
	const char *create[] = {"create", "--bundle", o->bundle, "--pid-file", pid_file,
				o->id,	  NULL,	      NULL,	 NULL};
	const char *start[] = {"start", o->id, NULL};
	const char *delete[] = {"delete", "--force", o->id, NULL};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), rt_err[2] = {-1, -1};
	pid_t init = -1;
	int code;

	snprintf(pid_file, sizeof(pid_file), "%s/pid", o->dir);
	if (null < 0 || pipe2(rt_err, O_CLOEXEC) < 0) {
		report(o->ready_fd, "error %.*s\n", "no /dev/null or pipe for the runtime", 0);
		goto out;
	}
	if (console_listen >= 0) {
		/* The runtime sends the pty's master here (hull-runtime reaches a path of any length). */
		snprintf(console, sizeof(console), "%s/console.sock", o->dir);
		create[5] = "--console-socket";
		create[6] = console;
		create[7] = o->id;
	}
	/* create's messages land in the container's stderr pipe, which nothing else writes to before the
	 * init is started: on failure they are the report. */
	if (run_runtime(o, create, in, out_w, err_w, old_mask) != 0) {
		read_available(err_r, message, sizeof(message));
		report(o->ready_fd, "error %.*s\n", message, 0);
		goto out;
	}
	if (console_listen >= 0) {
		struct hull_error *err = NULL;
		int conn = accept4(console_listen, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0 || socket_recv_fd(conn, master, &err) < 0) {
			hull_error_free(&err);
			report(o->ready_fd, "error %.*s\n", "the OCI runtime sent no terminal", 0);
			if (conn >= 0)
				close(conn);
			run_runtime(o, delete, null, null, null, old_mask);
			goto out;
		}
		close(conn);
	}
	if ((init = read_pid(o->dir)) < 0) {
		report(o->ready_fd, "error %.*s\n", "the OCI runtime wrote no pid file", 0);
		run_runtime(o, delete, null, null, null, old_mask);
		goto out;
	}
	if (run_runtime(o, start, null, null, rt_err[1], old_mask) != 0) {
		read_available(rt_err[0], message, sizeof(message));
		report(o->ready_fd, "error %.*s\n", message, 0);
		run_runtime(o, delete, null, null, null, old_mask);
		reap(init, &code);
		init = -1;
	}
out:
	if (null >= 0)
		close(null);
	if (rt_err[0] >= 0) {
		close(rt_err[0]);
		close(rt_err[1]);
	}
	return init;
}

/* Field 22 of /proc/self/stat: with the pid it names this process, so a recycled pid is never taken for
 * the monitor. */
static long long own_start_time(void)
{
	char text[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	p = strrchr(text, ')');
	/* After ") ": state is field 3, so the start time is 19 fields further. */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? atoll(p + 1) : 0;
}

static void record_start(const struct monitor_options *o, pid_t init)
{
	json_object *run = json_object_new_object();
	char now[64];

	timefmt_now(now, sizeof(now));
	json_object_object_add(run, "Pid", json_object_new_int(init));
	json_object_object_add(run, "MonitorPid", json_object_new_int(getpid()));
	json_object_object_add(run, "MonitorStart", json_object_new_int64(own_start_time()));
	json_object_object_add(run, "StartedAt", json_object_new_string(now));
	write_record(o->dir, "run.json", run);
	json_object_put(run);
}

static void record_exit(const struct monitor_options *o, int code, bool oom_killed)
{
	json_object *exit_record = json_object_new_object();
	char now[64];

	timefmt_now(now, sizeof(now));
	json_object_object_add(exit_record, "ExitCode", json_object_new_int(code));
	json_object_object_add(exit_record, "OOMKilled", json_object_new_boolean(oom_killed));
	json_object_object_add(exit_record, "FinishedAt", json_object_new_string(now));
	write_record(o->dir, "exit.json", exit_record);
	json_object_put(exit_record);
}

/* The detach keys: the user's terminal is let go, the container and its log go on. */
static void detach(const struct monitor_options *o, struct stream *out, struct stream *err)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	report(o->ready_fd, "detached\n", NULL, 0);
	close(o->ready_fd);
	((struct monitor_options *)o)->ready_fd = -1;
	out->tee_fd = err->tee_fd = -1;
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (null >= 0)
		close(null);
}

/* The streams are large: static, so that only the pages a container's output touches become resident. */
static struct stream out_stream, err_stream;

/* What the user attached through attach.sock gets: the output, and the input with "stdin". */
static void attach_begin(struct attach_client *c, struct stream *out, struct stream *err,
			 struct terminal_relay *relay, int master, int stdin_w)
{
	int target = master >= 0 ? master : stdin_w;

	out->tee_fd = c->fds[1];
	err->tee_fd = c->fds[2];
	if (master >= 0)
		terminal_copy_size(c->fds[0], master);
	if (c->stdin_wanted && target >= 0)
		*relay = (struct terminal_relay){.in_fd = c->fds[0], .master = target};
}

static void attach_end(struct attach_client *c, const char *last, struct stream *out, struct stream *err,
		       struct terminal_relay *relay)
{
	if (c->sock < 0)
		return;
	out->tee_fd = err->tee_fd = -1;
	if (relay->in_fd == c->fds[0])
		relay->in_fd = -1;
	attach_release(c, last);
}

int monitor_run(const struct monitor_options *o)
{
	struct stream *out = &out_stream, *err = &err_stream;
	struct log_writer log;
	char log_path[4096], last[32];
	sigset_t chld, old_mask;
	int out_p[2], err_p[2], in_p[2] = {-1, -1}, sigfd, in, code = 0, dir_fd, console_listen = -1,
				master = -1, attach_fd = -1;
	struct terminal_relay relay = {.in_fd = -1, .master = -1};
	struct oom_watch oom = {.fd = -1};
	int console_peer = -1;
	struct attach_client client = {.sock = -1, .fds = {-1, -1, -1}};
	bool init_done = false;
	long deadline = 0;
	pid_t init;

	fcntl(o->ready_fd, F_SETFD, FD_CLOEXEC);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (size_t i = 0; i < sizeof(ignored_signals) / sizeof(ignored_signals[0]); i++)
		signal(ignored_signals[i], SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* Attached to a terminal, hull passes its SIGWINCH on to us. */
	if (o->tty && o->attach)
		sigaddset(&chld, SIGWINCH);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	snprintf(log_path, sizeof(log_path), "%s/container.log", o->dir);
	sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	dir_fd = open(o->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* With a terminal the container's stdio is the pty's; ours is relayed to it.  Detached with -i, its
	 * stdin is a pipe the monitor holds, for whoever attaches later. */
	if (o->stdin_in && !o->tty && !o->attach && pipe2(in_p, O_CLOEXEC) == 0)
		in = in_p[0];
	else
		in = o->stdin_in && !o->tty ? 0 : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (o->tty) {
		struct hull_error *e = NULL;
		unlinkat(dir_fd, "console.sock", 0);
		console_listen =
		    dir_fd < 0 ? -1 : socket_listen_at_type(dir_fd, "console.sock", SOCK_STREAM, &e);
		hull_error_free(&e);
	}
	if (sigfd < 0 || in < 0 || dir_fd < 0 || (o->tty && console_listen < 0) ||
	    pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0 ||
	    log_writer_open(&log, log_path, o->log_size, o->log_files) < 0) {
		report(o->ready_fd, "error %.*s: cannot set up the container's output\n", o->dir, 0);
		return 1;
	}
	*out = (struct stream){.fd = out_p[0], .tee_fd = o->attach ? 1 : -1, .name = "stdout"};
	*err = (struct stream){.fd = err_p[0], .tee_fd = o->attach ? 2 : -1, .name = "stderr"};
	init = start_container(o, in, out_p[1], err_p[0], err_p[1], console_listen, &master, &old_mask);
	close(out_p[1]);
	close(err_p[1]);
	if (in_p[0] >= 0)
		close(in_p[0]);
	if (console_listen >= 0) {
		close(console_listen);
		unlinkat(dir_fd, "console.sock", 0);
	}
	if (init < 0) {
		log_writer_close(&log);
		return 1;
	}
	if (master >= 0) {
		/* The pty is the container's stdout (and stderr); the pipe stays empty. */
		close(out->fd);
		out->fd = master;
		/* A pty whose slave nobody holds reads as an error on the master, which would end the output
		 * stream: an init that reopens /dev/console for each message (systemd) leaves it so between
		 * two of them.  The monitor holds the slave until the init has ended. */
		console_peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (o->attach && isatty(0))
			terminal_copy_size(0, master);
		if (o->attach && o->stdin_in)
			relay = (struct terminal_relay){.in_fd = 0, .master = master};
	}
	attach_fd = attach_listen(dir_fd);
	oom_watch_start(&oom, init, o->id);
	record_start(o, init);
	report(o->ready_fd, "ok %ld\n", NULL, init);
	if (!o->attach) {
		close(o->ready_fd);
		((struct monitor_options *)o)->ready_fd = -1;
	}
	for (;;) {
		struct pollfd p[6] = {{out->fd, POLLIN, 0},   {err->fd, POLLIN, 0},
				      {sigfd, POLLIN, 0},     {relay.in_fd, POLLIN, 0},
				      {attach_fd, POLLIN, 0}, {client.sock, POLLIN, 0}};
		int timeout = -1;
		if (init_done) {
			if (out->fd < 0 && err->fd < 0)
				break;
			timeout = (int)(deadline - ms_now());
			if (timeout <= 0)
				break;
		}
		if (poll(p, 6, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			read_stream(&log, out);
		if (p[1].revents)
			read_stream(&log, err);
		if (p[3].revents && !init_done) {
			bool from_client = client.sock >= 0 && relay.in_fd == client.fds[0];
			int r = terminal_relay_input(&relay);
			if (r != 0)
				relay.in_fd = -1;
			if (r > 0 && from_client)
				attach_end(&client, "detached", out, err, &relay);
			else if (r > 0)
				detach(o, out, err);
		}
		/* One user at a time: a foreground run that detached has left. */
		if (p[4].revents && !init_done && out->tee_fd < 0 && client.sock < 0) {
			if (attach_accept(attach_fd, &client))
				attach_begin(&client, out, err, &relay, master, in_p[1]);
		} else if (p[4].revents)
			attach_refuse(attach_fd);
		if (p[5].revents) {
			int r = attach_read(&client);
			if (r > 0 && master >= 0)
				terminal_copy_size(client.fds[0], master);
			else if (r < 0)
				attach_end(&client, NULL, out, err, &relay);
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) > 0)
				if (si.ssi_signo == SIGWINCH && master >= 0 && o->ready_fd >= 0)
					terminal_copy_size(0, master);
			if (reap(init_done ? -1 : init, &code) && !init_done) {
				init_done = true;
				deadline = ms_now() + DRAIN_MS;
				if (console_peer >= 0)
					close(console_peer);
				console_peer = -1;
			}
		}
	}
	log_entries(&log, out, true);
	log_entries(&log, err, true);
	log_writer_close(&log);
	record_exit(o, code, oom_watch_killed(&oom));
	if (attach_fd >= 0) {
		close(attach_fd);
		unlinkat(dir_fd, "attach.sock", 0);
	}
	snprintf(last, sizeof(last), "exit %d", code);
	attach_end(&client, last, out, err, &relay);
	if (in_p[1] >= 0)
		close(in_p[1]);
	close(dir_fd);
	{
		const char *delete[] = {"delete", "--force", o->id, NULL};
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		run_runtime(o, delete, null, null, null, &old_mask);
		close(null);
	}
	reap(-1, &code);
	report(o->ready_fd, "exit %ld\n", NULL, code);
	if (o->ready_fd >= 0)
		close(o->ready_fd);
	if (o->exit_command) {
		reset_signals(&old_mask);
		execv(o->exit_command[0], o->exit_command);
		dprintf(2, "hull-monitor: exec `%s`: %s\n", o->exit_command[0], strerror(errno));
		return 1;
	}
	return 0;
}
