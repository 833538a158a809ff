#include "image/runtime_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/passwd.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/rootpath.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A file of the image, read through a descriptor resolved inside its root; NULL when it has none. */
static char *read_in_root(int root_fd, const char *path)
{
	/* O_NONBLOCK: a FIFO planted in the image must not hang the conversion; passwd_read_fd takes only a
	 * regular file of bounded size. */
	cleanup_close int fd = rootpath_open(root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, NULL);

	return fd < 0 ? NULL : passwd_read_fd(fd);
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Looks up name (or, with by_id, the number) in a passwd- or group-style file: field 0 the name, field 2
 * the id; *gid_out gets field 3 (passwd's primary group) when asked.  0 when found, -ENOENT when not; an
 * entry whose ids are not valid ids (text, negative, (uid_t)-1) is an error, never read as 0 or -1. */
static int lookup(const char *text, const char *file, const char *name, bool by_id, unsigned *id,
		  unsigned *gid_out, struct hull_error **err)
{
	struct passwd_line line;

	if (!text || !passwd_find(text, by_id ? 2 : 0, name, &line) || line.field[2] == NULL)
		return -ENOENT;
	if (!passwd_parse_id(line.field[2], id) ||
	    (gid_out && line.field[3] && !passwd_parse_id(line.field[3], gid_out)))
		return hull_error_invalid(err, "the image's %s: the entry of `%s` has no valid id", file,
					  name);
	return 0;
}

/* Groups that list the user by name in their member field. */
static json_object *supplementary_groups(const char *group_text, const char *user, unsigned primary)
{
	json_object *gids = json_object_new_array();

	for (const char *line = group_text; user && line && *line;) {
		const char *end = strchrnul(line, '\n');
		char buf[4096];
		size_t len = (size_t)(end - line);
		if (len < sizeof(buf)) {
			char *p = buf, *fields[4] = {NULL};
			unsigned gid;
			memcpy(buf, line, len);
			buf[len] = '\0';
			for (int i = 0; i < 4 && p; i++)
				fields[i] = strsep(&p, ":");
			/* A group without a valid id grants nothing (and never gid -1). */
			for (char *m = fields[3], *member; m && (member = strsep(&m, ","));)
				if (strcmp(member, user) == 0 && passwd_parse_id(fields[2], &gid) &&
				    gid != primary)
					json_object_array_add(gids, json_object_new_int64((int64_t)gid));
		}
		line = *end ? end + 1 : NULL;
	}
	return gids;
}

/* A number in User: a valid id, or refused with the reason. */
static int numeric_id(const char *text, const char *spec_user, const char *what, unsigned *out,
		      struct hull_error **err)
{
	if (passwd_parse_id(text, out))
		return 0;
	return hull_error_invalid(
	    err,
	    "image config User `%s`: %s %s is not a valid id (4294967295 is (uid_t)-1, which "
	    "would leave the process root)",
	    spec_user, what, text);
}

static int resolve_user(const char *spec_user, int root_fd, json_object *process, struct hull_error **err)
{
	cleanup_free char *copy = strdup(spec_user), *passwd = read_in_root(root_fd, "/etc/passwd"),
			  *group = read_in_root(root_fd, "/etc/group");
	char *colon = copy ? strchr(copy, ':') : NULL;
	const char *user = copy, *grp = colon ? colon + 1 : NULL;
	unsigned uid = 0, gid = 0;
	bool gid_known = false;
	json_object *u;
	int ret;

	if (copy == NULL)
		return hull_error_set(err, ENOMEM, "User");
	if (colon)
		*colon = '\0';
	if (all_digits(user)) {
		if ((ret = numeric_id(user, spec_user, "uid", &uid, err)) < 0)
			return ret;
		/* A number needs no passwd entry, but one gives the primary group. */
		ret = lookup(passwd, "/etc/passwd", user, true, &uid, &gid, err);
		if (ret < 0 && ret != -ENOENT)
			return hull_error_wrap(err, "image config User `%s`", spec_user);
		gid_known = ret == 0;
	} else if ((ret = lookup(passwd, "/etc/passwd", user, false, &uid, &gid, err)) < 0) {
		if (ret != -ENOENT)
			return hull_error_wrap(err, "image config User `%s`", spec_user);
		return hull_error_invalid(
		    err, "image config User `%s`: no such user in the image's /etc/passwd", user);
	} else {
		gid_known = true;
	}
	if (grp && *grp) {
		if (all_digits(grp)) {
			if ((ret = numeric_id(grp, spec_user, "gid", &gid, err)) < 0)
				return ret;
		} else if ((ret = lookup(group, "/etc/group", grp, false, &gid, NULL, err)) < 0) {
			if (ret != -ENOENT)
				return hull_error_wrap(err, "image config User `%s`", spec_user);
			return hull_error_invalid(
			    err, "image config User `%s`: no such group in the image's /etc/group",
			    spec_user);
		}
		gid_known = true;
	}
	if (!gid_known)
		gid = 0;
	u = json_object_new_object();
	json_object_object_add(u, "uid", json_object_new_int64((int64_t)uid));
	json_object_object_add(u, "gid", json_object_new_int64((int64_t)gid));
	if (!all_digits(user) && group) {
		json_object *extra = supplementary_groups(group, user, gid);
		if (json_object_array_length(extra))
			json_object_object_add(u, "additionalGids", extra);
		else
			json_object_put(extra);
	}
	json_object_object_add(process, "user", u);
	return 0;
}

static json_object *string_array_copy(json_object *a)
{
	json_object *out = json_object_new_array();

	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		json_object_array_add(out, json_object_get(json_object_array_get_idx(a, i)));
	return out;
}

static int check_strings(json_object *a, const char *what, struct hull_error **err)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
			return hull_error_invalid(err, "image config %s[%zu]: expected a string", what, i);
	return 0;
}

static void annotate(json_object *spec, const char *key, json_object *value)
{
	json_object *annotations = NULL;

	if (!json_object_object_get_ex(spec, "annotations", &annotations) ||
	    !json_object_is_type(annotations, json_type_object)) {
		annotations = json_object_new_object();
		json_object_object_add(spec, "annotations", annotations);
	}
	json_object_object_add(annotations, key, value);
}

int image_config_apply(json_object *image_config, int root_fd, json_object *spec, struct hull_error **err)
{
	json_object *config = NULL, *entrypoint = NULL, *cmd = NULL, *env = NULL, *ports = NULL,
		    *labels = NULL;
	json_object *process = NULL, *args;
	const char *workdir = NULL, *user = NULL, *stop = NULL;
	bool has_path = false;
	int ret;

	if ((ret = json_field_object(image_config, "image config", "config", &config, err)) < 0 ||
	    (ret = json_field_array(config, "image config", "Entrypoint", &entrypoint, err)) < 0 ||
	    (ret = json_field_array(config, "image config", "Cmd", &cmd, err)) < 0 ||
	    (ret = json_field_array(config, "image config", "Env", &env, err)) < 0 ||
	    (ret = json_field_string(config, "image config", "WorkingDir", &workdir, err)) < 0 ||
	    (ret = json_field_string(config, "image config", "User", &user, err)) < 0 ||
	    (ret = json_field_string(config, "image config", "StopSignal", &stop, err)) < 0 ||
	    (ret = json_field_object(config, "image config", "ExposedPorts", &ports, err)) < 0 ||
	    (ret = json_field_object(config, "image config", "Labels", &labels, err)) < 0 ||
	    (ret = check_strings(entrypoint, "Entrypoint", err)) < 0 ||
	    (ret = check_strings(cmd, "Cmd", err)) < 0 || (ret = check_strings(env, "Env", err)) < 0)
		return ret;
	if (!json_object_object_get_ex(spec, "process", &process) ||
	    !json_object_is_type(process, json_type_object))
		return hull_error_invalid(err, "runtime config: no process object to fill");
	args = string_array_copy(entrypoint);
	for (size_t i = 0; cmd && i < json_object_array_length(cmd); i++)
		json_object_array_add(args, json_object_get(json_object_array_get_idx(cmd, i)));
	if (json_object_array_length(args) == 0) {
		json_object_put(args);
		return hull_error_invalid(err, "image config: neither Entrypoint nor Cmd: nothing to run");
	}
	json_object_object_add(process, "args", args);
	/* The image's environment, with a PATH when it sets none (as Docker does). */
	json_object *penv = string_array_copy(env);
	for (size_t i = 0; i < json_object_array_length(penv); i++)
		has_path |=
		    strncmp(json_object_get_string(json_object_array_get_idx(penv, i)), "PATH=", 5) == 0;
	if (!has_path)
		json_object_array_add(penv, json_object_new_string(DEFAULT_PATH));
	json_object_object_add(process, "env", penv);
	if (workdir && *workdir) {
		if (*workdir != '/')
			return hull_error_invalid(err, "image config WorkingDir `%s`: not an absolute path",
						  workdir);
		json_object_object_add(process, "cwd", json_object_new_string(workdir));
	}
	if (user && *user && (ret = resolve_user(user, root_fd, process, err)) < 0)
		return ret;
	if (ports && json_object_object_length(ports) > 0) {
		char list[4096] = "";
		size_t used = 0;
		json_object_object_foreach(ports, port, unused)
		{
			(void)unused;
			used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
						 "%s%s", used ? "," : "", port);
		}
		if (used >= sizeof(list))
			return hull_error_invalid(err, "image config ExposedPorts: too many");
		annotate(spec, "org.opencontainers.image.exposedPorts", json_object_new_string(list));
	}
	if (stop && *stop)
		annotate(spec, "org.opencontainers.image.stopSignal", json_object_new_string(stop));
	if (labels == NULL)
		return 0;
	json_object_object_foreach(labels, key, value)
	{
		if (!json_object_is_type(value, json_type_string))
			return hull_error_invalid(err, "image config Labels.%s: expected a string", key);
		annotate(spec, key, json_object_get(value));
	}
	return 0;
}
