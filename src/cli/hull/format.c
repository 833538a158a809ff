/* The template subset of --format: parsed once into pieces, rendered per row. */
#include "cli/hull/format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum piece_kind { PIECE_TEXT, PIECE_FIELD, PIECE_JSON, PIECE_LABEL };

struct piece {
	enum piece_kind kind;
	char *text; /* the literal, the field name, or the label's key */
	const struct format_column *column;
};

struct format_template {
	struct piece *pieces;
	size_t n;
	bool table;
};

static int add_piece(struct format_template *t, enum piece_kind kind, const char *text, size_t len,
		     const struct format_column *column)
{
	struct piece *grown = realloc(t->pieces, (t->n + 1) * sizeof(*grown));

	if (grown == NULL)
		return -ENOMEM;
	t->pieces = grown;
	t->pieces[t->n] = (struct piece){.kind = kind, .text = strndup(text, len), .column = column};
	if (t->pieces[t->n].text == NULL)
		return -ENOMEM;
	t->n++;
	return 0;
}

/* Literal text, with `\t` and `\n` as Docker unescapes them. */
static int add_text(struct format_template *t, const char *s, size_t len)
{
	char *buf = malloc(len + 1);
	size_t k = 0;
	int ret;

	if (buf == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && (s[i + 1] == 't' || s[i + 1] == 'n')) {
			buf[k++] = s[i + 1] == 't' ? '\t' : '\n';
			i++;
		} else {
			buf[k++] = s[i];
		}
	}
	ret = k ? add_piece(t, PIECE_TEXT, buf, k, NULL) : 0;
	free(buf);
	return ret;
}

static const struct format_column *find_column(const struct format_column *columns, size_t n,
					       const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(columns[i].field) == len && strncmp(columns[i].field, name, len) == 0)
			return &columns[i];
	return NULL;
}

/* One action, the text between {{ and }} with spaces trimmed. */
static int add_action(struct format_template *t, const char *a, size_t len,
		      const struct format_column *columns, size_t n, struct hull_error **err)
{
	enum piece_kind kind = PIECE_FIELD;
	const struct format_column *column;
	const char *name, *end = a + len;

	if (len > 5 && strncmp(a, "json ", 5) == 0) {
		kind = PIECE_JSON;
		a += 5;
		while (a < end && *a == ' ')
			a++;
	}
	if (a >= end || *a != '.')
		return hull_error_invalid(
		    err,
		    "--format: `{{%.*s}}`: hull's templates take .Field, json .Field and "
		    ".Label \"KEY\"",
		    (int)len, a);
	name = ++a;
	while (a < end && *a != ' ')
		a++;
	if (kind == PIECE_FIELD && (size_t)(a - name) == 5 && strncmp(name, "Label", 5) == 0) {
		const char *key = a;
		while (key < end && *key == ' ')
			key++;
		if (end - key < 2 || key[0] != '"' || end[-1] != '"')
			return hull_error_invalid(err,
						  "--format: .Label takes a quoted key: {{.Label \"KEY\"}}");
		return add_piece(t, PIECE_LABEL, key + 1, (size_t)(end - key - 2), NULL) < 0
			   ? hull_error_set(err, ENOMEM, "--format")
			   : 0;
	}
	if (a != end)
		return hull_error_invalid(err, "--format: `%.*s`: one field per action", (int)(end - name),
					  name);
	if ((column = find_column(columns, n, name, (size_t)(a - name))) == NULL)
		return hull_error_invalid(err, "--format: there is no field `.%.*s`", (int)(a - name), name);
	return add_piece(t, kind, name, (size_t)(a - name), column) < 0
		   ? hull_error_set(err, ENOMEM, "--format")
		   : 0;
}

int format_parse(const char *text, const struct format_column *columns, size_t n,
		 struct format_template **out, struct hull_error **err)
{
	struct format_template *t = calloc(1, sizeof(*t));
	const char *p = text;
	int ret = 0;

	*out = NULL;
	if (t == NULL)
		return hull_error_set(err, ENOMEM, "--format");
	if (strncmp(p, "table ", 6) == 0) {
		t->table = true;
		p += 6;
	}
	while (*p && ret >= 0) {
		const char *open = strstr(p, "{{"), *close;
		if (open == NULL) {
			ret = add_text(t, p, strlen(p)) < 0 ? hull_error_set(err, ENOMEM, "--format") : 0;
			break;
		}
		if ((ret = add_text(t, p, (size_t)(open - p))) < 0) {
			ret = hull_error_set(err, ENOMEM, "--format");
			break;
		}
		if ((close = strstr(open + 2, "}}")) == NULL) {
			ret = hull_error_invalid(err, "--format: `{{` without `}}`");
			break;
		}
		{
			const char *a = open + 2, *e = close;
			while (a < e && *a == ' ')
				a++;
			while (e > a && e[-1] == ' ')
				e--;
			ret = add_action(t, a, (size_t)(e - a), columns, n, err);
		}
		p = close + 2;
	}
	if (ret < 0) {
		format_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

void format_header(const struct format_template *t, FILE *out)
{
	if (!t->table)
		return;
	for (size_t i = 0; i < t->n; i++) {
		const struct piece *p = &t->pieces[i];
		if (p->kind == PIECE_TEXT)
			fputs(p->text, out);
		else if (p->kind == PIECE_LABEL)
			fprintf(out, "LABEL %s", p->text);
		else
			fputs(p->column->header, out);
	}
	fputc('\n', out);
}

/* A value as text: strings as they are, objects of strings as Docker prints labels (k=v,k=v), arrays
 * joined with commas, anything else as JSON. */
static void print_value(json_object *v, FILE *out)
{
	bool first = true;

	if (v == NULL)
		return;
	switch (json_object_get_type(v)) {
	case json_type_string:
		fputs(json_object_get_string(v), out);
		break;
	case json_type_object: {
		json_object_object_foreach(v, k, val)
		{
			fprintf(out, "%s%s=%s", first ? "" : ",", k, json_object_get_string(val));
			first = false;
		}
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			fprintf(out, "%s%s", i ? "," : "",
				json_object_get_string(json_object_array_get_idx(v, i)));
		break;
	default:
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), out);
	}
}

void format_row(const struct format_template *t, json_object *row, FILE *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct piece *p = &t->pieces[i];
		json_object *v = NULL, *labels = NULL;
		switch (p->kind) {
		case PIECE_TEXT:
			fputs(p->text, out);
			break;
		case PIECE_FIELD:
			json_object_object_get_ex(row, p->text, &v);
			print_value(v, out);
			break;
		case PIECE_JSON:
			json_object_object_get_ex(row, p->text, &v);
			fputs(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
									JSON_C_TO_STRING_NOSLASHESCAPE)
				: "null",
			      out);
			break;
		case PIECE_LABEL:
			if (json_object_object_get_ex(row, "Labels", &labels) &&
			    json_object_object_get_ex(labels, p->text, &v))
				fputs(json_object_get_string(v), out);
			break;
		}
	}
	fputc('\n', out);
}

void format_free(struct format_template *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->pieces[i].text);
	free(t->pieces);
	free(t);
}
