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
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/id.h"
#include "util/json.h"
#include "util/log.h"

static int add_record(const char *dir, const char *id, void *data, struct hull_error **err)
{
	cleanup_free char *path = net_record_path(dir, id), *text = NULL;
	json_object *doc = NULL;
	struct net_record r;
	int ret;

	if (path == NULL)
		return hull_error_set(err, ENOMEM, "network");
	if (fs_read_file(AT_FDCWD, path, &text, NULL, NULL) < 0 ||
	    json_parse_text(text, strlen(text), path, &doc, NULL) < 0)
		return 0;
	if ((ret = net_record_read(dir, id, &r, NULL)) >= 0) {
		json_object_object_add(doc, "running", json_object_new_boolean(net_record_alive(&r)));
		net_record_free(&r);
	}
	json_object_array_add(data, doc);
	return 0;
}

int net_inspect(const char *dir, json_object **out, struct hull_error **err)
{
	json_object *local = json_object_new_object(), *containers = json_object_new_array();
	struct net_local_config c;
	char subnet[INET_ADDRSTRLEN + 4] = "";
	int ret;

	*out = NULL;
	if ((ret = net_local_config_load(dir, &c, err)) < 0 ||
	    (ret = net_records_each(dir, add_record, containers, err)) < 0) {
		json_object_put(local);
		json_object_put(containers);
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
	json_object_object_add(local, "containers", containers);
	*out = json_object_new_array();
	json_object_array_add(*out, local);
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
