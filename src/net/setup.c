#include "net/setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/local.h"
#include "net/netlink.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/json.h"
#include "util/log.h"

const char *net_default_state_dir(void)
{
	const char *env = getenv("HULL_NETWORK_STATE");
	return env && *env ? env : "/run/hull/network";
}

static char *record_path(const char *dir, const char *id)
{
	char *path = NULL;
	return asprintf(&path, "%s/containers/%s.json", dir, id) < 0 ? NULL : path;
}

static int write_record(const char *dir, const char *id, const char *mode,
			const struct net_local_attachment *a, struct hull_error **err)
{
	cleanup_free char *path = record_path(dir, id), *containers = NULL;
	json_object *doc = json_object_new_object();
	char address[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN];
	const char *text;
	int ret;

	if (path == NULL || asprintf(&containers, "%s/containers", dir) < 0) {
		json_object_put(doc);
		return hull_error_set(err, ENOMEM, "network");
	}
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "mode", json_object_new_string(mode));
	if (a) {
		inet_ntop(AF_INET, &a->address, address, sizeof(address));
		inet_ntop(AF_INET, &a->gateway, gateway, sizeof(gateway));
		json_object_object_add(doc, "veth", json_object_new_string(a->veth));
		json_object_object_add(doc, "address", json_object_new_string(address));
		json_object_object_add(doc, "gateway", json_object_new_string(gateway));
		json_object_object_add(doc, "prefix", json_object_new_int((int)a->prefix));
	}
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = fs_mkdir_parents(containers, 0700, err);
	if (ret >= 0)
		ret = fs_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0600, err);
	json_object_put(doc);
	return ret;
}

/* "local", "bridge" or "local.X" (X the host part of the address asked for). */
static int parse_local(const char *mode, bool *local, unsigned *pinned, struct hull_error **err)
{
	char *end;
	unsigned long x;

	*pinned = 0;
	*local = strcmp(mode, "local") == 0 || strcmp(mode, "bridge") == 0;
	if (*local || strncmp(mode, "local.", 6) != 0)
		return 0;
	errno = 0;
	x = strtoul(mode + 6, &end, 10);
	if (errno || *end || end == mode + 6 || x > 65534)
		return hull_error_invalid(err, "network mode `%s`: expected local.N with N a host number",
					  mode);
	*local = true;
	*pinned = (unsigned)x;
	return 0;
}

int net_setup(const struct net_setup *s, struct hull_error **err)
{
	struct net_local_attachment a;
	unsigned pinned;
	bool local;
	int ret;

	if ((ret = id_validate(s->id, err)) < 0)
		return hull_error_wrap(err, "network setup");
	if ((ret = parse_local(s->mode, &local, &pinned, err)) < 0)
		return ret;
	if (strcmp(s->mode, "host") == 0 || strcmp(s->mode, "shared") == 0)
		return 0;
	if (strcmp(s->mode, "none") == 0 || strcmp(s->mode, "private") == 0) {
		/* Only loopback, up: runtimes bring it up themselves, but not every one does. */
		struct net_nl c;
		int lo = 0;
		if ((ret = net_nl_open(&c, s->netns_fd, err)) < 0)
			return hull_error_wrap(err, "network setup `%s`", s->id);
		if ((ret = net_link_index(&c, "lo", &lo, err)) >= 0 && lo > 0)
			ret = net_link_up(&c, lo, 0, err);
		net_nl_close(&c);
		return ret < 0 ? hull_error_wrap(err, "network setup `%s`", s->id) : 0;
	}
	if (!local)
		return hull_error_invalid(err,
					  "network setup `%s`: mode `%s` is not none, private, host, shared, "
					  "local, local.N or bridge",
					  s->id, s->mode);
	if ((ret = net_local_attach(s->state_dir, s->id, s->netns_fd, pinned, &a, err)) < 0)
		return hull_error_wrap(err, "network setup `%s`", s->id);
	if ((ret = write_record(s->state_dir, s->id, s->mode, &a, err)) < 0) {
		net_local_detach(s->state_dir, s->id, &a, NULL);
		return hull_error_wrap(err, "network setup `%s`", s->id);
	}
	return 0;
}

int net_teardown(const char *dir, const char *id, struct hull_error **err)
{
	cleanup_free char *path = NULL, *text = NULL;
	json_object *doc = NULL;
	const char *veth = NULL, *address = NULL;
	struct net_local_attachment a = {0};
	int ret;

	if ((ret = id_validate(id, err)) < 0)
		return hull_error_wrap(err, "network teardown");
	if ((path = record_path(dir, id)) == NULL)
		return hull_error_set(err, ENOMEM, "network teardown");
	if (fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0) {
		hull_log_debug("network teardown `%s`: nothing recorded", id);
		return 0;
	}
	if ((ret = json_parse_text(text, strlen(text), path, &doc, err)) < 0)
		return hull_error_wrap(err, "network teardown `%s`", id);
	if ((ret = json_field_string(doc, path, "veth", &veth, err)) >= 0 &&
	    (ret = json_field_string(doc, path, "address", &address, err)) >= 0 && veth && address) {
		snprintf(a.veth, sizeof(a.veth), "%s", veth);
		if (inet_pton(AF_INET, address, &a.address) != 1)
			ret = hull_error_invalid(err, "`%s`: address `%s` is not IPv4", path, address);
		else
			ret = net_local_detach(dir, id, &a, err);
	}
	json_object_put(doc);
	if (ret < 0)
		return hull_error_wrap(err, "network teardown `%s`", id);
	unlink(path);
	return 0;
}
