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

/* The machine's container: what its settings say, the init of its root. */
static int create_container(struct engine *e, const char *name, const char *image,
			    const struct machine_settings *s, char id[ENGINE_ID_LEN + 1], struct hull_error **err)
{
	struct machine_init_info init;
	char label_init[64];
	cleanup_free char *fingerprint = machine_settings_fingerprint(s), *label_settings = NULL;
	const char *cmd[1], *env[] = {"container=hull"},
			    *labels[] = {MACHINE_LABEL "=1", label_init, NULL};
	const char *tmpfs[] = {"/run:exec,mode=755", "/tmp:exec,mode=1777"};
	struct run_config c = {0};
	int ret;

	if (fingerprint == NULL ||
	    asprintf(&label_settings, MACHINE_SETTINGS_LABEL "=%s", fingerprint) < 0)
		return hull_error_set(err, ENOMEM, "machine");
	labels[2] = label_settings;
	if ((ret = probe_init(e, image, s->single_user, &init, err)) < 0)
		return ret;
	snprintf(label_init, sizeof(label_init), MACHINE_INIT_LABEL "=%s", init.name);
	cmd[0] = init.path;
	c = (struct run_config){
	    .image = image,
	    .name = name,
	    .hostname = name,
	    .entrypoint = "",
	    .cmd = cmd,
	    .n_cmd = 1,
	    .env = env,
	    .n_env = 1,
	    .tmpfs = tmpfs,
	    .n_tmpfs = 2,
	    .volumes = (const char *const *)s->binds,
	    .n_volumes = s->n_binds,
	    .network = s->network && strcmp(s->network, "bridge") != 0 ? s->network : NULL,
	    .memory = s->memory,
	    .cpus = s->cpus,
	    .pids_limit = s->pids,
	    .cap_add = machine_caps,
	    .n_cap_add = sizeof(machine_caps) / sizeof(machine_caps[0]),
	    .stop_signal = init.stop_signal,
	    .stop_timeout = -1,
	    .labels = labels,
	    .n_labels = 3,
	    /* The console: a pty the monitor keeps, its input open for `machine attach`. */
	    .tty = true,
	    .interactive = true,
	    .system = true,
	    /* Docker's allow list has no mount, which every init makes; systemd-nspawn's deny list is not
	     * built yet, so a machine has no filter (its capabilities still bound it). */
	    .seccomp = "unconfined",
	};
	return engine_create(e, &c, id, err);
}

int machine_create(struct engine *e, const char *name, const char *image, const struct machine_settings *s,
		   char id[ENGINE_ID_LEN + 1], struct hull_error **err)
{
	cleanup_free char *path = NULL;
	struct app_container made;
	int ret;

	if (name == NULL)
		return hull_error_invalid(err, "machine create: a machine needs a name");
	if ((path = machine_settings_path(e, name)) == NULL)
		return hull_error_set(err, ENOMEM, "machine create");
	if ((ret = create_container(e, name, image, s, id, err)) < 0)
		return hull_error_wrap(err, "machine create `%s`", name);
	if ((ret = machine_settings_save(path, name, s, err)) < 0) {
		if (engine_find(e, id, &made, NULL) == 0) {
			engine_remove(e, &made, true, NULL);
			app_container_free(&made);
		}
		return hull_error_wrap(err, "machine create `%s`", name);
	}
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

int machine_settings_of(struct engine *e, const struct app_container *c, struct machine_settings *s,
			struct hull_error **err)
{
	cleanup_free char *path = machine_settings_path(e, app_container_name(c));
	json_object *host = NULL;
	const char *network;
	bool found;
	int ret;

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "machine settings");
	if ((ret = machine_settings_load(path, s, &found, err)) < 0 || found)
		return ret;
	json_object_object_get_ex(c->doc, "HostConfig", &host);
	network = json_get_string(host, "NetworkMode", "local");
	if ((s->network = strdup(network)) == NULL)
		return hull_error_set(err, ENOMEM, "machine settings");
	s->single_user = strcmp(machine_init_of(c), "shell") == 0;
	s->autostart = engine_autostart(e, c);
	return machine_settings_save(path, app_container_name(c), s, err);
}

/* c made anew with settings s: under a name of its own for a moment, while the new container of its name
 * is made and given its writable layer; the old one goes once the new one has it, and comes back under
 * its name when anything fails. */
static int remake(struct engine *e, struct app_container *c, const struct machine_settings *s,
		  struct hull_error **err)
{
	cleanup_free char *name = strdup(app_container_name(c)), *image = NULL, *aside = NULL;
	struct app_container made;
	char id[ENGINE_ID_LEN + 1];
	bool autostart = engine_autostart(e, c);
	int ret;

	if (name == NULL || (image = strdup(json_get_string(c->doc, "Image", ""))) == NULL ||
	    asprintf(&aside, "%.100s.remake-%d", name, (int)getpid()) < 0)
		return hull_error_set(err, ENOMEM, "machine");
	if ((ret = engine_rename(e, c, aside, err)) < 0)
		return ret;
	if ((ret = create_container(e, name, image, s, id, err)) < 0) {
		engine_rename(e, c, name, NULL);
		return ret;
	}
	if ((ret = engine_find(e, id, &made, err)) < 0)
		return ret;
	if ((ret = engine_move_layer(e, c, &made, err)) < 0 ||
	    (autostart && (ret = engine_set_autostart(e, &made, true, err)) < 0)) {
		engine_remove(e, &made, true, NULL);
		app_container_free(&made);
		engine_rename(e, c, name, NULL);
		return ret;
	}
	engine_remove(e, c, true, NULL);
	app_container_free(c);
	*c = made;
	return 0;
}

int machine_start(struct engine *e, struct app_container *c, const struct machine_start_options *o,
		  struct hull_error **err)
{
	struct machine_settings s = {0};
	struct start_io io = {0};
	cleanup_free char *fingerprint = NULL;
	const char *made_with;
	struct app_state st;
	int ret;

	engine_state(e, c, &st);
	if (st.status == APP_RUNNING || st.status == APP_PAUSED)
		return 0;
	if ((ret = machine_settings_of(e, c, &s, err)) < 0)
		return ret;
	/* The flags hold for this start alone: the file keeps what it says. */
	if (o && o->network) {
		free(s.network);
		s.network = strdup(o->network);
	}
	if (o && o->single_user)
		s.single_user = true;
	io.ephemeral = s.ephemeral || (o && o->ephemeral);
	fingerprint = machine_settings_fingerprint(&s);
	made_with = label(c, MACHINE_SETTINGS_LABEL);
	if (fingerprint == NULL || (o && o->network && s.network == NULL))
		ret = hull_error_set(err, ENOMEM, "machine start");
	else if (made_with == NULL || strcmp(made_with, fingerprint) != 0)
		ret = remake(e, c, &s, err);
	if (ret >= 0 && s.autostart != engine_autostart(e, c))
		ret = engine_set_autostart(e, c, s.autostart, err);
	machine_settings_free(&s);
	return ret < 0 ? ret : engine_start(e, c, &io, err);
}

int machine_stop(struct engine *e, struct app_container *c, int timeout, struct hull_error **err)
{
	/* 0: the StopSignal recorded at create, the init's own. */
	if (engine_stop(e, c, 0, timeout, err) < 0)
		return -1;
	return engine_discard_ephemeral(e, c, err);
}

int machine_remove(struct engine *e, struct app_container *c, bool force, struct hull_error **err)
{
	cleanup_free char *path = machine_settings_path(e, app_container_name(c));

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "machine rm");
	if (engine_remove(e, c, force, err) < 0)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return hull_error_errno(err, "`%s`", path);
	return 0;
}

int machine_rename(struct engine *e, struct app_container *c, const char *name, struct hull_error **err)
{
	cleanup_free char *from = machine_settings_path(e, app_container_name(c)),
			  *to = machine_settings_path(e, name);
	struct machine_settings s;
	bool found;

	if (from == NULL || to == NULL)
		return hull_error_set(err, ENOMEM, "machine rename");
	if (engine_rename(e, c, name, err) < 0)
		return -1;
	/* The file says whose settings it holds: written again under the new name. */
	if (machine_settings_load(from, &s, &found, NULL) == 0 && found) {
		int ret = machine_settings_save(to, name, &s, err);
		machine_settings_free(&s);
		if (ret < 0)
			return ret;
		unlink(from);
	}
	return 0;
}

int machine_set_autostart(struct engine *e, const struct app_container *c, bool on, struct hull_error **err)
{
	cleanup_free char *path = machine_settings_path(e, app_container_name(c));
	struct machine_settings s = {0};
	int ret;

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "machine");
	if ((ret = machine_settings_of(e, c, &s, err)) >= 0) {
		s.autostart = on;
		ret = machine_settings_save(path, app_container_name(c), &s, err);
	}
	machine_settings_free(&s);
	return ret < 0 ? ret : engine_set_autostart(e, c, on, err);
}

int machine_clone(struct engine *e, const struct app_container *c, const char *name,
		  char id[ENGINE_ID_LEN + 1], struct hull_error **err)
{
	const char *image = json_get_string(c->doc, "Image", NULL);
	struct machine_settings s = {0};
	struct app_container made;
	struct app_state st;
	int ret;

	engine_state(e, c, &st);
	if (st.status == APP_RUNNING || st.status == APP_PAUSED)
		return hull_error_fail(err, EBUSY, "machine clone `%s`: it is running (stop it first)",
				       app_container_name(c));
	if (image == NULL)
		return hull_error_invalid(err, "machine clone `%s`: its record names no image",
					  app_container_name(c));
	if ((ret = machine_settings_of(e, c, &s, err)) < 0)
		return hull_error_wrap(err, "machine clone `%s`", app_container_name(c));
	s.autostart = false;
	ret = machine_create(e, name, image, &s, id, err);
	machine_settings_free(&s);
	if (ret < 0)
		return hull_error_wrap(err, "machine clone `%s`", app_container_name(c));
	if ((ret = engine_find(e, id, &made, err)) < 0)
		return ret;
	if ((ret = engine_copy_layer(e, c, &made, err)) < 0) {
		machine_remove(e, &made, true, NULL);
		hull_error_wrap(err, "machine clone `%s`", app_container_name(c));
	}
	app_container_free(&made);
	return ret;
}
