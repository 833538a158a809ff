/* Machines: a whole distribution that boots its own init as PID 1 in the background.  A machine is an
 * engine container of its own kind (label hull.machine) made so that an init is at home: its init found
 * in its root and asked to power off by its own signal, a pty as its console whose output is the log,
 * container=hull in PID 1's environment, /run and /tmp of its own, the capabilities systemd-nspawn
 * gives, and the machine's name as its host name. */
#ifndef HULL_MACHINE_MACHINE_H
#define HULL_MACHINE_MACHINE_H

#include <stdbool.h>

#include "engine/engine.h"
#include "machine/init.h"

#define MACHINE_LABEL	   "hull.machine"
#define MACHINE_INIT_LABEL "hull.machine.init"

struct machine_options {
	const char *name, *image;
	const char *network; /* NULL: local */
	bool single_user;    /* a shell as PID 1 instead of the init */
};

/* Makes the machine (not started); the init is looked for in the image's root first. */
int machine_create(struct engine *e, const struct machine_options *o, char id[ENGINE_ID_LEN + 1],
		   struct hull_error **err);

/* Whether c is a machine, and which init it boots ("" when it is not one). */
bool machine_is(const struct app_container *c);
const char *machine_init_of(const struct app_container *c);

/* Finds a machine by name or id; an app container of that name is not one. */
int machine_find(struct engine *e, const char *name, struct app_container *c, struct hull_error **err);

/* A new stopped machine NAME of c's image, network and init, with a copy of c's writable layer (c
 * stopped). */
int machine_clone(struct engine *e, const struct app_container *c, const char *name,
		  char id[ENGINE_ID_LEN + 1], struct hull_error **err);

/* Boots it in the background; stops it by its init's signal, SIGKILL after timeout seconds. */
int machine_start(struct engine *e, struct app_container *c, struct hull_error **err);
int machine_stop(struct engine *e, struct app_container *c, int timeout, struct hull_error **err);

#endif
