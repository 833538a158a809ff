/* The OCI lifecycle operations, as the command-line front ends call them. */
#ifndef HULL_RUNTIME_RUNTIME_H
#define HULL_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "linux/cgroup_manager.h"
#include "runtime/state_store.h"
#include "util/error.h"

/* Compiled seccomp programs, under the state root: '@' cannot start a container id, so it never collides. */
#define RUNTIME_SECCOMP_CACHE "@seccomp-cache"

struct runtime_context {
	const char *state_root;
	const struct cgroup_manager *cgroup_manager; /* for create; delete uses the one the state names */
};

struct create_options {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
};

/* A container created by runtime_create and not yet started, for `run`. */
struct created_container {
	pid_t pid;
	int sync_fd; /* `run` starts the container through it instead of the start socket */
};

/* create: sets the container up and leaves its process waiting for start.  With `foreground` (run), no
 * start socket is made: runtime_start_created() starts it. */
int runtime_create(const struct runtime_context *rt, const struct create_options *o, bool foreground,
		   int console_fd, struct created_container *out, struct hull_error **err);

int runtime_start(const struct runtime_context *rt, const char *id, struct hull_error **err);

/* For run: starts the process created with foreground=true. */
int runtime_start_created(const struct runtime_context *rt, const char *id, struct created_container *c,
			  struct hull_error **err);

int runtime_kill(const struct runtime_context *rt, const char *id, int signo, bool all,
		 struct hull_error **err);
int runtime_delete(const struct runtime_context *rt, const char *id, bool force, struct hull_error **err);

/* exec: a new process in a running container.  Without process_file, the container's own process is the
 * template and the flags change it. */
struct exec_options {
	const char *id;
	const char *process_file; /* --process: a process object as in config.json */
	char **args;		  /* the command, when there is no process file */
	int n_args;
	bool tty;
	bool detach;
	const char *console_socket;
	const char *pid_file;
	int preserve_fds;
	const char *cwd;
	const char **env; /* KEY=VALUE, added or replacing */
	size_t n_env;
	const char *user;  /* UID[:GID] */
	const char **caps; /* added to the bounding, effective and permitted sets */
	size_t n_caps;
	const char **additional_gids;
	size_t n_additional_gids;
	bool no_new_privs;
	const char *apparmor;
	const char *process_label;
	bool ignore_paused;   /* exec into a paused container (the process starts frozen) */
	const char **cgroups; /* --cgroup [CONTROLLER[,CONTROLLER]:]PATH: sub-cgroups to join */
	size_t n_cgroups;
};

/* Starts the process and returns its pid once it has executed its program (or the reason it could not).
 * The process is a child of the caller (so that `exec` without -d can wait for it).  console_fd, when not
 * -1, receives the pty of a process with a terminal (instead of --console-socket). */
int runtime_exec(const struct runtime_context *rt, const struct exec_options *o, int console_fd, pid_t *pid,
		 struct hull_error **err);

/* Freezes and thaws every process of the container (status paused <-> running). */
int runtime_pause(const struct runtime_context *rt, const char *id, struct hull_error **err);
int runtime_resume(const struct runtime_context *rt, const char *id, struct hull_error **err);

/* Applies linux.resources (the same object as in config.json) to a running or paused container and
 * records it in the saved config. */
int runtime_update(const struct runtime_context *rt, const char *id, json_object *resources,
		   struct hull_error **err);

/* The pids of the container's processes (malloc'd), empty once it has stopped. */
int runtime_pids(const struct runtime_context *rt, const char *id, pid_t **pids, size_t *count,
		 struct hull_error **err);

/* The container's usage (runc's `events --stats` data), its OOM kill count and whether it still runs. */
int runtime_stats(const struct runtime_context *rt, const char *id, json_object **stats, uint64_t *oom_kills,
		  bool *running, struct hull_error **err);

/* The state with a live status; the caller frees it. */
int runtime_state(const struct runtime_context *rt, const char *id, struct container_state *out,
		  struct hull_error **err);

#endif
