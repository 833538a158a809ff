#include "util/units.h"

#include <errno.h>
#include <stdlib.h>

int units_parse_size(const char *text, int64_t *out)
{
	int shift = 0;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || errno)
		return -EINVAL;
	switch (*end | 0x20) {
	case 't':
		shift = 40;
		break;
	case 'g':
		shift = 30;
		break;
	case 'm':
		shift = 20;
		break;
	case 'k':
		shift = 10;
		break;
	default:
		break;
	}
	if (shift)
		end++;
	if ((*end | 0x20) == 'b')
		end++;
	if (*end || (v > 0 && v > (INT64_MAX >> shift)) || (v < 0 && shift))
		return -EINVAL;
	*out = (int64_t)v << shift;
	return 0;
}
