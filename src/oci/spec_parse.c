/* config.json: the top level, the process, mounts, hooks and annotations.  The `linux` object is in
 * spec_linux.c.  Everything in a config is untrusted input: each field is type-checked and each error names
 * the field's location. */
#include "oci/spec.h"
#include "oci/spec_internal.h"
#include "oci/names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

int oci_require_absolute(const char *where, const char *path, struct hull_error **err)
{
	if (path == NULL || path[0] != '/')
		return hull_error_invalid(err, "%s: `%s` is not an absolute path", where, path ? path : "");
	return 0;
}

/* Array elements must be objects; `where` names the array. */
int oci_array_object(json_object *array, size_t i, const char *where, json_object **out,
		     struct hull_error **err)
{
	json_object *item = json_object_array_get_idx(array, i);

	if (!json_object_is_type(item, json_type_object))
		return hull_error_invalid(err, "%s[%zu]: expected an object, got %s", where, i,
					  json_type_label(item));
	*out = item;
	return 0;
}

static int parse_user(json_object *process, struct oci_user *user, struct hull_error **err)
{
	json_object *obj = NULL, *gids = NULL;
	int64_t umask = -1;
	int ret;

	ret = json_field_object(process, "process", "user", &obj, err);
	if (ret < 0 || obj == NULL)
		return ret;
	if ((ret = json_field_uint32(obj, "process.user", "uid", &user->uid, err)) < 0 ||
	    (ret = json_field_uint32(obj, "process.user", "gid", &user->gid, err)) < 0 ||
	    (ret = json_field_int64(obj, "process.user", "umask", 0, 0777, &umask, err)) < 0 ||
	    (ret = json_field_array(obj, "process.user", "additionalGids", &gids, err)) < 0)
		return ret;
	/* (uid_t)-1 is "leave unchanged" to setresuid and setresgid: a process given it would stay root. */
	if (user->uid == UINT32_MAX || user->gid == UINT32_MAX)
		return hull_error_invalid(err,
					  "process.user.%s: 4294967295 is (uid_t)-1, which the kernel reads as "
					  "\"unchanged\" (the process would stay root)",
					  user->uid == UINT32_MAX ? "uid" : "gid");
	if (umask >= 0) {
		user->has_umask = true;
		user->umask = (uint32_t)umask;
	}
	if (gids == NULL)
		return 0;
	user->n_additional_gids = json_object_array_length(gids);
	user->additional_gids = calloc(user->n_additional_gids + 1, sizeof(uint32_t));
	if (user->additional_gids == NULL)
		return hull_error_set(err, ENOMEM, "process.user.additionalGids");
	for (size_t i = 0; i < user->n_additional_gids; i++) {
		json_object *g = json_object_array_get_idx(gids, i);
		int64_t v;
		if (!json_object_is_type(g, json_type_int) || (v = json_object_get_int64(g)) < 0 ||
		    v >= UINT32_MAX)
			return hull_error_invalid(err,
						  "process.user.additionalGids[%zu]: expected a group id below "
						  "4294967295",
						  i);
		user->additional_gids[i] = (uint32_t)v;
	}
	return 0;
}

static int parse_capabilities(json_object *process, struct oci_process *p, struct hull_error **err)
{
	static const char *const set_names[OCI_CAP_SETS] = {"bounding", "effective", "inheritable",
							    "permitted", "ambient"};
	json_object *caps = NULL;
	int ret = json_field_object(process, "process", "capabilities", &caps, err);

	if (ret < 0 || caps == NULL)
		return ret;
	p->has_capabilities = true;
	for (int s = 0; s < OCI_CAP_SETS; s++) {
		ret = json_field_strv(caps, "process.capabilities", set_names[s], &p->capabilities[s],
				      &p->n_capabilities[s], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int parse_rlimits(json_object *process, struct oci_process *p, struct hull_error **err)
{
	json_object *array = NULL;
	int ret = json_field_array(process, "process", "rlimits", &array, err);

	if (ret < 0 || array == NULL)
		return ret;
	p->n_rlimits = json_object_array_length(array);
	p->rlimits = calloc(p->n_rlimits + 1, sizeof(*p->rlimits));
	if (p->rlimits == NULL)
		return hull_error_set(err, ENOMEM, "process.rlimits");
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct oci_rlimit *r = &p->rlimits[i];
		json_object *obj;
		char where[64];

		snprintf(where, sizeof(where), "process.rlimits[%zu]", i);
		if ((ret = oci_array_object(array, i, "process.rlimits", &obj, err)) < 0 ||
		    (ret = json_field_string(obj, where, "type", &r->name, err)) < 0 ||
		    (ret = json_field_uint64(obj, where, "soft", &r->soft, err)) < 0 ||
		    (ret = json_field_uint64(obj, where, "hard", &r->hard, err)) < 0)
			return ret;
		if (r->name == NULL)
			return hull_error_invalid(err, "%s.type: missing", where);
		r->resource = oci_rlimit_from_name(r->name);
		if (r->resource < 0)
			return hull_error_invalid(err, "%s.type: unknown rlimit `%s`", where, r->name);
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == r->resource)
				return hull_error_invalid(err, "%s.type: `%s` is given twice", where,
							  r->name);
	}
	return 0;
}

static int parse_process(json_object *root, struct oci_spec *spec, struct hull_error **err)
{
	json_object *obj = NULL, *console = NULL;
	struct oci_process *p;
	int64_t oom = 0;
	int ret = json_field_object(root, "", "process", &obj, err);

	if (ret < 0 || obj == NULL)
		return ret;
	p = spec->process = calloc(1, sizeof(*p));
	if (p == NULL)
		return hull_error_set(err, ENOMEM, "process");
	if ((ret = json_field_bool(obj, "process", "terminal", &p->terminal, err)) < 0 ||
	    (ret = json_field_object(obj, "process", "consoleSize", &console, err)) < 0 ||
	    (ret = json_field_uint32(console, "process.consoleSize", "height", &p->console_height, err)) <
		0 ||
	    (ret = json_field_uint32(console, "process.consoleSize", "width", &p->console_width, err)) < 0 ||
	    (ret = parse_user(obj, &p->user, err)) < 0 ||
	    (ret = json_field_strv(obj, "process", "args", &p->args, &p->n_args, err)) < 0 ||
	    (ret = json_field_strv(obj, "process", "env", &p->env, &p->n_env, err)) < 0 ||
	    (ret = json_field_string(obj, "process", "cwd", &p->cwd, err)) < 0 ||
	    (ret = parse_capabilities(obj, p, err)) < 0 || (ret = parse_rlimits(obj, p, err)) < 0 ||
	    (ret = json_field_bool(obj, "process", "noNewPrivileges", &p->no_new_privileges, err)) < 0 ||
	    (ret = json_field_int64(obj, "process", "oomScoreAdj", -1000, 1000, &oom, err)) < 0 ||
	    (ret = json_field_string(obj, "process", "apparmorProfile", &p->apparmor_profile, err)) < 0 ||
	    (ret = json_field_string(obj, "process", "selinuxLabel", &p->selinux_label, err)) < 0)
		return ret;
	if (json_object_object_get_ex(obj, "oomScoreAdj", NULL)) {
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)oom;
	}
	if (p->n_args == 0)
		return hull_error_invalid(err, "process.args: must name the program to run");
	if (p->cwd == NULL)
		p->cwd = "/";
	if (oci_require_absolute("process.cwd", p->cwd, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < p->n_env; i++)
		if (strchr(p->env[i], '=') == NULL)
			return hull_error_invalid(err, "process.env[%zu]: `%s` is not NAME=VALUE", i,
						  p->env[i]);
	return 0;
}

static int parse_mounts(json_object *root, struct oci_spec *spec, struct hull_error **err)
{
	json_object *array = NULL;
	int ret = json_field_array(root, "", "mounts", &array, err);

	if (ret < 0 || array == NULL)
		return ret;
	spec->n_mounts = json_object_array_length(array);
	spec->mounts = calloc(spec->n_mounts + 1, sizeof(*spec->mounts));
	if (spec->mounts == NULL)
		return hull_error_set(err, ENOMEM, "mounts");
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct oci_mount *m = &spec->mounts[i];
		json_object *obj;
		char where[48];

		snprintf(where, sizeof(where), "mounts[%zu]", i);
		if ((ret = oci_array_object(array, i, "mounts", &obj, err)) < 0 ||
		    (ret = json_field_string(obj, where, "destination", &m->destination, err)) < 0 ||
		    (ret = json_field_string(obj, where, "type", &m->type, err)) < 0 ||
		    (ret = json_field_string(obj, where, "source", &m->source, err)) < 0 ||
		    (ret = json_field_strv(obj, where, "options", &m->options, &m->n_options, err)) < 0 ||
		    (ret = oci_parse_id_mappings(obj, where, "uidMappings", &m->uid_mappings, &m->n_uid_mappings,
						 err)) < 0 ||
		    (ret = oci_parse_id_mappings(obj, where, "gidMappings", &m->gid_mappings, &m->n_gid_mappings,
						 err)) < 0)
			return ret;
		if (!m->n_uid_mappings != !m->n_gid_mappings)
			return hull_error_invalid(err, "%s: an id-mapped mount needs uidMappings and gidMappings",
						  where);
		if (m->destination == NULL)
			return hull_error_invalid(err, "%s.destination: missing", where);
		snprintf(where, sizeof(where), "mounts[%zu].destination", i);
		if (oci_require_absolute(where, m->destination, err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int parse_hook_list(json_object *hooks, enum oci_hook_kind kind, struct oci_spec *spec,
			   struct hull_error **err)
{
	const char *name = oci_hook_kind_name(kind);
	json_object *array = NULL;
	char where[48];
	int ret = json_field_array(hooks, "hooks", name, &array, err);

	if (ret < 0 || array == NULL)
		return ret;
	spec->n_hooks[kind] = json_object_array_length(array);
	spec->hooks[kind] = calloc(spec->n_hooks[kind] + 1, sizeof(struct oci_hook));
	if (spec->hooks[kind] == NULL)
		return hull_error_set(err, ENOMEM, "hooks.%s", name);
	snprintf(where, sizeof(where), "hooks.%s", name);
	for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
		struct oci_hook *h = &spec->hooks[kind][i];
		json_object *obj;
		char item[128];
		int64_t timeout = 0;

		snprintf(item, sizeof(item), "%s[%zu]", where, i);
		if ((ret = oci_array_object(array, i, where, &obj, err)) < 0 ||
		    (ret = json_field_string(obj, item, "path", &h->path, err)) < 0 ||
		    (ret = json_field_strv(obj, item, "args", &h->args, NULL, err)) < 0 ||
		    (ret = json_field_strv(obj, item, "env", &h->env, NULL, err)) < 0 ||
		    (ret = json_field_int64(obj, item, "timeout", 1, 86400 * 365, &timeout, err)) < 0)
			return ret;
		h->timeout = (int)timeout;
		snprintf(item, sizeof(item), "%s[%zu].path", where, i);
		if (oci_require_absolute(item, h->path, err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int parse_hooks(json_object *root, struct oci_spec *spec, struct hull_error **err)
{
	json_object *hooks = NULL;
	int ret = json_field_object(root, "", "hooks", &hooks, err);

	for (int k = 0; ret == 0 && hooks && k < OCI_HOOK_KINDS; k++)
		ret = parse_hook_list(hooks, k, spec, err);
	return ret;
}

static int parse_annotations(json_object *root, struct oci_spec *spec, struct hull_error **err)
{
	json_object *obj = NULL;
	size_t i = 0;
	int ret = json_field_object(root, "", "annotations", &obj, err);

	if (ret < 0 || obj == NULL)
		return ret;
	spec->annotations = calloc(json_object_object_length(obj) + 1, sizeof(*spec->annotations));
	if (spec->annotations == NULL)
		return hull_error_set(err, ENOMEM, "annotations");
	json_object_object_foreach(obj, key, value)
	{
		if (!json_object_is_type(value, json_type_string))
			return hull_error_invalid(err, "annotations.%s: expected a string, got %s", key,
						  json_type_label(value));
		spec->annotations[i].key = key;
		spec->annotations[i].value = json_object_get_string(value);
		i++;
	}
	spec->n_annotations = i;
	return 0;
}

static int parse_document(json_object *doc, struct oci_spec *spec, struct hull_error **err)
{
	json_object *root = NULL;
	int ret;

	if (!json_object_is_type(doc, json_type_object))
		return hull_error_invalid(err, "expected a JSON object at the top, got %s",
					  json_type_label(doc));
	if ((ret = json_field_string(doc, "", "ociVersion", &spec->oci_version, err)) < 0 ||
	    (ret = json_field_object(doc, "", "root", &root, err)) < 0 ||
	    (ret = json_field_string(root, "root", "path", &spec->root_path, err)) < 0 ||
	    (ret = json_field_bool(root, "root", "readonly", &spec->root_readonly, err)) < 0 ||
	    (ret = json_field_string(doc, "", "hostname", &spec->hostname, err)) < 0 ||
	    (ret = json_field_string(doc, "", "domainname", &spec->domainname, err)) < 0 ||
	    (ret = parse_process(doc, spec, err)) < 0 || (ret = parse_mounts(doc, spec, err)) < 0 ||
	    (ret = parse_hooks(doc, spec, err)) < 0 || (ret = parse_annotations(doc, spec, err)) < 0 ||
	    (ret = oci_parse_linux(doc, spec, err)) < 0)
		return ret;
	if (spec->oci_version == NULL)
		return hull_error_invalid(err, "ociVersion: missing");
	if (strncmp(spec->oci_version, "1.", 2) != 0)
		return hull_error_invalid(err, "ociVersion: version `%s` is not supported (1.x is)",
					  spec->oci_version);
	if (spec->root_path == NULL || *spec->root_path == '\0')
		return hull_error_invalid(err, "root.path: missing");
	return 0;
}

int oci_spec_parse(const char *text, size_t len, struct oci_spec **out, struct hull_error **err)
{
	struct oci_spec *spec = calloc(1, sizeof(*spec));
	int ret;

	if (spec == NULL)
		return hull_error_set(err, ENOMEM, "parse config");
	ret = json_parse_text(text, len, "JSON", &spec->doc, err);
	if (ret == 0)
		ret = parse_document(spec->doc, spec, err);
	if (ret < 0) {
		oci_spec_free(spec);
		return ret;
	}
	*out = spec;
	return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec **out, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;
	int ret;

	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return hull_error_set(err, ENOMEM, "load config");
	ret = fs_read_file(AT_FDCWD, path, &text, &len, err);
	if (ret < 0)
		return ret;
	ret = oci_spec_parse(text, len, out, err);
	if (ret < 0)
		return hull_error_wrap(err, "%s", path);
	return 0;
}

void oci_spec_free(struct oci_spec *spec)
{
	if (spec == NULL)
		return;
	if (spec->process) {
		for (int s = 0; s < OCI_CAP_SETS; s++)
			free(spec->process->capabilities[s]);
		free(spec->process->user.additional_gids);
		free(spec->process->args);
		free(spec->process->env);
		free(spec->process->rlimits);
		free(spec->process);
	}
	for (size_t i = 0; i < spec->n_mounts; i++) {
		free(spec->mounts[i].options);
		free(spec->mounts[i].uid_mappings);
		free(spec->mounts[i].gid_mappings);
	}
	free(spec->mounts);
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		for (size_t i = 0; i < spec->n_hooks[k]; i++) {
			free(spec->hooks[k][i].args);
			free(spec->hooks[k][i].env);
		}
		free(spec->hooks[k]);
	}
	free(spec->annotations);
	oci_linux_free(&spec->linux_);
	json_object_put(spec->doc);
	free(spec);
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, int type)
{
	for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
		if (spec->linux_.namespaces[i].type == type)
			return &spec->linux_.namespaces[i];
	return NULL;
}
