/* Container ids become directory names under the state root, so they are checked before any use. */
#ifndef HULL_UTIL_ID_H
#define HULL_UTIL_ID_H

#include "util/error.h"

#define HULL_ID_MAX 1024

/* Accepts what runc accepts: letters, digits, '_', '+', '-', '.', not "." or "..". */
int id_validate(const char *id, struct hull_error **err);

#endif
