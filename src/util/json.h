/* Typed, defensive access to json-c documents.
 *
 * Every getter takes the dotted location of the parent object ("process.user") so that a wrong type is
 * reported as "process.user.uid: expected an unsigned 32-bit integer, got string".  A missing optional
 * field leaves *out unchanged and returns 0; a present field of the wrong type is an error. */
#ifndef HULL_UTIL_JSON_H
#define HULL_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/error.h"

int json_field_object(json_object *parent, const char *where, const char *key, json_object **out,
		      struct hull_error **err);
int json_field_array(json_object *parent, const char *where, const char *key, json_object **out,
		     struct hull_error **err);
int json_field_string(json_object *parent, const char *where, const char *key, const char **out,
		      struct hull_error **err);
int json_field_bool(json_object *parent, const char *where, const char *key, bool *out,
		    struct hull_error **err);
int json_field_int64(json_object *parent, const char *where, const char *key, int64_t min, int64_t max,
		     int64_t *out, struct hull_error **err);
int json_field_uint64(json_object *parent, const char *where, const char *key, uint64_t *out,
		      struct hull_error **err);
int json_field_uint32(json_object *parent, const char *where, const char *key, uint32_t *out,
		      struct hull_error **err);

/* An array of strings as a NULL-terminated vector of pointers borrowed from the document (the vector itself
 * is allocated).  A missing field gives NULL and count 0. */
int json_field_strv(json_object *parent, const char *where, const char *key, const char ***out, size_t *count,
		    struct hull_error **err);

/* Parses a document; the error names `what` (a file name) and json-c's reason. */
int json_parse_text(const char *text, size_t len, const char *what, json_object **out,
		    struct hull_error **err);

const char *json_type_label(json_object *obj);

/* The string member key of obj, or fallback when it is missing or not a string: for documents hull wrote
 * itself or already checked, where a wrong type means "not there". */
const char *json_get_string(json_object *obj, const char *key, const char *fallback);

/* A new array of the n strings of v. */
json_object *json_new_string_array(const char *const *v, size_t n);

static inline void json_put_fn(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_put_fn)))

#endif
