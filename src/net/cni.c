#include "net/cni.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "net/cni_exec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static const char *const versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0"};

static bool version_known(const char *v)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(v, versions[i]) == 0)
			return true;
	return false;
}

/* A file's network configuration as a list: a .conflist as it is, a single plugin's .conf wrapped. */
static json_object *as_list(json_object *doc)
{
	json_object *plugins = NULL, *list, *array;

	if (json_object_object_get_ex(doc, "plugins", &plugins))
		return json_object_get(doc);
	list = json_object_new_object();
	array = json_object_new_array();
	json_object_object_add(list, "cniVersion",
			       json_object_new_string(json_get_string(doc, "cniVersion", "")));
	json_object_object_add(list, "name", json_object_new_string(json_get_string(doc, "name", "")));
	json_object_array_add(array, json_object_get(doc));
	json_object_object_add(list, "plugins", array);
	return list;
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The configuration named name in dir, the first in file-name order as libcni takes it. */
static int load_config(const char *dir, const char *name, json_object **out, struct hull_error **err)
{
	struct dirent **entries = NULL;
	int n = scandir(dir, &entries, NULL, compare_names), ret = 0;

	*out = NULL;
	if (n < 0)
		return hull_error_errno(err, "CNI network `%s`: read `%s`", name, dir);
	for (int i = 0; i < n; i++) {
		const char *f = entries[i]->d_name, *dot = strrchr(f, '.');
		cleanup_free char *path = NULL, *text = NULL;
		json_object *doc = NULL;
		if (*out == NULL && dot &&
		    (strcmp(dot, ".conflist") == 0 || strcmp(dot, ".conf") == 0 ||
		     strcmp(dot, ".json") == 0) &&
		    asprintf(&path, "%s/%s", dir, f) >= 0 &&
		    fs_read_file(AT_FDCWD, path, &text, NULL, NULL) >= 0 &&
		    json_parse_text(text, strlen(text), path, &doc, NULL) >= 0 &&
		    json_object_is_type(doc, json_type_object) &&
		    strcmp(json_get_string(doc, "name", ""), name) == 0)
			*out = as_list(doc);
		json_object_put(doc);
		free(entries[i]);
	}
	free(entries);
	if (*out == NULL)
		ret = hull_error_fail(err, ENOENT, "CNI network `%s`: no configuration of that name in `%s`",
				      name, dir);
	return ret;
}

/* Checks what the plugins will be given: a known version, and plugins that each name a type. */
static int check_config(json_object *list, const char *name, struct hull_error **err)
{
	json_object *plugins = NULL;
	const char *version = json_get_string(list, "cniVersion", "");

	if (!version_known(version))
		return hull_error_invalid(
		    err, "CNI network `%s`: cniVersion `%s` is not 0.3.0, 0.3.1, 0.4.0 or 1.0.0", name,
		    version);
	if (!json_object_object_get_ex(list, "plugins", &plugins) ||
	    !json_object_is_type(plugins, json_type_array) || json_object_array_length(plugins) == 0 ||
	    json_object_array_length(plugins) > 32)
		return hull_error_invalid(err, "CNI network `%s`: plugins must be a list of 1 to 32", name);
	for (size_t i = 0; i < json_object_array_length(plugins); i++) {
		json_object *p = json_object_array_get_idx(plugins, i);
		if (!json_object_is_type(p, json_type_object) || *json_get_string(p, "type", "") == '\0')
			return hull_error_invalid(err, "CNI network `%s`: plugin %zu has no type", name, i);
	}
	return 0;
}

static json_object *port_mappings(const struct net_ports *ports)
{
	json_object *array = json_object_new_array();
	char ip[INET_ADDRSTRLEN];

	for (size_t i = 0; i < ports->count; i++) {
		const struct net_port *p = &ports->items[i];
		json_object *m = json_object_new_object();
		json_object_object_add(m, "hostPort", json_object_new_int((int)p->host_port));
		json_object_object_add(m, "containerPort", json_object_new_int((int)p->port));
		json_object_object_add(m, "protocol", json_object_new_string(net_proto_name(p->proto)));
		if (p->host_ip.s_addr != INADDR_ANY)
			json_object_object_add(
			    m, "hostIP",
			    json_object_new_string(inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip))));
		json_object_array_add(array, m);
	}
	return array;
}

/* The configuration one plugin gets: its own object with the network's name and version, prevResult,
 * and runtimeConfig for the capabilities it declares. */
static char *plugin_config(json_object *list, json_object *plugin, json_object *prev,
			   const struct net_ports *ports)
{
	json_object *conf = NULL, *caps = NULL, *want = NULL;
	char *text;

	if (json_object_deep_copy(plugin, &conf, NULL) != 0)
		return NULL;
	json_object_object_add(conf, "name", json_object_new_string(json_get_string(list, "name", "")));
	json_object_object_add(conf, "cniVersion",
			       json_object_new_string(json_get_string(list, "cniVersion", "")));
	json_object_object_del(conf, "prevResult");
	json_object_object_del(conf, "runtimeConfig");
	if (prev)
		json_object_object_add(conf, "prevResult", json_object_get(prev));
	if (ports && ports->count && json_object_object_get_ex(plugin, "capabilities", &caps) &&
	    json_object_object_get_ex(caps, "portMappings", &want) && json_object_get_boolean(want)) {
		json_object *rc = json_object_new_object();
		json_object_object_add(rc, "portMappings", port_mappings(ports));
		json_object_object_add(conf, "runtimeConfig", rc);
	}
	text = strdup(
	    json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(conf);
	return text;
}

static int run_del(json_object *list, json_object *result, const char *path, const char *id,
		   const char *netns, size_t upto, struct hull_error **err)
{
	json_object *plugins = NULL;
	int ret = 0;

	json_object_object_get_ex(list, "plugins", &plugins);
	/* In reverse, every plugin even when one fails: DEL is how the rest of them let go. */
	for (size_t i = upto; i-- > 0;) {
		json_object *p = json_object_array_get_idx(plugins, i);
		struct net_cni_call call = {
		    .command = "DEL", .id = id, .netns = netns, .ifname = "eth0", .path = path};
		cleanup_free char *conf = plugin_config(list, p, result, NULL), *out = NULL;
		struct hull_error *e = NULL;
		if (conf == NULL) {
			ret = hull_error_set(err, ENOMEM, "CNI");
			continue;
		}
		if (net_cni_exec(&call, json_get_string(p, "type", ""), conf, &out, &e) < 0) {
			if (ret == 0) {
				ret = hull_error_code(e);
				if (err) {
					hull_error_free(err);
					*err = e;
					e = NULL;
				}
			}
			hull_error_free(&e);
		}
	}
	return ret;
}

int net_cni_result_address(const char *result, struct in_addr *address, unsigned *prefix,
			   struct in_addr *gateway, struct hull_error **err)
{
	json_object *doc = NULL, *ips = NULL;
	int ret = -ENOENT;

	*address = *gateway = (struct in_addr){0};
	*prefix = 0;
	if (json_parse_text(result, strlen(result), "CNI result", &doc, err) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(doc, "ips", &ips) && json_object_is_type(ips, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ips) && ret == -ENOENT; i++) {
			json_object *ip = json_object_array_get_idx(ips, i);
			char buf[32], *slash;
			snprintf(buf, sizeof(buf), "%s", json_get_string(ip, "address", ""));
			if ((slash = strchr(buf, '/')) == NULL)
				continue;
			*slash = '\0';
			if (inet_pton(AF_INET, buf, address) != 1)
				continue;
			*prefix = (unsigned)atoi(slash + 1);
			if (*prefix > 32)
				continue;
			inet_pton(AF_INET, json_get_string(ip, "gateway", ""), gateway);
			ret = 0;
		}
	json_object_put(doc);
	if (ret < 0)
		return hull_error_fail(err, ENOENT, "the CNI result has no IPv4 address");
	return 0;
}

int net_cni_add(const char *name, const char *conf_dir, const char *path, const char *id, const char *netns,
		const struct net_ports *ports, struct net_cni_network *n, struct hull_error **err)
{
	json_object *list = NULL, *plugins = NULL, *prev = NULL;
	size_t count;
	int ret;

	*n = (struct net_cni_network){0};
	if ((ret = load_config(conf_dir, name, &list, err)) < 0)
		return ret;
	if ((ret = check_config(list, name, err)) < 0)
		goto out;
	json_object_object_get_ex(list, "plugins", &plugins);
	count = json_object_array_length(plugins);
	for (size_t i = 0; i < count; i++) {
		json_object *p = json_object_array_get_idx(plugins, i), *next = NULL;
		struct net_cni_call call = {
		    .command = "ADD", .id = id, .netns = netns, .ifname = "eth0", .path = path};
		cleanup_free char *conf = plugin_config(list, p, prev, ports), *out = NULL;
		if (conf == NULL) {
			ret = hull_error_set(err, ENOMEM, "CNI");
		} else if ((ret = net_cni_exec(&call, json_get_string(p, "type", ""), conf, &out, err)) >=
			       0 &&
			   (out == NULL || json_parse_text(out, strlen(out), "CNI result", &next, err) < 0 ||
			    !json_object_is_type(next, json_type_object))) {
			ret = out == NULL ? hull_error_fail(err, EPROTO, "plugin `%s` returned no result",
							    json_get_string(p, "type", ""))
					  : hull_error_fail(err, EPROTO,
							    "plugin `%s` returned a result that is no object",
							    json_get_string(p, "type", ""));
			json_object_put(next);
			next = NULL;
		}
		if (ret < 0) {
			/* Undo what the plugins so far (this one too) may have made. */
			run_del(list, prev, path, id, netns, i + 1, NULL);
			hull_error_wrap(err, "CNI network `%s`: ADD", name);
			goto out;
		}
		json_object_put(prev);
		prev = next;
	}
	n->config = strdup(
	    json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	n->result = strdup(
	    json_object_to_json_string_ext(prev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (n->config == NULL || n->result == NULL) {
		ret = hull_error_set(err, ENOMEM, "CNI");
	} else if ((ret = net_cni_result_address(n->result, &n->address, &n->prefix, &n->gateway, NULL)) ==
		   -ENOENT) {
		ret = 0; /* a network may give no address (a plain link): allowed */
	}
	if (ret < 0) {
		run_del(list, prev, path, id, netns, count, NULL);
		net_cni_network_free(n);
	}
out:
	json_object_put(prev);
	json_object_put(list);
	return ret;
}

int net_cni_del(const char *config, const char *result, const char *path, const char *id, const char *netns,
		struct hull_error **err)
{
	json_object *list = NULL, *prev = NULL, *plugins = NULL;
	int ret;

	if ((ret = json_parse_text(config, strlen(config), "CNI configuration", &list, err)) < 0)
		return ret;
	if (result && *result && json_parse_text(result, strlen(result), "CNI result", &prev, NULL) < 0)
		prev = NULL;
	if (!json_object_object_get_ex(list, "plugins", &plugins) ||
	    !json_object_is_type(plugins, json_type_array))
		ret = hull_error_invalid(err, "CNI configuration: no plugins");
	else
		ret = run_del(list, prev, path, id, netns, json_object_array_length(plugins), err);
	json_object_put(prev);
	json_object_put(list);
	return ret;
}

void net_cni_network_free(struct net_cni_network *n)
{
	free(n->config);
	free(n->result);
	*n = (struct net_cni_network){0};
}
