/* Pull progress for people: on a terminal a bar per layer with its size and speed, redrawn in place (as
 * podman shows it); otherwise a plain line per finished layer; nothing under --quiet. */
#ifndef HULL_CLI_HULL_PROGRESS_H
#define HULL_CLI_HULL_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "image/pull.h"

struct progress;

struct progress *progress_new(FILE *out, bool quiet);
/* The observer to hand to image_pull; its calls update p. */
const struct pull_observer *progress_observer(struct progress *p);
void progress_finish(struct progress *p);
void progress_free(struct progress **p);

#endif
