/* YAML documents read with libyaml into json-c objects, so that one set of typed getters (util/json.h)
 * serves JSON and YAML alike.  Plain scalars are typed by YAML 1.2's core schema (null, true/false,
 * integers, floats; anything else a string); quoted and block scalars are strings (a tag does not
 * change that: libyaml's loader does not tell an explicit !!str from none).  Aliases are expanded and `<<` merge keys applied, within a budget of nodes that a billion
 * laughs cannot outgrow; mappings must have scalar keys. */
#ifndef HULL_UTIL_YAML_H
#define HULL_UTIL_YAML_H

#include <stddef.h>

#include <json-c/json.h>

#include "util/error.h"

/* The first document of text (an empty text is JSON null); the error names `what` and where. */
int yaml_parse_text(const char *text, size_t len, const char *what, json_object **out,
		    struct hull_error **err);

/* YAML text for a value: a scalar quoted when it needs to be, so that yaml_parse_text reads back the
 * same string (malloc'd; NULL without memory or for text that is not UTF-8). */
char *yaml_quote(const char *value);

#endif
