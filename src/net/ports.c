#include "net/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *net_proto_name(enum net_proto proto)
{
	return proto == NET_UDP ? "udp" : "tcp";
}

/* A port number 1..65535 with no sign, space or trailing text. */
static bool parse_port(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = v;
	return true;
}

/* PORT or FIRST-LAST. */
static bool parse_range(const char *s, size_t len, unsigned *first, unsigned *last)
{
	const char *dash = memchr(s, '-', len);

	if (dash == NULL) {
		if (!parse_port(s, len, first))
			return false;
		*last = *first;
		return true;
	}
	return parse_port(s, (size_t)(dash - s), first) &&
	       parse_port(dash + 1, len - (size_t)(dash + 1 - s), last) && *first <= *last;
}

int net_ports_parse(struct net_ports *ports, const char *spec, struct hull_error **err)
{
	char buf[128];
	char *proto, *colon, *host = NULL, *hostports = NULL, *inner;
	unsigned hfirst = 0, hlast = 0, cfirst, clast;
	enum net_proto p = NET_TCP;
	struct in_addr ip = {INADDR_ANY};
	struct net_port *grown;
	size_t n;

	if (strlen(spec) >= sizeof(buf))
		return hull_error_invalid(err, "port `%.32s...`: too long", spec);
	snprintf(buf, sizeof(buf), "%s", spec);
	if ((proto = strchr(buf, '/')) != NULL) {
		*proto++ = '\0';
		if (strcmp(proto, "tcp") == 0)
			p = NET_TCP;
		else if (strcmp(proto, "udp") == 0)
			p = NET_UDP;
		else
			return hull_error_invalid(err, "port `%s`: protocol must be tcp or udp", spec);
	}
	/* From the right: the container's port, then the host's, then the host address. */
	inner = buf;
	if ((colon = strrchr(buf, ':')) != NULL) {
		*colon = '\0';
		inner = colon + 1;
		hostports = buf;
		if ((colon = strrchr(buf, ':')) != NULL) {
			*colon = '\0';
			host = buf;
			hostports = colon + 1;
		}
	}
	if (!parse_range(inner, strlen(inner), &cfirst, &clast))
		return hull_error_invalid(err, "port `%s`: `%s` is not a port (1-65535) or a range of them",
					  spec, inner);
	if (hostports && *hostports && !parse_range(hostports, strlen(hostports), &hfirst, &hlast))
		return hull_error_invalid(
		    err, "port `%s`: host port `%s` is not a port (1-65535) or a range of them", spec,
		    hostports);
	if (host && *host && inet_pton(AF_INET, host, &ip) != 1)
		return hull_error_invalid(err, "port `%s`: host address `%s` is not IPv4", spec, host);
	if (hfirst && hlast - hfirst != clast - cfirst)
		return hull_error_invalid(
		    err, "port `%s`: the host range and the container range differ in length", spec);
	n = clast - cfirst + 1;
	if (ports->count + n > NET_PORTS_MAX)
		return hull_error_invalid(err, "port `%s`: more than %d ports published", spec,
					  NET_PORTS_MAX);
	grown = realloc(ports->items, (ports->count + n) * sizeof(*grown));
	if (grown == NULL)
		return hull_error_set(err, ENOMEM, "port `%s`", spec);
	ports->items = grown;
	for (size_t i = 0; i < n; i++)
		ports->items[ports->count++] = (struct net_port){
		    .proto = p,
		    .host_ip = ip,
		    .host_port = hfirst ? hfirst + (unsigned)i : 0,
		    .port = cfirst + (unsigned)i,
		};
	return 0;
}

void net_ports_free(struct net_ports *ports)
{
	free(ports->items);
	*ports = (struct net_ports){0};
}
