/* Machines made, found, booted and stopped through the engine. */
#include "machine/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/bundle.h"
#include "util/cleanup.h"
#include "util/json.h"

/* What systemd-nspawn gives a booting machine over Docker's default set (CAP_SYS_RESOURCE left out: these
 * hosts do not have it to give). */
static const char *const machine_caps[] = {
    "AUDIT_CONTROL", "DAC_READ_SEARCH", "IPC_OWNER", "LEASE",	   "LINUX_IMMUTABLE", "NET_BROADCAST",
    "SYS_ADMIN",     "SYS_BOOT",	"SYS_NICE",  "SYS_PTRACE", "SYS_TTY_CONFIG",  "NET_ADMIN",
};

/* The image's root, mounted for a moment beside the machines, for its init to be looked for. */
static int probe_init(struct engine *e, const char *image, bool single_user, struct machine_init_info *out,
		      struct hull_error **err)
{
	char probe[4096];
	cleanup_free char *rootfs = NULL;
	cleanup_close int root_fd = -1;
	/* A command for the probe's config (an image of a root alone has none); never run. */
	cleanup_json json_object *overrides = json_object_new_object();
	int ret;

	json_object_object_add(overrides, "Cmd", json_object_new_array());
	json_object_array_add(json_object_object_get(overrides, "Cmd"), json_object_new_string("/sbin/init"));
	snprintf(probe, sizeof(probe), "%s/containers/.machine-probe-%d", e->store->path, (int)getpid());
	if ((ret = image_bundle_create(e->store, image, probe, overrides, NULL, err)) < 0)
		return ret;
	if (asprintf(&rootfs, "%s/rootfs", probe) < 0)
		ret = hull_error_set(err, ENOMEM, "machine");
	else if ((root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		ret = hull_error_errno(err, "`%s`", rootfs);
	else
		ret = machine_init_detect(root_fd, single_user, out, err);
	image_bundle_remove(e->store, probe, NULL);
	return ret;
}

int machine_create(struct engine *e, const struct machine_options *o, char id[ENGINE_ID_LEN + 1],
		   struct hull_error **err)
{
	struct machine_init_info init;
	char label_init[64];
	const char *cmd[1], *env[] = {"container=hull"}, *labels[] = {MACHINE_LABEL "=1", label_init};
	const char *tmpfs[] = {"/run:exec,mode=755", "/tmp:exec,mode=1777"};
	struct run_config c = {0};
	int ret;

	if (o->name == NULL)
		return hull_error_invalid(err, "machine create: a machine needs a name");
	if ((ret = probe_init(e, o->image, o->single_user, &init, err)) < 0)
		return hull_error_wrap(err, "machine create `%s`", o->name);
	snprintf(label_init, sizeof(label_init), MACHINE_INIT_LABEL "=%s", init.name);
	cmd[0] = init.path;
	c = (struct run_config){
	    .image = o->image,
	    .name = o->name,
	    .hostname = o->name,
	    .entrypoint = "",
	    .cmd = cmd,
	    .n_cmd = 1,
	    .env = env,
	    .n_env = 1,
	    .tmpfs = tmpfs,
	    .n_tmpfs = 2,
	    .network = o->network,
	    .cap_add = machine_caps,
	    .n_cap_add = sizeof(machine_caps) / sizeof(machine_caps[0]),
	    .stop_signal = init.stop_signal,
	    .stop_timeout = -1,
	    .labels = labels,
	    .n_labels = 2,
	    /* The console: a pty the monitor keeps, its input open for `machine attach`. */
	    .tty = true,
	    .interactive = true,
	    .system = true,
	    /* Docker's allow list has no mount, which every init makes; systemd-nspawn's deny list is not
	     * built yet, so a machine has no filter (its capabilities still bound it). */
	    .seccomp = "unconfined",
	};
	if ((ret = engine_create(e, &c, id, err)) < 0)
		return hull_error_wrap(err, "machine create `%s`", o->name);
	return 0;
}

static const char *label(const struct app_container *c, const char *key)
{
	json_object *config = NULL, *labels = NULL, *v = NULL;

	json_object_object_get_ex(c->doc, "Config", &config);
	json_object_object_get_ex(config, "Labels", &labels);
	return json_object_object_get_ex(labels, key, &v) ? json_object_get_string(v) : NULL;
}

bool machine_is(const struct app_container *c)
{
	return label(c, MACHINE_LABEL) != NULL;
}

const char *machine_init_of(const struct app_container *c)
{
	const char *init = label(c, MACHINE_INIT_LABEL);
	return init ? init : "";
}

int machine_find(struct engine *e, const char *name, struct app_container *c, struct hull_error **err)
{
	if (engine_find(e, name, c, err) < 0)
		return -1;
	if (!machine_is(c)) {
		app_container_free(c);
		return hull_error_fail(err, EINVAL, "`%s` is an app container, not a machine", name);
	}
	return 0;
}

int machine_start(struct engine *e, struct app_container *c, struct hull_error **err)
{
	struct start_io io = {0};

	return engine_start(e, c, &io, err);
}

int machine_stop(struct engine *e, struct app_container *c, int timeout, struct hull_error **err)
{
	/* 0: the StopSignal recorded at create, the init's own. */
	return engine_stop(e, c, 0, timeout, err);
}

int machine_clone(struct engine *e, const struct app_container *c, const char *name,
		  char id[ENGINE_ID_LEN + 1], struct hull_error **err)
{
	json_object *host = NULL;
	struct machine_options o = {.name = name, .image = json_get_string(c->doc, "Image", NULL)};
	struct app_container made;
	struct app_state st;
	int ret;

	engine_state(e, c, &st);
	if (st.status == APP_RUNNING || st.status == APP_PAUSED)
		return hull_error_fail(err, EBUSY, "machine clone `%s`: it is running (stop it first)",
				       app_container_name(c));
	json_object_object_get_ex(c->doc, "HostConfig", &host);
	o.network = json_get_string(host, "NetworkMode", NULL);
	o.single_user = strcmp(machine_init_of(c), "shell") == 0;
	if (o.image == NULL)
		return hull_error_invalid(err, "machine clone `%s`: its record names no image",
					  app_container_name(c));
	if ((ret = machine_create(e, &o, id, err)) < 0)
		return hull_error_wrap(err, "machine clone `%s`", app_container_name(c));
	if ((ret = engine_find(e, id, &made, err)) < 0)
		return ret;
	if ((ret = engine_copy_layer(e, c, &made, err)) < 0) {
		engine_remove(e, &made, true, NULL);
		hull_error_wrap(err, "machine clone `%s`", app_container_name(c));
	}
	app_container_free(&made);
	return ret;
}
