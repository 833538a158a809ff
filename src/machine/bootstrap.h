/* Debian roots for machines: debootstrap from the host's mirror, then adjusted so that they boot in a
 * container (hull machine bootstrap). */
#ifndef HULL_MACHINE_BOOTSTRAP_H
#define HULL_MACHINE_BOOTSTRAP_H

#include "util/error.h"

/* debootstrap --variant=variant of suite into dir with systemd-sysv, dbus, iproute2 and procps, and
 * include (PKG,...; NULL: none) too, in a mount namespace of its own (it mounts /proc and /sys in the new
 * root); its log in dir.log, whose last line the error gives. */
int machine_debootstrap(const char *suite, const char *variant, const char *include, const char *dir,
			struct hull_error **err);

/* The root at dir made ready to boot as machine name: its host name, no getty on a real terminal
 * (sysvinit's inittab gets one on the console instead; systemd starts its console getty in a container
 * by itself), and root logins allowed on the console and ptys where /etc/securetty limits them.  Every
 * path is resolved inside the root. */
int machine_root_prepare(const char *dir, const char *name, struct hull_error **err);

#endif
