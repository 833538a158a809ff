#include "net/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/rootpath.h"

#define MAX_LINES 64

static bool is_loopback(const char *server)
{
	struct in_addr a;
	struct in6_addr a6;

	if (inet_pton(AF_INET, server, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, server, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int net_dns_server_valid(const char *server, struct hull_error **err)
{
	struct in_addr a;
	struct in6_addr a6;

	if (inet_pton(AF_INET, server, &a) != 1 && inet_pton(AF_INET6, server, &a6) != 1)
		return hull_error_invalid(err, "--dns `%s`: not an IPv4 or IPv6 address", server);
	return 0;
}

/* A word of a resolv.conf line: no spaces or control characters, so a value cannot add lines. */
static bool plain_word(const char *s)
{
	if (*s == '\0' || strlen(s) > 253)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '#' || *s == ';' || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/* The values of `keyword` lines in text (nameserver: one each; search/options: every word). */
static size_t collect(const char *text, const char *keyword, char *values[MAX_LINES], size_t n)
{
	const char *line = text;
	size_t klen = strlen(keyword);

	while (line && *line && n < MAX_LINES) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > klen && strncmp(line, keyword, klen) == 0 &&
		    (line[klen] == ' ' || line[klen] == '\t')) {
			char buf[1024], *save = NULL, *word;
			snprintf(buf, sizeof(buf), "%.*s", (int)(len - klen), line + klen);
			buf[strcspn(buf, "#;")] = '\0';
			for (word = strtok_r(buf, " \t\r", &save); word && n < MAX_LINES;
			     word = strtok_r(NULL, " \t\r", &save)) {
				values[n++] = strdup(word);
				if (strcmp(keyword, "nameserver") == 0)
					break;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return n;
}

static void free_values(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

int net_resolv_conf_build(const char *host, const char *upstream, bool keep_loopback,
			  const struct net_dns_options *o, char **out, size_t *servers,
			  struct hull_error **err)
{
	char *ns[MAX_LINES] = {0}, *search[MAX_LINES] = {0}, *opts[MAX_LINES] = {0};
	size_t n_ns = 0, n_search = 0, n_opts = 0, len = 0;
	char *text = NULL;
	FILE *f;
	int ret = 0;

	*out = NULL;
	*servers = 0;
	if (o->servers)
		for (const char **s = o->servers; *s && n_ns < MAX_LINES; s++)
			ns[n_ns++] = strdup(*s);
	else {
		size_t loopback = 0;
		n_ns = collect(host ? host : "", "nameserver", ns, 0);
		for (size_t i = 0; i < n_ns; i++)
			loopback += is_loopback(ns[i]);
		if (!keep_loopback && loopback) {
			/* A stub on the host's loopback: its upstream servers instead, then whatever else
			 * the host lists. */
			char *kept[MAX_LINES];
			size_t n_kept = collect(upstream ? upstream : "", "nameserver", kept, 0);
			for (size_t i = 0; i < n_ns; i++) {
				if (is_loopback(ns[i]) || n_kept == MAX_LINES)
					free(ns[i]);
				else
					kept[n_kept++] = ns[i];
			}
			n_ns = 0;
			for (size_t i = 0; i < n_kept; i++) {
				if (is_loopback(kept[i]))
					free(kept[i]);
				else
					ns[n_ns++] = kept[i];
			}
		}
	}
	if (o->search)
		for (const char **s = o->search; *s && n_search < MAX_LINES; s++)
			search[n_search++] = strdup(*s);
	else
		n_search = collect(host ? host : "", "search", search,
				   collect(host ? host : "", "domain", search, 0));
	if (o->options)
		for (const char **s = o->options; *s && n_opts < MAX_LINES; s++)
			opts[n_opts++] = strdup(*s);
	else
		n_opts = collect(host ? host : "", "options", opts, 0);

	if ((f = open_memstream(&text, &len)) == NULL) {
		ret = hull_error_set(err, ENOMEM, "resolv.conf");
		goto out;
	}
	fputs("# Written by hull for this container, from the host's resolver configuration.\n", f);
	for (size_t i = 0; i < n_ns; i++)
		if (ns[i] && plain_word(ns[i])) {
			fprintf(f, "nameserver %s\n", ns[i]);
			(*servers)++;
		}
	if (n_search) {
		fputs("search", f);
		for (size_t i = 0; i < n_search; i++)
			if (search[i] && plain_word(search[i]))
				fprintf(f, " %s", search[i]);
		fputc('\n', f);
	}
	if (n_opts) {
		fputs("options", f);
		for (size_t i = 0; i < n_opts; i++)
			if (opts[i] && plain_word(opts[i]))
				fprintf(f, " %s", opts[i]);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		ret = hull_error_set(err, ENOMEM, "resolv.conf");
		goto out;
	}
	*out = text;
out:
	free_values(ns, n_ns);
	free_values(search, n_search);
	free_values(opts, n_opts);
	return ret;
}

int net_resolv_conf_for_container(bool keep_loopback, const struct net_dns_options *o, char **out,
				  size_t *servers, struct hull_error **err)
{
	static const char *const upstreams[] = {"/run/systemd/resolve/resolv.conf",
						"/run/NetworkManager/no-stub-resolv.conf"};
	cleanup_free char *host = NULL, *upstream = NULL;

	fs_read_file(AT_FDCWD, "/etc/resolv.conf", &host, NULL, NULL);
	for (size_t i = 0; i < sizeof(upstreams) / sizeof(upstreams[0]) && upstream == NULL; i++)
		fs_read_file(AT_FDCWD, upstreams[i], &upstream, NULL, NULL);
	return net_resolv_conf_build(host, upstream, keep_loopback, o, out, servers, err);
}

int net_root_write_etc(const char *root_path, const char *name, const char *text, struct hull_error **err)
{
	cleanup_close int root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC), etc = -1;
	int ret;

	if (root < 0)
		return hull_error_errno(err, "open the container's root `%s`", root_path);
	if ((etc = rootpath_ensure(root, "etc", true, 0755, err)) < 0)
		return etc;
	/* A new file renamed over the name: whatever was there (a symlink, a hard link) is replaced, not
	 * written through. */
	if ((ret = fs_write_file_atomic(etc, name, text, strlen(text), 0644, err)) < 0)
		return hull_error_wrap(err, "write /etc/%s in `%s`", name, root_path);
	return 0;
}
