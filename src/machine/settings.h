/* A machine's settings: a YAML file a person edits, STORE/machines/NAME.yaml, written at create and read
 * at every start, whose flags override it for that start.  The container a machine runs in is made of
 * its settings: when they changed since, start makes the container anew with them and moves the
 * machine's writable layer into it (machine_apply in machine.c). */
#ifndef HULL_MACHINE_SETTINGS_H
#define HULL_MACHINE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

#define MACHINE_MAX_BINDS 64

struct machine_settings {
	char *network;	  /* private, shared, local, local.X, A.B.C.D[/N], ...; NULL: local */
	bool single_user; /* init: shell (a shell as PID 1) instead of init: auto */
	char *binds[MACHINE_MAX_BINDS]; /* HOST:MACHINE[:ro|rw], as -v spells them */
	size_t n_binds;
	int64_t memory; /* bytes; 0: no limit */
	double cpus;	/* 0: no limit */
	int64_t pids;	/* 0: no limit */
	bool autostart; /* started at the host's boot (enable/disable change it) */
	bool ephemeral; /* every start on a layer thrown away at stop */
};

void machine_settings_free(struct machine_settings *s);

/* STORE/machines/NAME.yaml (malloc'd). */
char *machine_settings_path(const struct engine *e, const char *name);

/* The file at path; *found false (and s the defaults) when there is none.  An unknown key, a value of
 * the wrong kind and YAML that does not parse are errors naming the file, its line or key. */
int machine_settings_load(const char *path, struct machine_settings *s, bool *found,
			  struct hull_error **err);

/* Writes s to path for machine name, with a comment per key (STORE/machines made when missing). */
int machine_settings_save(const char *path, const char *name, const struct machine_settings *s,
			  struct hull_error **err);

/* What of s the container is made of (not autostart or ephemeral), as text: the same text, the same
 * container (malloc'd). */
char *machine_settings_fingerprint(const struct machine_settings *s);

#endif
