/* What hull's two front ends share for networks: usage errors, and which executable a bundle's network
 * hooks run. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "net/bundle.h"

int hull_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cli_usage_errorv(program_invocation_short_name, command, fmt, ap);
	va_end(ap);
	return ret;
}

int hull_network_hook(struct net_bundle_network *b, char *buf, size_t size, struct hull_error **err)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return hull_error_errno(err, "find the hull executable");
	buf[n] = '\0';
	b->hull = buf;
	b->hull_network = strcmp(program_invocation_short_name, "hull-network") == 0;
	/* hull-network loads what networks need, not libcurl, libarchive or OpenSSL: the hooks run on
	 * every container's start and stop. */
	slash = strrchr(buf, '/');
	if (!b->hull_network && slash) {
		char candidate[4096];
		if (snprintf(candidate, sizeof(candidate), "%.*shull-network", (int)(slash + 1 - buf), buf) <
			(int)size &&
		    access(candidate, X_OK) == 0) {
			snprintf(buf, size, "%s", candidate);
			b->hull_network = true;
		}
	}
	return 0;
}
