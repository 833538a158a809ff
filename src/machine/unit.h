/* Machines started at the host's boot: the engine's autostart mark, and on a host with a systemd unit
 * directory a unit of their own (hull-machine-NAME.service). */
#ifndef HULL_MACHINE_UNIT_H
#define HULL_MACHINE_UNIT_H

#include <stdbool.h>

#include "engine/engine.h"

/* The unit that starts the machine name at boot and stops it at shutdown, through this hull, store and
 * runroot (malloc'd; NULL without memory). */
char *machine_unit_text(const struct engine *e, const char *name);

/* enable: the mark (for `hull system boot` or `hull machine autostart` from an init script), the unit
 * in /etc/systemd/system ($HULL_UNIT_DIR instead, where nothing is told to systemd), enabled when
 * systemd runs the host; disable undoes both. */
int machine_enable(struct engine *e, const struct app_container *c, bool on, struct hull_error **err);

#endif
