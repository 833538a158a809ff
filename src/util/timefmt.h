/* Times as Docker and the OCI runtime spec write them. */
#ifndef HULL_UTIL_TIMEFMT_H
#define HULL_UTIL_TIMEFMT_H

#include <stddef.h>

/* Now in RFC 3339 with nanoseconds, UTC: "2006-01-02T15:04:05.999999999Z" (at least 31 bytes). */
void timefmt_now(char *buf, size_t size);

#endif
