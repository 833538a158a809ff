/* --format for listings as Docker takes it: a Go-template subset over one JSON object per row.
 * Literal text; {{.Field}}; {{json .Field}}; {{.Label "KEY"}}; `\t` and `\n` written as escapes; and a
 * leading "table " for a header line of the fields' column names. */
#ifndef HULL_CLI_HULL_FORMAT_H
#define HULL_CLI_HULL_FORMAT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

struct format_column {
	const char *field;  /* "Names" */
	const char *header; /* "NAMES" */
};

struct format_template;

/* Parses text; a field not among columns (n of them) is refused, naming it. */
int format_parse(const char *text, const struct format_column *columns, size_t n,
		 struct format_template **out, struct hull_error **err);
/* The header line when the template began with "table " (nothing otherwise). */
void format_header(const struct format_template *t, FILE *out);
void format_row(const struct format_template *t, json_object *row, FILE *out);
void format_free(struct format_template *t);

#endif
