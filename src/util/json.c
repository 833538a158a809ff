#include "util/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *json_type_label(json_object *obj)
{
	switch (json_object_get_type(obj)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "boolean";
	case json_type_double:
	case json_type_int:
		return "number";
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	}
	return "unknown";
}

static int wrong_type(const char *where, const char *key, const char *expected, json_object *got,
		      struct hull_error **err)
{
	return hull_error_invalid(err, "%s%s%s: expected %s, got %s", where ? where : "",
				  where && *where ? "." : "", key, expected, json_type_label(got));
}

/* Looks up key; returns 0 with *value NULL when absent (or JSON null, which the spec treats as absent). */
static json_object *lookup(json_object *parent, const char *key)
{
	json_object *value = NULL;

	if (parent == NULL || !json_object_object_get_ex(parent, key, &value))
		return NULL;
	if (json_object_get_type(value) == json_type_null)
		return NULL;
	return value;
}

int json_field_object(json_object *parent, const char *where, const char *key, json_object **out,
		      struct hull_error **err)
{
	json_object *v = lookup(parent, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return wrong_type(where, key, "an object", v, err);
	*out = v;
	return 0;
}

int json_field_array(json_object *parent, const char *where, const char *key, json_object **out,
		     struct hull_error **err)
{
	json_object *v = lookup(parent, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return wrong_type(where, key, "an array", v, err);
	*out = v;
	return 0;
}

int json_field_string(json_object *parent, const char *where, const char *key, const char **out,
		      struct hull_error **err)
{
	json_object *v = lookup(parent, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return wrong_type(where, key, "a string", v, err);
	*out = json_object_get_string(v);
	return 0;
}

int json_field_bool(json_object *parent, const char *where, const char *key, bool *out,
		    struct hull_error **err)
{
	json_object *v = lookup(parent, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return wrong_type(where, key, "a boolean", v, err);
	*out = json_object_get_boolean(v);
	return 0;
}

int json_field_int64(json_object *parent, const char *where, const char *key, int64_t min, int64_t max,
		     int64_t *out, struct hull_error **err)
{
	json_object *v = lookup(parent, key);
	int64_t n;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return wrong_type(where, key, "an integer", v, err);
	errno = 0;
	n = json_object_get_int64(v);
	if (errno == EINVAL || n < min || n > max)
		return hull_error_fail(err, ERANGE, "%s%s%s: %lld is out of range [%lld, %lld]", where,
				       *where ? "." : "", key, (long long)n, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int json_field_uint64(json_object *parent, const char *where, const char *key, uint64_t *out,
		      struct hull_error **err)
{
	json_object *v = lookup(parent, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return wrong_type(where, key, "an unsigned integer", v, err);
	/* json-c keeps integers above INT64_MAX as uint64; negative values must be refused explicitly. */
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		return hull_error_fail(err, ERANGE, "%s%s%s: must not be negative", where, *where ? "." : "",
				       key);
	*out = json_object_get_uint64(v);
	return 0;
}

int json_field_uint32(json_object *parent, const char *where, const char *key, uint32_t *out,
		      struct hull_error **err)
{
	int64_t n = 0;
	int ret = json_field_int64(parent, where, key, 0, UINT32_MAX, &n, err);

	if (ret == 0 && lookup(parent, key) != NULL)
		*out = (uint32_t)n;
	return ret;
}

int json_field_strv(json_object *parent, const char *where, const char *key, const char ***out, size_t *count,
		    struct hull_error **err)
{
	json_object *array = NULL;
	const char **v;
	size_t n;
	int ret = json_field_array(parent, where, key, &array, err);

	*out = NULL;
	if (count)
		*count = 0;
	if (ret < 0 || array == NULL)
		return ret;
	n = json_object_array_length(array);
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return hull_error_set(err, ENOMEM, "%s.%s", where, key);
	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(array, i);
		if (!json_object_is_type(item, json_type_string)) {
			free(v);
			return hull_error_invalid(err, "%s%s%s[%zu]: expected a string, got %s", where,
						  *where ? "." : "", key, i, json_type_label(item));
		}
		v[i] = json_object_get_string(item);
	}
	*out = v;
	if (count)
		*count = n;
	return 0;
}

int json_parse_text(const char *text, size_t len, const char *what, json_object **out,
		    struct hull_error **err)
{
	json_tokener *tok = json_tokener_new();
	json_object *obj;
	enum json_tokener_error jerr;

	if (tok == NULL)
		return hull_error_set(err, ENOMEM, "parse %s", what);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success && (int)json_tokener_get_parse_end(tok) < (int)len) {
		/* Trailing garbage after the document (whitespace is fine). */
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (strchr(" \t\r\n", text[i]) == NULL) {
				json_object_put(obj);
				json_tokener_free(tok);
				return hull_error_invalid(
				    err, "parse %s: unexpected data after the document at offset %zu", what,
				    i);
			}
	}
	if (jerr != json_tokener_success || obj == NULL) {
		int offset = (int)json_tokener_get_parse_end(tok);
		json_tokener_free(tok);
		json_object_put(obj);
		return hull_error_invalid(err, "parse %s: %s at offset %d", what,
					  jerr == json_tokener_continue ? "unexpected end of data"
									: json_tokener_error_desc(jerr),
					  offset);
	}
	json_tokener_free(tok);
	*out = obj;
	return 0;
}

const char *json_get_string(json_object *obj, const char *key, const char *fallback)
{
	json_object *v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return fallback;
	return json_object_get_string(v);
}

json_object *json_new_string_array(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}
