#include "engine/volumes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/copy_tree.h"
#include "engine/engine_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/rootpath.h"

static const char *const propagations[] = {"shared", "slave",	 "private", "rshared",
					   "rslave", "rprivate", NULL};

/* The options after the second colon: ro/rw, a propagation, and SELinux's z/Z and nocopy, which change
 * nothing here. */
static int parse_options(const char *spec, const char *text, bool *ro, const char **propagation,
			 struct hull_error **err)
{
	cleanup_free char *copy = strdup(text);
	char *save = NULL;

	if (copy == NULL)
		return hull_error_set(err, ENOMEM, "volume");
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool known = false;
		if (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0) {
			*ro = o[1] == 'o';
			continue;
		}
		if (strcmp(o, "z") == 0 || strcmp(o, "Z") == 0 || strcmp(o, "nocopy") == 0)
			continue;
		for (size_t i = 0; propagations[i]; i++)
			if (strcmp(o, propagations[i]) == 0) {
				*propagation = propagations[i];
				known = true;
			}
		if (!known)
			return hull_error_invalid(err, "volume `%.200s`: unknown option `%s`", spec, o);
	}
	return 0;
}

/* <store>/volumes/<name>/_data, made when missing (*created says so). */
static char *volume_dir(struct engine *e, const char *name, size_t n, bool *created, struct hull_error **err)
{
	cleanup_free char *top = NULL, *vol = NULL;
	char *data = NULL;

	*created = false;
	if (asprintf(&top, "%s/volumes", e->store->path) < 0 ||
	    asprintf(&vol, "%s/%.*s", top, (int)n, name) < 0 || asprintf(&data, "%s/_data", vol) < 0) {
		hull_error_set(err, ENOMEM, "volume");
		return NULL;
	}
	if ((mkdir(top, 0700) < 0 && errno != EEXIST) || (mkdir(vol, 0700) < 0 && errno != EEXIST)) {
		hull_error_errno(err, "volume `%.*s`: create `%s`", (int)n, name, vol);
		free(data);
		return NULL;
	}
	if (mkdir(data, 0755) == 0)
		*created = true;
	else if (errno != EEXIST) {
		hull_error_errno(err, "volume `%.*s`: create `%s`", (int)n, name, data);
		free(data);
		return NULL;
	}
	return data;
}

/* A new volume gets what the image has at its destination, as Docker fills it; the image's directory is
 * resolved inside the root, so a symlink there cannot point the copy at the host. */
static int copy_up(int root_fd, const char *dst, const char *data, struct hull_error **err)
{
	cleanup_close int from = -1, to = -1;

	if (root_fd < 0)
		return 0;
	from = rootpath_open(root_fd, dst, O_RDONLY | O_DIRECTORY, NULL);
	if (from < 0)
		return 0; /* nothing there, or not a directory: the volume stays empty */
	to = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0)
		return hull_error_errno(err, "`%s`", data);
	if (copy_tree(from, to, err) < 0)
		return hull_error_wrap(err, "copy the image's `%s` into the volume", dst);
	return 0;
}

int engine_volume_mount(struct engine *e, const char *spec, int root_fd, json_object *mounts,
			json_object *record, struct hull_error **err)
{
	bool created = false, anonymous = false;
	char anonymous_spec[4200], name_hex[ENGINE_ID_LEN + 1];

	/* -v DST alone: an anonymous volume, named by a random id. */
	if (spec[0] == '/' && strchr(spec, ':') == NULL) {
		unsigned char bytes[ENGINE_ID_LEN / 2];
		if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
			return hull_error_errno(err, "volume: random name");
		for (size_t i = 0; i < sizeof(bytes); i++)
			snprintf(name_hex + 2 * i, 3, "%02x", bytes[i]);
		snprintf(anonymous_spec, sizeof(anonymous_spec), "%s:%s", name_hex, spec);
		spec = anonymous_spec;
		anonymous = true;
	}

	const char *colon = strchr(spec, ':'), *dst, *opts = "";
	cleanup_free char *source = NULL, *dst_copy = NULL;
	const char *propagation = "rprivate";
	bool ro = false, named;
	json_object *m, *options, *r;
	int ret;

	if (colon == NULL || colon == spec)
		return hull_error_invalid(err, "volume `%.200s`: expected SOURCE:DESTINATION[:OPTIONS]",
					  spec);
	dst = colon + 1;
	{
		const char *second = strchr(dst, ':');
		dst_copy = second ? strndup(dst, (size_t)(second - dst)) : strdup(dst);
		if (second)
			opts = second + 1;
	}
	if (dst_copy == NULL)
		return hull_error_set(err, ENOMEM, "volume");
	if (dst_copy[0] != '/')
		return hull_error_invalid(
		    err, "volume `%.200s`: the destination `%s` is not an absolute path", spec, dst_copy);
	if ((ret = parse_options(spec, opts, &ro, &propagation, err)) < 0)
		return ret;
	named = spec[0] != '/';
	if (named) {
		if (!engine_name_valid(spec, (size_t)(colon - spec)))
			return hull_error_invalid(
			    err, "volume `%.200s`: `%.*s` is neither an absolute path nor a volume name",
			    spec, (int)(colon - spec), spec);
		if ((source = volume_dir(e, spec, (size_t)(colon - spec), &created, err)) == NULL)
			return -1;
		if (created && (ret = copy_up(root_fd, dst_copy, source, err)) < 0)
			return hull_error_wrap(err, "volume `%.200s`", spec);
	} else {
		source = strndup(spec, (size_t)(colon - spec));
		if (source == NULL)
			return hull_error_set(err, ENOMEM, "volume");
		/* As docker run -v: a missing host directory is made. */
		if (access(source, F_OK) < 0 && fs_mkdir_parents(source, 0755, err) < 0)
			return hull_error_wrap(err, "volume `%.200s`", spec);
	}
	m = json_object_new_object();
	options = json_object_new_array();
	json_object_array_add(options, json_object_new_string("rbind"));
	json_object_array_add(options, json_object_new_string(ro ? "ro" : "rw"));
	json_object_array_add(options, json_object_new_string(propagation));
	json_object_object_add(m, "destination", json_object_new_string(dst_copy));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(source));
	json_object_object_add(m, "options", options);
	json_object_array_add(mounts, m);
	r = json_object_new_object();
	json_object_object_add(r, "Type", json_object_new_string(named ? "volume" : "bind"));
	if (named) {
		cleanup_free char *name = strndup(spec, (size_t)(colon - spec));
		json_object_object_add(r, "Name", json_object_new_string(name ? name : ""));
	}
	json_object_object_add(r, "Source", json_object_new_string(source));
	json_object_object_add(r, "Destination", json_object_new_string(dst_copy));
	json_object_object_add(r, "Mode", json_object_new_string(opts));
	json_object_object_add(r, "RW", json_object_new_boolean(!ro));
	json_object_object_add(r, "Propagation", json_object_new_string(propagation));
	if (anonymous)
		json_object_object_add(r, "Anonymous", json_object_new_boolean(1));
	json_object_array_add(record, r);
	return 0;
}

/* volumes/<name>: a name as engine_name_valid has it. */
static char *volume_path(struct engine *e, const char *name)
{
	char *path = NULL;

	if (asprintf(&path, "%s/volumes/%s", e->store->path, name) < 0)
		return NULL;
	return path;
}

/* Whether a container's record names the volume among its mounts. */
static bool volume_in_use(struct engine *e, const char *name, const char **user)
{
	static char found[256];
	struct app_container *list;
	size_t n;
	bool used = false;

	if (engine_list(e, &list, &n, NULL) < 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		json_object *mounts = NULL;
		json_object_object_get_ex(list[i].doc, "Mounts", &mounts);
		for (size_t k = 0; !used && mounts && k < json_object_array_length(mounts); k++)
			if (strcmp(json_get_string(json_object_array_get_idx(mounts, k), "Name", ""), name) ==
			    0) {
				snprintf(found, sizeof(found), "%s", app_container_name(&list[i]));
				used = true;
			}
		app_container_free(&list[i]);
	}
	free(list);
	*user = found;
	return used;
}

int engine_volume_create(struct engine *e, const char *name, char out[ENGINE_ID_LEN + 1],
			 struct hull_error **err)
{
	cleanup_free char *data = NULL;
	bool created;

	if (name == NULL) {
		unsigned char bytes[ENGINE_ID_LEN / 2];
		if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
			return hull_error_errno(err, "volume create: random name");
		for (size_t i = 0; i < sizeof(bytes); i++)
			snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	} else if (!engine_name_valid(name, strlen(name)) || strlen(name) > ENGINE_ID_LEN)
		return hull_error_invalid(err, "volume create: `%.80s` is not a volume name", name);
	else
		snprintf(out, ENGINE_ID_LEN + 1, "%s", name);
	if ((data = volume_dir(e, out, strlen(out), &created, err)) == NULL)
		return hull_error_wrap(err, "volume create");
	return 0;
}

json_object *engine_volume_doc(struct engine *e, const char *name)
{
	cleanup_free char *path = volume_path(e, name);
	json_object *o;
	struct stat st;
	char mountpoint[4200], created[64] = "";

	if (path == NULL || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&st.st_mtime));
	snprintf(mountpoint, sizeof(mountpoint), "%s/_data", path);
	o = json_object_new_object();
	json_object_object_add(o, "Name", json_object_new_string(name));
	json_object_object_add(o, "Driver", json_object_new_string("local"));
	json_object_object_add(o, "Mountpoint", json_object_new_string(mountpoint));
	json_object_object_add(o, "CreatedAt", json_object_new_string(created));
	json_object_object_add(o, "Labels", json_object_new_object());
	json_object_object_add(o, "Scope", json_object_new_string("local"));
	return o;
}

int engine_volume_names(struct engine *e, char ***names, size_t *n, struct hull_error **err)
{
	cleanup_free char *top = NULL;
	cleanup_closedir DIR *d = NULL;
	struct dirent *entry;

	*names = NULL;
	*n = 0;
	if (asprintf(&top, "%s/volumes", e->store->path) < 0)
		return hull_error_set(err, ENOMEM, "volumes");
	d = opendir(top);
	if (d == NULL)
		return errno == ENOENT ? 0 : hull_error_errno(err, "volumes: `%s`", top);
	while ((entry = readdir(d)) != NULL) {
		char **grown;
		if (!engine_name_valid(entry->d_name, strlen(entry->d_name)))
			continue;
		grown = realloc(*names, (*n + 1) * sizeof(char *));
		if (grown == NULL)
			return hull_error_set(err, ENOMEM, "volumes");
		*names = grown;
		if (((*names)[*n] = strdup(entry->d_name)) == NULL)
			return hull_error_set(err, ENOMEM, "volumes");
		(*n)++;
	}
	return 0;
}

int engine_volume_remove(struct engine *e, const char *name, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	const char *user = NULL;
	struct stat st;
	int lock, ret = 0;

	if (!engine_name_valid(name, strlen(name)) || (path = volume_path(e, name)) == NULL)
		return hull_error_invalid(err, "volume rm: `%.80s` is not a volume name", name);
	if (stat(path, &st) < 0)
		return hull_error_fail(err, ENOENT, "volume rm: no such volume: `%.80s`", name);
	/* Under the engine's lock, so that no create claims it between the check and the removal. */
	if ((lock = engine_lock(e, NULL, err)) < 0)
		return lock;
	if (volume_in_use(e, name, &user))
		ret = hull_error_fail(err, EBUSY, "volume rm `%.80s`: container `%s` uses it", name, user);
	else if (fs_remove_tree(AT_FDCWD, path, err) < 0)
		ret = hull_error_wrap(err, "volume rm `%.80s`", name);
	close(lock);
	return ret;
}

void engine_remove_anonymous_volumes(struct engine *e, const struct app_container *c)
{
	json_object *mounts = NULL, *anonymous;

	json_object_object_get_ex(c->doc, "Mounts", &mounts);
	for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *name = json_get_string(m, "Name", "");
		cleanup_free char *path = NULL;
		if (!json_object_object_get_ex(m, "Anonymous", &anonymous) ||
		    !json_object_get_boolean(anonymous) || !engine_name_valid(name, strlen(name)) ||
		    (path = volume_path(e, name)) == NULL)
			continue;
		fs_remove_tree(AT_FDCWD, path, NULL);
	}
}
