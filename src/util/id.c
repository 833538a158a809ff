#include "util/id.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

int id_validate(const char *id, struct hull_error **err)
{
	size_t n;

	if (id == NULL || *id == '\0')
		return hull_error_invalid(err, "invalid container id: it is empty");
	n = strlen(id);
	if (n > HULL_ID_MAX)
		return hull_error_invalid(err, "invalid container id: longer than %d characters",
					  HULL_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return hull_error_invalid(err, "invalid container id `%s`", id);
	for (const char *p = id; *p; p++) {
		unsigned char c = *p;
		if (isalnum(c) || c == '_' || c == '+' || c == '-' || c == '.')
			continue;
		/* A control character is shown by its code, never echoed: the message must stay one line. */
		if (!isprint(c))
			return hull_error_invalid(err,
						  "invalid container id: character 0x%02x is not allowed", c);
		return hull_error_invalid(
		    err,
		    "invalid container id `%s`: character '%c' is not allowed (use letters, "
		    "digits, '_', '+', '-', '.')",
		    id, c);
	}
	return 0;
}
