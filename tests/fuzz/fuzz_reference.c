/* Fuzz target: image references as users, compose files and manifests hand them to hull.  A refusal
 * carries a message; an accepted reference formats to a canonical form that parses to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image/digest.h"
#include "image/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_error *err = NULL;
	struct image_ref r, again;
	char *text = malloc(size + 1), *canonical, *twice;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)digest_validate(text, NULL);
	if (image_ref_parse(text, &r, &err) < 0) {
		if (err == NULL || err->message == NULL || err->message[0] == '\0' ||
		    strchr(err->message, '\n'))
			__builtin_trap();
		hull_error_free(&err);
		free(text);
		return 0;
	}
	canonical = image_ref_format(&r);
	if (canonical == NULL || image_ref_parse(canonical, &again, &err) < 0)
		__builtin_trap();
	twice = image_ref_format(&again);
	if (twice == NULL || strcmp(canonical, twice) != 0)
		__builtin_trap();
	free(twice);
	free(canonical);
	image_ref_free(&again);
	image_ref_free(&r);
	free(text);
	return 0;
}
