/* Times as Docker and the OCI runtime spec write them. */
#ifndef HULL_UTIL_TIMEFMT_H
#define HULL_UTIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Now in RFC 3339 with nanoseconds, UTC: "2006-01-02T15:04:05.999999999Z" (at least 31 bytes). */
void timefmt_now(char *buf, size_t size);

/* RFC 3339 ("2006-01-02T15:04:05.999999999Z", "+01:00", no seconds or no time at all allowed) to
 * nanoseconds since the epoch; -EINVAL for anything else. */
int timefmt_parse(const char *text, int64_t *ns);

/* What docker logs --since and --until take: RFC 3339, a Unix time (seconds, optional fraction), or a
 * duration before now (Go's spelling: 1h30m, 10m, 2.5s, 300ms). */
int timefmt_parse_when(const char *text, int64_t *ns);

/* Seconds from an RFC 3339 time to now; -1 when it cannot be read. */
long long timefmt_seconds_since(const char *when);

#endif
