/* Quantities as people spell them on command lines and in settings files. */
#ifndef HULL_UTIL_UNITS_H
#define HULL_UTIL_UNITS_H

#include <stdint.h>

/* A byte size as runc takes it: a number with an optional k, m, g or t (powers of 1024) and b; -1 allowed.
 * -EINVAL for anything else or an overflow. */
int units_parse_size(const char *text, int64_t *out);

#endif
