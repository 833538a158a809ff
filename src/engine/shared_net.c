/* --network container:NAME: the container joins the network namespace of another, running one, as
 * Docker's does, and sees the same /etc/hosts and /etc/resolv.conf.  The namespace is named in the
 * bundle's config.json at each start (the other's init may have changed since the last). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "net/dns.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/rootpath.h"

#define PREFIX "container:"

const char *engine_shared_network(const struct app_container *c)
{
	json_object *host = NULL;
	const char *mode;

	json_object_object_get_ex(c->doc, "HostConfig", &host);
	mode = json_get_string(host, "NetworkMode", "");
	return strncmp(mode, PREFIX, strlen(PREFIX)) == 0 ? mode + strlen(PREFIX) : NULL;
}

int engine_shared_network_resolve(struct engine *e, const char *mode, char *out, size_t size,
				  struct hull_error **err)
{
	struct app_container other;

	if (strncmp(mode, PREFIX, strlen(PREFIX)) != 0)
		return 0;
	if (engine_find(e, mode + strlen(PREFIX), &other, err) < 0)
		return hull_error_wrap(err, "--network %.100s", mode);
	snprintf(out, size, PREFIX "%s", other.id);
	app_container_free(&other);
	return 1;
}

/* The other's /etc/NAME, read inside its root; NULL (no error) when it has none. */
static char *read_etc(struct engine *e, const char *id, const char *name)
{
	cleanup_free char *root = engine_path(e, id, "bundle/rootfs"), *path = NULL, *text = NULL;
	cleanup_close int root_fd = -1, fd = -1;

	if (root == NULL || asprintf(&path, "etc/%s", name) < 0 ||
	    (root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (fd = rootpath_open(root_fd, path, O_RDONLY | O_CLOEXEC, NULL)) < 0 ||
	    fs_read_fd(fd, path, &text, NULL, NULL) < 0)
		return NULL;
	return steal_pointer(&text);
}

/* config.json's network namespace becomes path. */
static int set_netns_path(const char *bundle, const char *path, struct hull_error **err)
{
	cleanup_free char *file = NULL, *text = NULL;
	cleanup_json json_object *spec = NULL;
	json_object *linux_, *namespaces;
	size_t len;
	int ret;

	if (asprintf(&file, "%s/config.json", bundle) < 0)
		return hull_error_set(err, ENOMEM, "config.json");
	if ((ret = fs_read_file(AT_FDCWD, file, &text, &len, NULL)) < 0)
		return hull_error_set(err, -ret, "read `%s`", file);
	if ((ret = json_parse_text(text, len, file, &spec, err)) < 0)
		return ret;
	if (!json_object_object_get_ex(spec, "linux", &linux_) ||
	    !json_object_object_get_ex(linux_, "namespaces", &namespaces) ||
	    !json_object_is_type(namespaces, json_type_array))
		return hull_error_invalid(err, "`%s`: no linux.namespaces", file);
	for (size_t i = 0; i < json_object_array_length(namespaces); i++) {
		json_object *ns = json_object_array_get_idx(namespaces, i);
		if (strcmp(json_get_string(ns, "type", ""), "network") == 0) {
			json_object_object_add(ns, "path", json_object_new_string(path));
			const char *out = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY);
			return fs_write_file_atomic(AT_FDCWD, file, out, strlen(out), 0644, err);
		}
	}
	return hull_error_invalid(err, "`%s`: no network namespace to join", file);
}

int engine_shared_network_join(struct engine *e, const struct app_container *c, const char *bundle,
			       struct hull_error **err)
{
	const char *other_id = engine_shared_network(c);
	cleanup_free char *root = NULL;
	struct app_container other;
	struct app_state st;
	char path[64];
	int ret;

	if (other_id == NULL)
		return 0;
	if (engine_find(e, other_id, &other, err) < 0)
		return hull_error_wrap(err, "the container whose network it shares");
	engine_state(e, &other, &st);
	if (st.status != APP_RUNNING && st.status != APP_PAUSED) {
		ret =
		    hull_error_fail(err, ESRCH, "the container whose network it shares, `%s`, is not running",
				    app_container_name(&other));
		app_container_free(&other);
		return ret;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)st.pid);
	ret = set_netns_path(bundle, path, err);
	if (ret >= 0 && asprintf(&root, "%s/rootfs", bundle) >= 0) {
		/* Its names and resolver, as Docker shares them. */
		static const char *const files[] = {"hosts", "resolv.conf"};
		for (size_t i = 0; i < 2 && ret >= 0; i++) {
			cleanup_free char *text = read_etc(e, other.id, files[i]);
			if (text)
				ret = net_root_write_etc(root, files[i], text, err);
		}
	}
	app_container_free(&other);
	return ret;
}
