#include "engine/volumes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

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

/* <store>/volumes/<name>/_data, made when missing. */
static char *volume_dir(struct engine *e, const char *name, size_t n, struct hull_error **err)
{
	cleanup_free char *top = NULL, *vol = NULL;
	char *data = NULL;

	if (asprintf(&top, "%s/volumes", e->store->path) < 0 ||
	    asprintf(&vol, "%s/%.*s", top, (int)n, name) < 0 || asprintf(&data, "%s/_data", vol) < 0) {
		hull_error_set(err, ENOMEM, "volume");
		return NULL;
	}
	if ((mkdir(top, 0700) < 0 && errno != EEXIST) || (mkdir(vol, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(data, 0755) < 0 && errno != EEXIST)) {
		hull_error_errno(err, "volume `%.*s`: create `%s`", (int)n, name, data);
		free(data);
		return NULL;
	}
	return data;
}

int engine_volume_mount(struct engine *e, const char *spec, json_object *mounts, json_object *record,
			struct hull_error **err)
{
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
		if ((source = volume_dir(e, spec, (size_t)(colon - spec), err)) == NULL)
			return -1;
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
	json_object_array_add(record, r);
	return 0;
}
