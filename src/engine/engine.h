/* App containers, as `docker run` makes them: a record per container in the store (containers/<id>/),
 * a bundle made from its image (an overlay of the image's layers with the container's own writable
 * layer), and hull-monitor, which starts it through the OCI runtime and stays with it for its life.
 *
 * Locks: containers/lock is held exclusively while a container is added (its name checked and its
 * directory made), renamed or removed, so names stay unique under any number of parallel commands;
 * containers/<id>/lock is held exclusively by whatever starts, stops or removes that container.  The
 * monitor writes run.json and exit.json by rename, so readers need no lock. */
#ifndef HULL_ENGINE_ENGINE_H
#define HULL_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "image/store.h"
#include "runtime/runtime.h"
#include "util/error.h"

#define ENGINE_ID_LEN 64

struct engine {
	struct store *store;
	const char *runroot;	      /* the OCI runtime's state root for app containers */
	struct runtime_context rt;    /* runroot as the runtime library takes it (state, kill, exec) */
	char runtime[4096];	      /* hull-runtime, or --runtime */
	char monitor[4096];	      /* hull-monitor beside this executable */
	char init[4096];	      /* hull-init beside it: PID 1 for --init */
	char self[4096];	      /* this executable, for the monitor's exit command */
	char network_hook[4096];      /* what network hooks run (hull-network when present) */
	bool network_hook_is_network; /* it is hull-network */
	int dir_fd;		      /* <store>/containers */
};

int engine_open(struct engine *e, struct store *s, const char *runroot, const char *runtime,
		struct hull_error **err);
void engine_close(struct engine *e);

/* Docker's rule for names of containers and volumes: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128. */
bool engine_name_valid(const char *name, size_t n);

/* What `hull create`/`run` were asked for. */
struct run_config {
	const char *image, *name, *workdir, *user, *hostname;
	const char *entrypoint; /* NULL: the image's; "": none */
	const char *const *cmd; /* NULL: the image's */
	size_t n_cmd;
	const char *const *env; /* K=V, or K for the caller's value */
	size_t n_env;
	const char *const *volumes; /* -v SRC:DST[:ro|rw] */
	size_t n_volumes;
	const char *const *tmpfs; /* --tmpfs DST[:OPTIONS] */
	size_t n_tmpfs;
	const char *network;	   /* NULL: local (Docker's bridge) */
	const char *userns;	   /* NULL or "host": the host's user namespace; "auto": a range of its own */
	const char *uidmap;	   /* --uidmap 0:HOST:SIZE: that range (gids alike) */
	const char *cgroup_parent; /* the container's cgroup is PARENT/<id> (NULL: the runtime's default) */
	const char *const *publish;
	size_t n_publish;
	const char *const *network_args; /* more `hull network setup` options: --dns, --dns-search, ... */
	size_t n_network_args;
	int64_t memory, pids_limit; /* 0: no limit */
	double cpus;		    /* 0: no limit */
	const char *const *cap_add, *const *cap_drop;
	size_t n_cap_add, n_cap_drop;
	const char *seccomp; /* NULL: the default profile; "unconfined"; or a profile's file */
	const char *stop_signal;
	int stop_timeout;	   /* seconds; -1: 10 */
	const char *const *labels; /* K=V */
	size_t n_labels;
	uint64_t log_max_size; /* 0: never rotated */
	unsigned log_max_files;
	const char *restart; /* --restart, NULL: no */
	bool init;	     /* hull-init as PID 1 in front of the command */
	bool rm, interactive, tty, privileged, read_only, no_new_privileges;
	bool system; /* a booting init (a machine): a cgroup namespace and the cgroup tree writable */
};

/* Makes the record and the bundle; nothing is left of it when it fails. */
int engine_create(struct engine *e, const struct run_config *c, char id[ENGINE_ID_LEN + 1],
		  struct hull_error **err);

/* The record of a container named by its name, its id or a unique prefix of its id. */
struct app_container {
	char id[ENGINE_ID_LEN + 1];
	json_object *doc;  /* container.json */
	json_object *run;  /* run.json: the last start; NULL if never started */
	json_object *exit; /* exit.json: the last exit, NULL when none after the last start */
};
int engine_find(struct engine *e, const char *name_or_id, struct app_container *c, struct hull_error **err);
/* Every container, oldest first. */
int engine_list(struct engine *e, struct app_container **out, size_t *n, struct hull_error **err);
void app_container_free(struct app_container *c);
const char *app_container_name(const struct app_container *c);

/* RESTARTING: exited, its restart policy waiting out the back-off before the next start. */
enum app_status { APP_CREATED, APP_RUNNING, APP_PAUSED, APP_EXITED, APP_RESTARTING };
struct app_state {
	enum app_status status;
	pid_t pid;			      /* the init's, while it runs */
	int exit_code;			      /* the last exit's, when exited */
	bool oom_killed;		      /* the OOM killer struck in its cgroup during the last run */
	const char *started_at, *finished_at; /* RFC 3339, or "" */
};
void engine_state(struct engine *e, const struct app_container *c, struct app_state *s);
const char *app_status_name(enum app_status s);

/* How start hands the container its stdio. */
struct start_io {
	bool attach;   /* foreground: the output is copied to our stdout and stderr too */
	bool stdin_in; /* -i: our stdin is the container's */
	int exit_code; /* attach: the container's exit status once it ended */
	bool detached; /* attach: the user typed the detach keys (ctrl-p ctrl-q) and it runs on */
	bool restart;  /* a restart by its policy: not when its user stopped it */
	bool ephemeral; /* this run's changes to the root go to a layer thrown away when it is stopped */
};

/* Starts the monitor (detached, or attached and waiting for the end with io->attach).  A command that
 * cannot be run fails with ENOENT (not found) or EACCES (not executable), as Docker reports them. */
int engine_start(struct engine *e, struct app_container *c, struct start_io *io, struct hull_error **err);

/* hull attach: our stdin, stdout and stderr handed to the running container's monitor, which copies its
 * output to them (and with io->stdin_in what we type to it) until it ends (io->exit_code) or the detach
 * keys are typed (io->detached).  Refused while another terminal is attached. */
int engine_attach(struct engine *e, struct app_container *c, struct start_io *io, struct hull_error **err);

/* Sends the stop signal (the image's StopSignal unless sig > 0), then SIGKILL after timeout seconds
 * (< 0: the container's default, 10). */
int engine_stop(struct engine *e, struct app_container *c, int sig, int timeout, struct hull_error **err);
int engine_kill(struct engine *e, struct app_container *c, int sig, struct hull_error **err);
/* Removes a container that is not running (force: stops it first with SIGKILL). */
int engine_remove(struct engine *e, struct app_container *c, bool force, struct hull_error **err);
/* Called by the monitor's exit command: removes an --rm container, or restarts one as its policy says
 * (after Docker's back-off), unless its user stopped it. */
int engine_cleanup(struct engine *e, struct app_container *c, struct hull_error **err);
/* `system boot`: starts every container whose policy is always, or unless-stopped and not stopped by its
 * user; *started says how many. */
int engine_boot(struct engine *e, size_t *started, struct hull_error **err);
/* Started at the host's boot by engine_boot whatever its restart policy (a machine's `enable`): a mark in
 * its directory. */
int engine_set_autostart(struct engine *e, const struct app_container *c, bool on, struct hull_error **err);
bool engine_autostart(struct engine *e, const struct app_container *c);
/* "no", "on-failure[:N]", "always", "unless-stopped" into name and max (0: no limit). */
int engine_restart_policy_parse(const char *text, char *name, size_t size, int *max, struct hull_error **err);

struct exec_options;
/* A process in the running container (o as hull-runtime exec takes it; its id is set here): in the
 * foreground its exit status, relaying its terminal with o->tty; with o->detach once it runs. */
int engine_exec(struct engine *e, struct app_container *c, struct exec_options *o, int *exit_code,
		struct hull_error **err);
/* "UID:GID" for exec -u USER[:GROUP], names looked up in the container's own files. */
int engine_exec_user(struct engine *e, const struct app_container *c, const char *spec, char *out,
		     size_t size, struct hull_error **err);
/* args in the stopped container: a one-off container of its config and writable layer, without its
 * network hooks, in the foreground (a pty of its own with tty); its exit status. */
int engine_oneoff(struct engine *e, struct app_container *c, char **args, size_t n_args, bool tty,
		  int *exit_code, struct hull_error **err);
/* to's writable layer gets a copy of from's (both stopped; to's root is left unmounted, for its next
 * start to mount): a clone's changes are its original's. */
int engine_copy_layer(struct engine *e, const struct app_container *from, const struct app_container *to,
		      struct hull_error **err);
/* from's writable layer (and console log) become to's, from keeping an empty one (both stopped): a
 * container made anew keeps what the old one had written. */
int engine_move_layer(struct engine *e, const struct app_container *from, const struct app_container *to,
		      struct hull_error **err);
/* Whether the container's root is (or, stopped, was last) an ephemeral one; and throwing that one's
 * changes away once it is stopped (nothing to do otherwise). */
bool engine_ephemeral(struct engine *e, const struct app_container *c);
int engine_discard_ephemeral(struct engine *e, const struct app_container *c, struct hull_error **err);
/* Blocks until the container has ended; its exit status. */
int engine_wait(struct engine *e, struct app_container *c, int *exit_code, struct hull_error **err);
int engine_pause(struct engine *e, struct app_container *c, bool pause, struct hull_error **err);
/* A new unique name (under containers/lock). */
int engine_rename(struct engine *e, struct app_container *c, const char *name, struct hull_error **err);
/* The pids of its processes; its usage as hull-runtime events --stats gives it. */
int engine_top(struct engine *e, struct app_container *c, pid_t **pids, size_t *n, struct hull_error **err);
int engine_stats(struct engine *e, struct app_container *c, json_object **stats, struct hull_error **err);
/* Removes every ended container; *removed says how many. */
int engine_prune(struct engine *e, size_t *removed, struct hull_error **err);

/* hull cp: SRC inside the container to DST on the host, or the other way; paths inside are resolved
 * within its root. */
int engine_cp_from(struct engine *e, const struct app_container *c, const char *src, const char *dst,
		   struct hull_error **err);
int engine_cp_to(struct engine *e, const struct app_container *c, const char *src, const char *dst,
		 struct hull_error **err);

/* Docker's inspect document of the container (Id, Name, State, Config, HostConfig, Mounts,
 * NetworkSettings, ...). */
json_object *engine_inspect(struct engine *e, const struct app_container *c);

/* Writes the log entries to out and err (their text only, as `docker logs` does). */
struct logs_options {
	bool follow, timestamps;
	long tail;		    /* -1: all */
	int64_t since_ns, until_ns; /* only entries written in [since, until], ns since the epoch; 0: open */
};
int engine_logs(struct engine *e, struct app_container *c, const struct logs_options *o, int out, int err_fd,
		struct hull_error **err);

#endif
