#include "util/timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void timefmt_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/* Fraction digits after a '.', as nanoseconds; p moves past them. */
static long parse_fraction(const char **p)
{
	long ns = 0, scale = 100000000;

	if (**p != '.')
		return 0;
	for ((*p)++; isdigit((unsigned char)**p); (*p)++) {
		ns += (**p - '0') * scale;
		scale /= 10;
	}
	return ns;
}

int timefmt_parse(const char *text, int64_t *ns)
{
	struct tm tm = {0};
	const char *p = strptime(text, "%Y-%m-%d", &tm);
	long frac = 0, offset = 0;
	time_t t;

	if (p == NULL)
		return -EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if ((p = strptime(p + 1, "%H:%M", &tm)) == NULL)
			return -EINVAL;
		if (*p == ':' && (p = strptime(p + 1, "%S", &tm)) == NULL)
			return -EINVAL;
		frac = parse_fraction(&p);
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm, n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5 || hh > 23 || mm > 59)
			return -EINVAL;
		offset = (hh * 3600L + mm * 60L) * (*p == '+' ? 1 : -1);
		p += 1 + n;
	}
	if (*p != '\0')
		return -EINVAL;
	t = timegm(&tm);
	*ns = ((int64_t)t - offset) * 1000000000LL + frac;
	return 0;
}

int timefmt_parse_when(const char *text, int64_t *ns)
{
	struct timespec now;
	const char *p = text;
	double total = 0;
	char *end;

	if (timefmt_parse(text, ns) == 0)
		return 0;
	/* A Unix time, seconds with an optional fraction. */
	if (isdigit((unsigned char)*p)) {
		long long s = strtoll(p, &end, 10);
		if (end != p && (*end == '\0' || *end == '.')) {
			const char *f = end;
			long frac = parse_fraction(&f);
			if (*f == '\0') {
				*ns = s * 1000000000LL + frac;
				return 0;
			}
		}
	}
	/* A duration before now, as Go spells them: 1h30m, 10m, 2.5s, 300ms. */
	while (*p) {
		double v = strtod(p, &end);
		double unit;
		if (end == p || v < 0)
			return -EINVAL;
		p = end;
		if (strncmp(p, "ms", 2) == 0)
			unit = 1e-3, p += 2;
		else if (*p == 'h')
			unit = 3600, p++;
		else if (*p == 'm')
			unit = 60, p++;
		else if (*p == 's')
			unit = 1, p++;
		else
			return -EINVAL;
		total += v * unit;
	}
	if (p == text || total > 1e10)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	*ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - (int64_t)(total * 1e9);
	return 0;
}

long long timefmt_seconds_since(const char *when)
{
	int64_t ns;

	if (when == NULL || timefmt_parse(when, &ns) < 0)
		return -1;
	return (long long)time(NULL) - ns / 1000000000LL;
}
