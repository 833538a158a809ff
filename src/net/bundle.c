#include "net/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* Whether a hook is one of hull's network hooks: `hull network setup|teardown` or `hull-network
 * setup|teardown`, by any path (the executable may have moved since). */
static bool is_network_hook(json_object *hook)
{
	json_object *args = NULL;
	const char *path = json_get_string(hook, "path", ""), *base = strrchr(path, '/'), *first;

	if (!json_object_object_get_ex(hook, "args", &args) || !json_object_is_type(args, json_type_array) ||
	    json_object_array_length(args) < 2)
		return false;
	base = base ? base + 1 : path;
	first = json_object_get_string(json_object_array_get_idx(args, 1));
	if (first == NULL)
		return false;
	if (strcmp(base, "hull-network") == 0)
		return strcmp(first, "setup") == 0 || strcmp(first, "teardown") == 0;
	return strcmp(base, "hull") == 0 && strcmp(first, "network") == 0;
}

/* hooks.KIND without hull's network hooks, then hook appended. */
static int replace_hook(json_object *spec, const char *kind, json_object *hook, struct hull_error **err)
{
	json_object *hooks = NULL, *list = NULL, *kept = json_object_new_array();

	if (!json_object_object_get_ex(spec, "hooks", &hooks) ||
	    !json_object_is_type(hooks, json_type_object)) {
		hooks = json_object_new_object();
		json_object_object_add(spec, "hooks", hooks);
	}
	if (json_object_object_get_ex(hooks, kind, &list) && !json_object_is_type(list, json_type_array)) {
		json_object_put(kept);
		json_object_put(hook);
		return hull_error_invalid(err, "hooks.%s is not an array", kind);
	}
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *h = json_object_array_get_idx(list, i);
		if (!is_network_hook(h))
			json_object_array_add(kept, json_object_get(h));
	}
	json_object_array_add(kept, hook);
	json_object_object_add(hooks, kind, kept);
	return 0;
}

static json_object *hook(const char *hull, const char *const *args, size_t n)
{
	json_object *h = json_object_new_object();

	json_object_object_add(h, "path", json_object_new_string(hull));
	json_object_object_add(h, "args", json_new_string_array(args, n));
	return h;
}

/* linux.namespaces: a network entry as the mode needs. */
static int set_namespace(json_object *spec, const char *mode, struct hull_error **err)
{
	json_object *linux_ = NULL, *list = NULL, *kept = json_object_new_array(), *net;
	bool host = strcmp(mode, "host") == 0 || strcmp(mode, "shared") == 0;

	if (!json_object_object_get_ex(spec, "linux", &linux_) ||
	    !json_object_is_type(linux_, json_type_object) ||
	    (json_object_object_get_ex(linux_, "namespaces", &list) &&
	     !json_object_is_type(list, json_type_array))) {
		json_object_put(kept);
		return hull_error_invalid(err, "linux.namespaces is missing or not an array");
	}
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *ns = json_object_array_get_idx(list, i);
		if (strcmp(json_get_string(ns, "type", ""), "network") != 0)
			json_object_array_add(kept, json_object_get(ns));
	}
	if (!host) {
		net = json_object_new_object();
		json_object_object_add(net, "type", json_object_new_string("network"));
		if (strncmp(mode, "ns:", 3) == 0)
			json_object_object_add(net, "path", json_object_new_string(mode + 3));
		json_object_array_add(kept, net);
	}
	json_object_object_add(linux_, "namespaces", kept);
	return 0;
}

int net_bundle_configure(const char *bundle, const struct net_bundle_network *n, struct hull_error **err)
{
	cleanup_free char *path = NULL, *text = NULL;
	const char *setup[64], *teardown[6];
	size_t n_setup = 0, n_teardown = 0;
	json_object *spec = NULL;
	const char *out;
	int ret;

	if (n->n_args > sizeof(setup) / sizeof(setup[0]) - 8)
		return hull_error_invalid(err, "configure bundle `%s`: too many network options", bundle);
	setup[n_setup++] = teardown[n_teardown++] = n->hull_network ? "hull-network" : "hull";
	if (!n->hull_network)
		setup[n_setup++] = teardown[n_teardown++] = "network";
	setup[n_setup++] = "setup";
	setup[n_setup++] = "--mode";
	setup[n_setup++] = n->mode;
	teardown[n_teardown++] = "teardown";
	if (n->state_dir) {
		setup[n_setup++] = "--state-dir";
		setup[n_setup++] = n->state_dir;
		teardown[n_teardown++] = "--state-dir";
		teardown[n_teardown++] = n->state_dir;
	}
	for (size_t i = 0; i < n->n_args; i++)
		setup[n_setup++] = n->args[i];
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return hull_error_set(err, ENOMEM, "configure bundle");
	if ((ret = fs_read_file(AT_FDCWD, path, &text, NULL, err)) < 0 ||
	    (ret = json_parse_text(text, strlen(text), path, &spec, err)) < 0)
		return hull_error_wrap(err, "configure bundle `%s`", bundle);
	if (!json_object_is_type(spec, json_type_object))
		ret = hull_error_invalid(err, "`%s` is not a JSON object", path);
	else if ((ret = set_namespace(spec, n->mode, err)) >= 0 &&
		 (ret = replace_hook(spec, "createRuntime", hook(n->hull, setup, n_setup), err)) >= 0 &&
		 (ret = replace_hook(spec, "poststop", hook(n->hull, teardown, n_teardown), err)) >= 0) {
		out = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
		ret = fs_write_file_atomic(AT_FDCWD, path, out, strlen(out), 0644, err);
	}
	json_object_put(spec);
	return ret < 0 ? hull_error_wrap(err, "configure bundle `%s`", bundle) : 0;
}
