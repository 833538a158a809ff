/* Matching containers against ps's filters. */
#include "engine/filter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

static const char *const keys[] = {"name", "id", "status", "label"};
static const char *const statuses[] = {"created",    "running",	 "paused", "exited",
				       "restarting", "removing", "dead"};

int engine_filter_add(struct engine_filters *f, const char *spec, struct hull_error **err)
{
	const char *eq = strchr(spec, '=');
	bool known = false;

	if (eq == NULL || eq == spec)
		return hull_error_invalid(err, "--filter `%.80s`: not KEY=VALUE", spec);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		known |= strlen(keys[i]) == (size_t)(eq - spec) &&
			 strncmp(spec, keys[i], (size_t)(eq - spec)) == 0;
	if (!known)
		return hull_error_invalid(err, "--filter `%.80s`: hull filters by name, id, status and label",
					  spec);
	if (strncmp(spec, "status=", 7) == 0) {
		bool valid = false;
		for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
			valid |= strcmp(eq + 1, statuses[i]) == 0;
		if (!valid)
			return hull_error_invalid(
			    err,
			    "--filter `%.80s`: not a status (created, running, paused, exited, "
			    "restarting, removing, dead)",
			    spec);
		f->status = true;
	}
	if (f->n == ENGINE_MAX_FILTERS)
		return hull_error_fail(err, E2BIG, "--filter: at most %d", ENGINE_MAX_FILTERS);
	f->specs[f->n++] = spec;
	return 0;
}

static bool label_matches(const struct app_container *c, const char *want)
{
	json_object *config = NULL, *labels = NULL, *value = NULL;
	const char *eq = strchr(want, '=');
	char key[256];

	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - want) : (int)strlen(want), want);
	if (!json_object_object_get_ex(c->doc, "Config", &config) ||
	    !json_object_object_get_ex(config, "Labels", &labels) ||
	    !json_object_object_get_ex(labels, key, &value))
		return false;
	return eq == NULL || strcmp(json_object_get_string(value), eq + 1) == 0;
}

static bool one_matches(const char *spec, const struct app_container *c, const struct app_state *st)
{
	const char *value = strchr(spec, '=') + 1;

	switch (spec[0]) {
	case 'n': /* a part of the name, as Docker's (unanchored) pattern mostly is used */
		return strstr(app_container_name(c), value) != NULL;
	case 'i':
		return strncmp(c->id, value, strlen(value)) == 0;
	case 's':
		return strcmp(app_status_name(st->status), value) == 0;
	default:
		return label_matches(c, value);
	}
}

bool engine_filter_match(const struct engine_filters *f, const struct app_container *c,
			 const struct app_state *st)
{
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t len = strlen(keys[k]);
		bool any = false, matched = false;
		for (size_t i = 0; i < f->n; i++) {
			if (strncmp(f->specs[i], keys[k], len) != 0 || f->specs[i][len] != '=')
				continue;
			any = true;
			matched |= one_matches(f->specs[i], c, st);
		}
		if (any && !matched)
			return false;
	}
	return true;
}
