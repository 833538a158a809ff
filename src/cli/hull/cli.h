/* hull's command line: images and bundles (containers come in later commands). */
#ifndef HULL_CLI_HULL_CLI_H
#define HULL_CLI_HULL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/common.h"
#include "image/registry.h"
#include "image/store.h"

struct hull_cli {
	const char *store_path;
	bool debug;
	const char *runroot; /* --runroot: the OCI runtime's state for app containers */
	const char *runtime; /* --runtime: the OCI runtime app containers run with (NULL: hull-runtime) */
	uint64_t max_layer_bytes; /* --max-layer-size, 0 when not given */
};

struct hull_command {
	const char *name;
	int (*run)(struct hull_cli *cli, int argc, char **argv);
	const char *summary;
	const char *help;
	/* Talks to registries: libcurl (and with it OpenSSL) is initialised first, before any thread.  Other
	 * commands skip that, which keeps network hooks on a container's start path short. */
	bool registry;
};

int hull_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct net_bundle_network;
/* Points b at the executable a bundle's network hooks run (buf holds its path): hull-network beside
 * this one when it is there, else this one. */
int hull_network_hook(struct net_bundle_network *b, char *buf, size_t size, struct hull_error **err);

/* Opens the store, exclusively for commands that remove content. */
int hull_open_store(struct hull_cli *cli, bool exclusive, struct store **out, struct hull_error **err);

/* The commands built into hull-image rather than hull (they need libcurl or libarchive); hull runs it for
 * them with the same arguments. */
bool hull_is_image_helper_command(const char *name);
int hull_exec_image_helper(char **argv);
/* hull-image pull IMAGE with our global options, its progress on our stderr: 0, or -errno after it said
 * why it failed (in one line of its own). */
int hull_image_helper_pull(struct hull_cli *cli, const char *image);
/* hull-image with the store options and args (a NULL-terminated list), its stdin in_fd (-1: ours), its
 * stdout sent to our stderr (quiet: to /dev/null); 0 when it succeeded (it says why it did not itself). */
int hull_image_helper_run(struct hull_cli *cli, const char *const *args, int in_fd, bool quiet);

struct engine;
struct app_container;
/* Runs fn on each container named by argv[first..] (the engine opened once); the exit status is 1 if any
 * failed, each failure one line `COMMAND: ...`; with print_names each name is printed once done. */
typedef int (*hull_container_fn)(struct engine *e, struct app_container *c, void *arg,
				 struct hull_error **err);
int hull_each_container(struct hull_cli *cli, const char *command, int first, int argc, char **argv,
			hull_container_fn fn, void *arg, bool print_names);

/* Opens the store and the app container engine on it (closed with engine_close, then the store). */
int hull_open_engine(struct hull_cli *cli, struct store **store, struct engine *e, struct hull_error **err);

/* Registry options shared by pull, push and login: --tls-verify, --authfile, --creds. Returns 1 when the
 * option was one of them, 0 when not, -1 on a bad value. */
int hull_registry_option(const char *command, int opt, const char *arg, struct registry_options *o);
#define HULL_OPT_TLS_VERIFY 1001
#define HULL_OPT_AUTHFILE   1002
#define HULL_OPT_CREDS	    1003
#define HULL_REGISTRY_OPTIONS                                                                                \
	{"tls-verify", required_argument, NULL, HULL_OPT_TLS_VERIFY},                                        \
	    {"authfile", required_argument, NULL, HULL_OPT_AUTHFILE},                                        \
	{                                                                                                    \
		"creds", required_argument, NULL, HULL_OPT_CREDS                                             \
	}

extern const struct hull_command cmd_pull, cmd_push, cmd_save, cmd_load, cmd_import, cmd_export, cmd_images,
    cmd_inspect, cmd_tag, cmd_rmi, cmd_image_prune, cmd_bundle, cmd_login, cmd_logout, cmd_network,
    cmd_switch, cmd_machine, cmd_run, cmd_create, cmd_start, cmd_attach, cmd_ps, cmd_stop, cmd_kill, cmd_rm,
    cmd_logs, cmd_container, cmd_exec, cmd_wait, cmd_pause, cmd_unpause, cmd_rename, cmd_top, cmd_stats,
    cmd_port, cmd_restart, cmd_system, cmd_volume, cmd_cp;

/* hull container prune: removes every ended container. */
int hull_container_prune(struct hull_cli *cli, int argc, char **argv);

#endif
