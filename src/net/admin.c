#include "net/admin.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/local.h"
#include "net/setup.h"
#include "net/state.h"
#include "net/switch.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/json.h"
#include "util/log.h"

/* Records grouped by the network they are on: {"local": [...], "switch:NAME": [...], ...}. */
static int add_record(const char *dir, const char *id, void *data, struct hull_error **err)
{
	cleanup_free char *path = net_record_path(dir, id), *text = NULL;
	json_object *doc = NULL, *group = NULL;
	struct net_record r;
	char network[160] = "none";

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "network");
	if (fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0 ||
	    json_parse_text(text, strlen(text), path, &doc, NULL) < 0)
		return 0;
	if (net_record_read(dir, id, &r, NULL) >= 0) {
		json_object_object_add(doc, "running", json_object_new_boolean(net_record_alive(&r)));
		net_record_network(&r, network, sizeof(network));
		if (network[0] == '\0')
			snprintf(network, sizeof(network), "%s", r.usermode[0] ? r.usermode : "none");
		net_record_free(&r);
	}
	/* The CNI texts are kept for DEL; they are not for people. */
	json_object_object_del(doc, "cni_config");
	json_object_object_del(doc, "cni_result");
	if (!json_object_object_get_ex(data, network, &group)) {
		group = json_object_new_array();
		json_object_object_add(data, network, group);
	}
	json_object_array_add(group, doc);
	return 0;
}

static json_object *take_group(json_object *groups, const char *name)
{
	json_object *group = NULL;

	if (!json_object_object_get_ex(groups, name, &group))
		return json_object_new_array();
	json_object_get(group);
	json_object_object_del(groups, name);
	return group;
}

/* Running switches, with or without containers. */
static void add_switches(const char *dir, json_object *groups, json_object *out)
{
	cleanup_free char *path = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&path, "%s/switches", dir) < 0 || (d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct net_switch_settings st;
		char name[80], key[96], subnet[INET_ADDRSTRLEN];
		json_object *sw;
		if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0 || n - 5 >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 5), e->d_name);
		if (!net_name_valid(name, NET_SWITCH_NAME_MAX) ||
		    net_switch_settings_read(dir, name, &st, NULL) < 0)
			continue;
		snprintf(key, sizeof(key), "switch:%s", name);
		snprintf(subnet, sizeof(subnet), "%s", inet_ntoa(st.subnet));
		sw = json_object_new_object();
		json_object_object_add(sw, "name", json_object_new_string(key));
		json_object_object_add(sw, "driver", json_object_new_string("switch"));
		json_object_object_add(sw, "subnet", json_object_new_string(subnet));
		json_object_object_add(sw, "prefix", json_object_new_int((int)st.prefix));
		json_object_object_add(sw, "mtu", json_object_new_int((int)st.mtu));
		json_object_object_add(sw, "containers", take_group(groups, key));
		json_object_array_add(out, sw);
	}
}

int net_inspect(const char *dir, json_object **out, struct hull_error **err)
{
	json_object *local = json_object_new_object(), *groups = json_object_new_object();
	struct net_local_config c;
	char subnet[INET_ADDRSTRLEN + 4] = "";
	int ret;

	*out = NULL;
	if ((ret = net_local_config_load(dir, &c, err)) < 0 ||
	    (ret = net_records_each(dir, add_record, groups, err)) < 0) {
		json_object_put(local);
		json_object_put(groups);
		return ret;
	}
	if (c.prefix) {
		char address[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &c.subnet, address, sizeof(address));
		snprintf(subnet, sizeof(subnet), "%s/%u", address, c.prefix);
	}
	json_object_object_add(local, "name", json_object_new_string("local"));
	json_object_object_add(local, "driver", json_object_new_string("bridge"));
	json_object_object_add(local, "bridge", json_object_new_string(c.bridge));
	json_object_object_add(local, "subnet", *subnet ? json_object_new_string(subnet) : NULL);
	json_object_object_add(local, "forwarding", json_object_new_boolean(c.forwarding));
	json_object_object_add(local, "containers", take_group(groups, "local"));
	*out = json_object_new_array();
	json_object_array_add(*out, local);
	add_switches(dir, groups, *out);
	/* The rest: LANs, CNI networks, user-mode helpers and none, by what their containers use. */
	json_object_object_foreach(groups, key, group)
	{
		json_object *n = json_object_new_object();
		const char *colon = strchr(key, ':');
		json_object_object_add(n, "name", json_object_new_string(key));
		json_object_object_add(
		    n, "driver",
		    json_object_new_string_len(key, colon ? (int)(colon - key) : (int)strlen(key)));
		json_object_object_add(n, "containers", json_object_get(group));
		json_object_array_add(*out, n);
	}
	json_object_put(groups);
	return 0;
}

static int prune_record(const char *dir, const char *id, void *data, struct hull_error **err)
{
	struct net_record r;
	int ret;

	if ((ret = net_record_read(dir, id, &r, err)) < 0)
		return ret == -ENOENT ? 0 : ret;
	if (!net_record_alive(&r)) {
		hull_log_debug("network prune: `%s` is gone, releasing what it held", id);
		if ((ret = net_release_record(dir, &r, err)) >= 0)
			(*(unsigned *)data)++;
	}
	net_record_free(&r);
	return ret;
}

/* A lease (leases/ADDRESS or ports/PROTO-ADDRESS-PORT) holds its container's id; without that
 * container's record it was left by a setup that never finished. */
static void prune_leases(const char *dir, const char *sub)
{
	cleanup_free char *path = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&path, "%s/%s", dir, sub) < 0 || (d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *text = NULL, *record = NULL;
		if (e->d_name[0] == '.')
			continue;
		if (fs_read_file(dirfd(d), e->d_name, &text, NULL, NULL) < 0)
			continue;
		text[strcspn(text, "\n")] = '\0';
		if (id_validate(text, NULL) == 0 && (record = net_record_path(dir, text)) != NULL &&
		    access(record, F_OK) == 0)
			continue;
		hull_log_debug("network prune: dropping %s/%s", sub, e->d_name);
		unlinkat(dirfd(d), e->d_name, 0);
	}
}

/* Leases one folder down: lan/UPLINK/ADDRESS and switches/NAME/leases/ADDRESS. */
static void prune_nested_leases(const char *dir, const char *top, const char *below)
{
	cleanup_free char *path = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;

	if (asprintf(&path, "%s/%s", dir, top) < 0 || (d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL, *full = NULL;
		if (e->d_name[0] == '.' || e->d_type != DT_DIR ||
		    asprintf(&sub, "%s/%s%s", top, e->d_name, below) < 0)
			continue;
		prune_leases(dir, sub);
		if (asprintf(&full, "%s/%s", dir, sub) >= 0)
			rmdir(full);
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
}

int net_prune(const char *dir, unsigned *released, struct hull_error **err)
{
	cleanup_close int lock = -1;
	int ret;

	*released = 0;
	if ((ret = net_state_lock(dir, &lock, err)) < 0 ||
	    (ret = net_records_each(dir, prune_record, released, err)) < 0)
		return hull_error_wrap(err, "network prune");
	prune_leases(dir, "leases");
	prune_leases(dir, "ports");
	prune_nested_leases(dir, "lan", "");
	prune_nested_leases(dir, "switches", "/leases");
	if ((ret = net_local_release_if_unused(dir, err)) < 0)
		return hull_error_wrap(err, "network prune");
	return 0;
}

static int count_record(const char *dir, const char *id, void *data, struct hull_error **err)
{
	(*(unsigned *)data)++;
	return 0;
}

int net_local_set(const char *dir, const struct net_local_settings *s, struct hull_error **err)
{
	cleanup_close int lock = -1;
	struct net_local_config c;
	unsigned attached = 0;
	int ret;

	if ((ret = net_state_lock(dir, &lock, err)) < 0 || (ret = net_local_config_load(dir, &c, err)) < 0 ||
	    (ret = net_records_each(dir, count_record, &attached, err)) < 0)
		return hull_error_wrap(err, "network set");
	if (s->subnet && strcmp(s->subnet, "auto") == 0)
		c.prefix = 0;
	else if (s->subnet && (ret = net_local_parse_subnet(s->subnet, &c.subnet, &c.prefix, err)) < 0)
		return hull_error_wrap(err, "network set");
	if (s->bridge) {
		if (!net_local_bridge_name_valid(s->bridge))
			return hull_error_invalid(
			    err,
			    "network set: bridge `%s` is not an interface name (at most %d "
			    "characters, no `/`, `:` or spaces)",
			    s->bridge, IFNAMSIZ - 1);
		snprintf(c.bridge, sizeof(c.bridge), "%s", s->bridge);
	}
	if (s->forwarding >= 0)
		c.forwarding = s->forwarding;
	/* The bridge, its address and the table's rules are made from these at the first attach. */
	if (attached)
		return hull_error_fail(
		    err, EBUSY,
		    "network set: %u container%s use%s the local network; stop %s first (or "
		    "`hull network prune` if %s gone)",
		    attached, attached == 1 ? "" : "s", attached == 1 ? "s" : "",
		    attached == 1 ? "it" : "them", attached == 1 ? "it is" : "they are");
	if ((ret = net_local_release_if_unused(dir, err)) < 0 ||
	    (ret = net_local_config_save(dir, &c, err)) < 0)
		return hull_error_wrap(err, "network set");
	return 0;
}
