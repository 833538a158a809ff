#include "runtime/process_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <json-c/json.h>

#include "linux/lsm.h"
#include "linux/process_setup.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/passwd.h"
#include "util/socket.h"

void process_launch_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int process_launch_terminal(const struct oci_process *p, int *console_fd, struct hull_error **err)
{
	cleanup_close int master = -1;
	int peer = -1;
	int ret;

	if (!p->terminal)
		return 0;
	if (*console_fd < 0)
		return hull_error_invalid(err, "process.terminal is set but no console socket was given");
	ret = terminal_open(&master, &peer, p->console_height, p->console_width, err);
	if (ret < 0)
		return ret;
	/* The pty is the process's own terminal: as with runc, it belongs to the process user, who could
	 * otherwise not change its modes or, with a restrictive devpts mode, even reopen /dev/tty. */
	if (fchown(peer, p->user.uid, p->user.gid) < 0) {
		ret = hull_error_errno(err, "give the pty to %u:%u", p->user.uid, p->user.gid);
		close(peer);
		return ret;
	}
	ret = socket_send_fd(*console_fd, master, err);
	if (ret < 0) {
		close(peer);
		return hull_error_wrap(err, "send the pty to the console socket");
	}
	close(*console_fd);
	*console_fd = -1;
	return terminal_become_controlling(peer, err);
}

/* The OCI containerProcessState document that goes with the listener descriptor. */
static char *process_state_json(const struct process_launch *pl, const char *metadata)
{
	json_object *doc = json_object_new_object(), *fds = json_object_new_array();
	json_object *state = pl->state_json ? json_tokener_parse(pl->state_json) : NULL;
	char *text;

	json_object_object_add(doc, "ociVersion", json_object_new_string("1.0.2"));
	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(doc, "fds", fds);
	json_object_object_add(doc, "pid", json_object_new_int(pl->host_pid));
	json_object_object_add(doc, "metadata", json_object_new_string(metadata));
	json_object_object_add(doc, "state", state ? state : json_object_new_object());
	text = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
	return text;
}

/* Loads the filter; with notify rules, hands the listener to listenerPath and lets go of it. */
static int install_seccomp(struct process_launch *pl, struct hull_error **err)
{
	cleanup_close int notify_fd = -1;
	cleanup_free char *state = NULL;

	if (pl->seccomp == NULL)
		return 0;
	if (seccomp_filter_load(pl->seccomp, &notify_fd, err) < 0)
		return -1;
	if (notify_fd < 0)
		return 0;
	state = process_state_json(pl, seccomp_filter_listener_metadata(pl->seccomp));
	if (state == NULL || *pl->seccomp_listener_fd < 0 ||
	    socket_send_fd_with(*pl->seccomp_listener_fd, notify_fd, state, strlen(state), err) < 0)
		return hull_error_wrap(err, "send the seccomp listener to listenerPath");
	close(*pl->seccomp_listener_fd);
	*pl->seccomp_listener_fd = -1;
	return 0;
}

/* In a user namespace whose setgroups is "deny", supplementary groups cannot be set.  Outside one they
 * always can, and /proc is not read on the way to every container's start. */
static bool setgroups_allowed(bool user_ns)
{
	char buf[16] = "";
	int fd = user_ns ? open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0)
		return true;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strncmp(buf, "deny", 4) != 0;
}

static bool env_has(const struct oci_process *p, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], name, n) == 0 && p->env[i][n] == '=')
			return true;
	return false;
}

int process_launch_exec(struct process_launch *pl, struct hull_error **err)
{
	const struct oci_process *p = pl->process;
	const char *env[8] = {NULL};
	char home[4096 + 5];
	size_t n = 0;
	int ret;

	/* As runc: without HOME in the config, the process user's home from the root's /etc/passwd (read as
	 * the runtime, before the user switch; this process's root is the container's by now), else "/". */
	for (; pl->extra_env && pl->extra_env[n] && n < 6; n++)
		env[n] = pl->extra_env[n];
	if (!env_has(p, "HOME")) {
		memcpy(home, "HOME=", 5);
		passwd_home("/etc/passwd", p->user.uid, home + 5, sizeof(home) - 5);
		env[n++] = home;
	}
	pl->extra_env = env;
	if ((ret = lsm_set_exec_labels(p->apparmor_profile, p->selinux_label, err)) < 0)
		return ret;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while the capabilities are
	 * still there (the filter must then allow the user and capability switch, as with runc).  With
	 * no_new_privs it is loaded last, just before execve. */
	if ((ret = capabilities_drop_bounding(pl->caps, err)) < 0 ||
	    (!p->no_new_privileges && (ret = install_seccomp(pl, err)) < 0) ||
	    (ret = process_set_user(p, setgroups_allowed(pl->user_ns), err)) < 0 ||
	    (ret = capabilities_apply(pl->caps, err)) < 0)
		return ret;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hull_error_errno(err, "set no_new_privs");
	if (p->no_new_privileges && (ret = install_seccomp(pl, err)) < 0)
		return ret;
	return process_exec(p, pl->extra_env, err);
}
