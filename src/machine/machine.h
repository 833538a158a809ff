/* Machines: a whole distribution that boots its own init as PID 1 in the background.  A machine is an
 * engine container of its own kind (label hull.machine) made so that an init is at home: its init found
 * in its root and asked to power off by its own signal, a pty as its console whose output is the log,
 * container=hull in PID 1's environment, /run and /tmp of its own, the capabilities systemd-nspawn
 * gives, and the machine's name as its host name.  What it is made with comes from its settings
 * (machine/settings.h); the container is made anew when they change. */
#ifndef HULL_MACHINE_MACHINE_H
#define HULL_MACHINE_MACHINE_H

#include <stdbool.h>

#include "engine/engine.h"
#include "machine/init.h"
#include "machine/settings.h"

#define MACHINE_LABEL	       "hull.machine"
#define MACHINE_INIT_LABEL     "hull.machine.init"
#define MACHINE_SETTINGS_LABEL "hull.machine.settings"

/* Makes the machine name of image (not started) with settings s, and writes its settings file; the init
 * is looked for in the image's root first.  Nothing is left when it fails. */
int machine_create(struct engine *e, const char *name, const char *image, const struct machine_settings *s,
		   char id[ENGINE_ID_LEN + 1], struct hull_error **err);

/* Whether c is a machine, and which init it boots ("" when it is not one). */
bool machine_is(const struct app_container *c);
const char *machine_init_of(const struct app_container *c);

/* Finds a machine by name or id; an app container of that name is not one. */
int machine_find(struct engine *e, const char *name, struct app_container *c, struct hull_error **err);

/* The machine's settings: its file, or (a machine made before it had one) what its container was made
 * with, written to the file then. */
int machine_settings_of(struct engine *e, const struct app_container *c, struct machine_settings *s,
			struct hull_error **err);

/* A new stopped machine NAME of c's image and settings, with a copy of c's writable layer (c
 * stopped). */
int machine_clone(struct engine *e, const struct app_container *c, const char *name,
		  char id[ENGINE_ID_LEN + 1], struct hull_error **err);

/* What `machine start` may say for one start over the settings file. */
struct machine_start_options {
	const char *network; /* NULL: the setting */
	bool single_user;    /* a shell as PID 1 this time */
	bool ephemeral;	     /* this start's changes thrown away at stop */
};

/* Boots it in the background with its settings and o over them: when they are not what its container
 * was made with, the container is made anew first (c is then the new one's record). */
int machine_start(struct engine *e, struct app_container *c, const struct machine_start_options *o,
		  struct hull_error **err);
/* Stops it by its init's signal, SIGKILL after timeout seconds; an ephemeral run's changes go. */
int machine_stop(struct engine *e, struct app_container *c, int timeout, struct hull_error **err);

/* Removes or renames the machine with its settings file; enable/disable set autostart in both. */
int machine_remove(struct engine *e, struct app_container *c, bool force, struct hull_error **err);
int machine_rename(struct engine *e, struct app_container *c, const char *name, struct hull_error **err);
int machine_set_autostart(struct engine *e, const struct app_container *c, bool on, struct hull_error **err);

#endif
