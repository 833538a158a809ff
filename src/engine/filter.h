/* `ps --filter` as Docker takes it: name=, id=, status=, label=KEY[=VALUE]; filters of one key match
 * when any of them does, filters of different keys must all match. */
#ifndef HULL_ENGINE_FILTER_H
#define HULL_ENGINE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "util/error.h"

#define ENGINE_MAX_FILTERS 32

struct engine_filters {
	const char *specs[ENGINE_MAX_FILTERS]; /* KEY=VALUE, as given (borrowed) */
	size_t n;
	bool status; /* one is status=: stopped containers are listed without -a, as Docker does */
};

/* Checks and adds one --filter. */
int engine_filter_add(struct engine_filters *f, const char *spec, struct hull_error **err);

bool engine_filter_match(const struct engine_filters *f, const struct app_container *c,
			 const struct app_state *st);

#endif
