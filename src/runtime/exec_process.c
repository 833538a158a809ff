#include "runtime/exec_process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* KEY=VALUE replaces an entry with the same KEY, or is appended. */
static void set_env(json_object *process, const char *entry)
{
	json_object *env = NULL;
	size_t key_len = strcspn(entry, "=");

	if (!json_object_object_get_ex(process, "env", &env) || !json_object_is_type(env, json_type_array)) {
		env = json_object_new_array();
		json_object_object_add(process, "env", env);
	}
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *old = json_object_get_string(json_object_array_get_idx(env, i));
		if (old && strncmp(old, entry, key_len) == 0 && old[key_len] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(entry));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(entry));
}

static int parse_id(const char *text, const char *what, uint32_t *out, struct hull_error **err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (end == text || (*end && *end != ':') || errno || v > UINT32_MAX - 1)
		return hull_error_invalid(err, "--user: `%s` is not a numeric %s", text, what);
	*out = (uint32_t)v;
	return 0;
}

static int apply_user(json_object *process, const struct exec_options *o, struct hull_error **err)
{
	json_object *user = NULL;
	uint32_t uid = 0, gid = 0;
	const char *colon = strchr(o->user, ':');

	if (parse_id(o->user, "uid", &uid, err) < 0 || (colon && parse_id(colon + 1, "gid", &gid, err) < 0))
		return -EINVAL;
	user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int64(uid));
	json_object_object_add(user, "gid", json_object_new_int64(gid));
	json_object_object_add(process, "user", user);
	return 0;
}

/* --cap adds to the sets a process needs to use it (runc adds to the same three). */
static void add_caps(json_object *process, const struct exec_options *o)
{
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	json_object *caps = NULL;

	if (!json_object_object_get_ex(process, "capabilities", &caps) ||
	    !json_object_is_type(caps, json_type_object)) {
		caps = json_object_new_object();
		json_object_object_add(process, "capabilities", caps);
	}
	for (size_t s = 0; s < 3; s++) {
		json_object *set = NULL;
		if (!json_object_object_get_ex(caps, sets[s], &set) ||
		    !json_object_is_type(set, json_type_array)) {
			set = json_object_new_array();
			json_object_object_add(caps, sets[s], set);
		}
		for (size_t i = 0; i < o->n_caps; i++)
			json_object_array_add(set, json_object_new_string(o->caps[i]));
	}
}

static int apply_flags(json_object *process, const struct exec_options *o, struct hull_error **err)
{
	if (o->n_args == 0)
		return hull_error_invalid(err, "no command given (and no --process)");
	json_object_object_add(process, "args",
			       json_new_string_array((const char *const *)o->args, (size_t)o->n_args));
	json_object_object_add(process, "terminal", json_object_new_boolean(o->tty));
	for (size_t i = 0; i < o->n_env; i++) {
		if (strchr(o->env[i], '=') == NULL || o->env[i][0] == '=')
			return hull_error_invalid(err, "--env: `%s` is not KEY=VALUE", o->env[i]);
		set_env(process, o->env[i]);
	}
	if (o->cwd)
		json_object_object_add(process, "cwd", json_object_new_string(o->cwd));
	if (o->user && apply_user(process, o, err) < 0)
		return -EINVAL;
	if (o->n_additional_gids) {
		json_object *user = NULL, *gids = json_object_new_array();
		json_object_object_get_ex(process, "user", &user);
		for (size_t i = 0; i < o->n_additional_gids; i++) {
			uint32_t gid = 0;
			if (parse_id(o->additional_gids[i], "gid", &gid, err) < 0) {
				json_object_put(gids);
				return -EINVAL;
			}
			json_object_array_add(gids, json_object_new_int64(gid));
		}
		if (user)
			json_object_object_add(user, "additionalGids", gids);
		else
			json_object_put(gids);
	}
	if (o->n_caps)
		add_caps(process, o);
	if (o->no_new_privs)
		json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(true));
	if (o->apparmor)
		json_object_object_add(process, "apparmorProfile", json_object_new_string(o->apparmor));
	if (o->process_label)
		json_object_object_add(process, "selinuxLabel", json_object_new_string(o->process_label));
	return 0;
}

int exec_process_spec(const char *config_text, size_t len, const struct exec_options *o,
		      struct oci_spec **out, struct hull_error **err)
{
	json_object *doc = NULL, *process = NULL;
	int ret;

	if ((ret = json_parse_text(config_text, len, "the container's config.json", &doc, err)) < 0)
		return ret;
	if (o->process_file) {
		cleanup_free char *text = NULL;
		size_t n = 0;
		if ((ret = fs_read_file(AT_FDCWD, o->process_file, &text, &n, err)) < 0 ||
		    (ret = json_parse_text(text, n, o->process_file, &process, err)) < 0) {
			json_object_put(doc);
			return hull_error_wrap(err, "--process");
		}
		if (!json_object_is_type(process, json_type_object)) {
			json_object_put(process);
			json_object_put(doc);
			return hull_error_invalid(err, "--process %s: expected a process object",
						  o->process_file);
		}
	} else {
		json_object *template = NULL;
		if (json_object_object_get_ex(doc, "process", &template))
			json_object_deep_copy(template, &process, NULL);
		if (process == NULL)
			process = json_object_new_object();
		if ((ret = apply_flags(process, o, err)) < 0) {
			json_object_put(process);
			json_object_put(doc);
			return ret;
		}
	}
	json_object_object_add(doc, "process", process);
	/* Validated as part of the whole config: the same rules as at create, with the same messages. */
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	ret = oci_spec_parse(text, strlen(text), out, err);
	json_object_put(doc);
	return ret;
}
