#include "util/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* The most nodes one document may grow into once its aliases are expanded, and the deepest nesting. */
#define YAML_NODE_BUDGET 200000
#define YAML_MAX_DEPTH	 64

struct loader {
	yaml_document_t *doc;
	const char *what;
	size_t produced;
	struct hull_error **err;
};

static bool is_int(const char *s, long long *out)
{
	char *end;
	int base = 10;
	const char *digits = s;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		base = s[1] == 'x' ? 16 : 8;
		digits = s + 2;
	} else if (*s == '-' || *s == '+') {
		digits = s + 1;
	}
	if (*digits < '0' || (*digits > '9' && base != 16))
		return false;
	errno = 0;
	*out = strtoll(digits == s + 2 ? digits : s, &end, base);
	return *end == '\0' && errno == 0;
}

static bool is_float(const char *s, double *out)
{
	static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
	char *end;

	for (size_t i = 0; i < sizeof(inf) / sizeof(inf[0]); i++)
		if (strcmp(s, inf[i]) == 0)
			return *out = INFINITY, true;
	if (strcmp(s, "-.inf") == 0 || strcmp(s, "-.Inf") == 0 || strcmp(s, "-.INF") == 0)
		return *out = -INFINITY, true;
	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return *out = NAN, true;
	/* The core schema's form: digits with a point or an exponent, no hex floats, no "inf" words. */
	if (strspn(s, "+-0123456789.eE") != strlen(s) || strpbrk(s, "0123456789") == NULL)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && errno == 0;
}

static json_object *scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	long long i;
	double d;

	/* libyaml's loader gives every untagged scalar the !!str tag, so an explicit one cannot be told
	 * from none: plain scalars are typed by their text alone. */
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_object_new_string_len(s, (int)n->data.scalar.length);
	if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return NULL;
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return json_object_new_boolean(1);
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return json_object_new_boolean(0);
	if (is_int(s, &i))
		return json_object_new_int64(i);
	if (is_float(s, &d))
		return json_object_new_double(d);
	return json_object_new_string_len(s, (int)n->data.scalar.length);
}

static int convert(struct loader *l, yaml_node_t *n, int depth, json_object **out);

static int fail_at(struct loader *l, const yaml_node_t *n, const char *why)
{
	return hull_error_fail(l->err, EINVAL, "`%s` line %lu: %s", l->what,
			       (unsigned long)n->start_mark.line + 1, why);
}

/* A `<<` value: a mapping, or a sequence of mappings, whose keys the mapping takes where it has none. */
static int merge_into(struct loader *l, json_object *map, yaml_node_t *value, int depth)
{
	json_object *from = NULL;
	int ret = convert(l, value, depth, &from);

	if (ret < 0)
		return ret;
	if (json_object_is_type(from, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(from); i++) {
			json_object *one = json_object_array_get_idx(from, i);
			if (!json_object_is_type(one, json_type_object)) {
				json_object_put(from);
				return fail_at(l, value, "a merge key (<<) takes mappings");
			}
			json_object_object_foreach(one, k, v) if (!json_object_object_get_ex(map, k, NULL))
			    json_object_object_add(map, k, json_object_get(v));
		}
	} else if (json_object_is_type(from, json_type_object)) {
		json_object_object_foreach(from, k, v) if (!json_object_object_get_ex(map, k, NULL))
		    json_object_object_add(map, k, json_object_get(v));
	} else {
		json_object_put(from);
		return fail_at(l, value, "a merge key (<<) takes a mapping");
	}
	json_object_put(from);
	return 0;
}

static int convert_mapping(struct loader *l, yaml_node_t *n, int depth, json_object **out)
{
	json_object *map = json_object_new_object();
	yaml_node_t *merges[16];
	size_t n_merges = 0;
	int ret = 0;

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && ret >= 0;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(l->doc, p->value);
		json_object *value = NULL;
		const char *key;
		if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE) {
			ret = fail_at(l, k ? k : n, "a mapping's keys must be scalars");
			break;
		}
		key = (const char *)k->data.scalar.value;
		if (k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(key, "<<") == 0) {
			if (n_merges == sizeof(merges) / sizeof(merges[0]))
				ret = fail_at(l, k, "too many merge keys (<<) in one mapping");
			else
				merges[n_merges++] = v;
			continue;
		}
		if (strlen(key) != k->data.scalar.length) {
			ret = fail_at(l, k, "a key holds a NUL character");
			break;
		}
		if (json_object_object_get_ex(map, key, NULL)) {
			ret = fail_at(l, k, "a key appears twice in one mapping");
			break;
		}
		if ((ret = convert(l, v, depth + 1, &value)) >= 0)
			json_object_object_add(map, key, value);
	}
	/* The mapping's own keys win over merged ones, and earlier merges over later ones. */
	for (size_t i = 0; i < n_merges && ret >= 0; i++)
		ret = merge_into(l, map, merges[i], depth + 1);
	if (ret < 0) {
		json_object_put(map);
		return ret;
	}
	*out = map;
	return 0;
}

static int convert(struct loader *l, yaml_node_t *n, int depth, json_object **out)
{
	*out = NULL;
	if (depth > YAML_MAX_DEPTH)
		return fail_at(l, n, "nested too deeply");
	if (++l->produced > YAML_NODE_BUDGET)
		return fail_at(l, n, "too many nodes once its aliases are expanded");
	switch (n->type) {
	case YAML_SCALAR_NODE:
		*out = scalar(n);
		return 0;
	case YAML_SEQUENCE_NODE: {
		json_object *array = json_object_new_array();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			json_object *item = NULL;
			yaml_node_t *child = yaml_document_get_node(l->doc, *i);
			int ret = child ? convert(l, child, depth + 1, &item) : fail_at(l, n, "a broken item");
			if (ret < 0) {
				json_object_put(array);
				return ret;
			}
			json_object_array_add(array, item);
		}
		*out = array;
		return 0;
	}
	case YAML_MAPPING_NODE:
		return convert_mapping(l, n, depth, out);
	default:
		return fail_at(l, n, "an empty node");
	}
}

int yaml_parse_text(const char *text, size_t len, const char *what, json_object **out,
		    struct hull_error **err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return hull_error_set(err, ENOMEM, "`%s`: YAML parser", what);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ret = hull_error_fail(err, EINVAL, "`%s` line %lu: %s", what,
				      (unsigned long)parser.problem_mark.line + 1,
				      parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return ret;
	}
	root = yaml_document_get_root_node(&doc);
	if (root) {
		struct loader l = {.doc = &doc, .what = what, .err = err};
		ret = convert(&l, root, 0, out);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ret;
}

/* value as a double-quoted scalar, written by libyaml's emitter (which escapes what YAML cannot hold as it
 * is, and refuses text that is not UTF-8). */
static char *emit_quoted(const char *value)
{
	size_t len = strlen(value), size = len * 12 + 64, written = 0;
	unsigned char *out = malloc(size);
	yaml_emitter_t emitter;
	yaml_event_t event;
	bool ok;

	if (out == NULL || !yaml_emitter_initialize(&emitter)) {
		free(out);
		return NULL;
	}
	yaml_emitter_set_output_string(&emitter, out, size, &written);
	yaml_emitter_set_width(&emitter, -1);
	yaml_emitter_set_unicode(&emitter, 1);
	ok = yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) &&
	     yaml_emitter_emit(&emitter, &event) &&
	     yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1) &&
	     yaml_emitter_emit(&emitter, &event) &&
	     yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)value, (int)len, 0, 1,
					  YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
	     yaml_emitter_emit(&emitter, &event) && yaml_document_end_event_initialize(&event, 1) &&
	     yaml_emitter_emit(&emitter, &event) && yaml_stream_end_event_initialize(&event) &&
	     yaml_emitter_emit(&emitter, &event);
	yaml_emitter_delete(&emitter);
	/* The scalar is the first line: what follows it ends the document. */
	if (!ok || written == 0 || out[0] != '"') {
		free(out);
		return NULL;
	}
	out[written < size ? written : size - 1] = '\0';
	out[strcspn((char *)out, "\n")] = '\0';
	return (char *)out;
}

char *yaml_quote(const char *value)
{
	json_object *back = NULL;
	bool plain = false;

	/* Plain when it reads back as the same string; otherwise double-quoted. */
	if (*value && strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+=@-") ==
			  strlen(value) &&
	    value[0] != '-' && yaml_parse_text(value, strlen(value), "value", &back, NULL) == 0 &&
	    json_object_is_type(back, json_type_string) && strcmp(json_object_get_string(back), value) == 0)
		plain = true;
	json_object_put(back);
	if (plain)
		return strdup(value);
	/* The emitter lets some text that is not UTF-8 through (code points past U+10FFFF) that the parser
	 * then refuses: what does not read back as itself is not written. */
	char *quoted = emit_quoted(value);
	back = NULL;
	if (quoted && (yaml_parse_text(quoted, strlen(quoted), "value", &back, NULL) < 0 ||
		       !json_object_is_type(back, json_type_string) ||
		       strcmp(json_object_get_string(back), value) != 0)) {
		free(quoted);
		quoted = NULL;
	}
	json_object_put(back);
	return quoted;
}
