#include "machine/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/units.h"
#include "util/yaml.h"

void machine_settings_free(struct machine_settings *s)
{
	free(s->network);
	for (size_t i = 0; i < s->n_binds; i++)
		free(s->binds[i]);
	*s = (struct machine_settings){0};
}

char *machine_settings_path(const struct engine *e, const char *name)
{
	char *path = NULL;
	return asprintf(&path, "%s/machines/%s.yaml", e->store->path, name) < 0 ? NULL : path;
}

static int bad(struct hull_error **err, const char *path, const char *key, const char *why)
{
	return hull_error_invalid(err, "`%s`: %s: %s", path, key, why);
}

/* A size: an integer of bytes, or text with a unit (512m); 0 or null: none. */
static int get_size(json_object *v, const char *path, const char *key, int64_t *out, struct hull_error **err)
{
	if (v == NULL)
		return *out = 0, 0;
	if (json_object_is_type(v, json_type_int))
		*out = json_object_get_int64(v);
	else if (!json_object_is_type(v, json_type_string) ||
		 units_parse_size(json_object_get_string(v), out) < 0)
		return bad(err, path, key, "expected a size such as 512m or 2g");
	if (*out < 0)
		return bad(err, path, key, "expected a size of at least 0");
	return 0;
}

static int load_doc(json_object *doc, const char *path, struct machine_settings *s, struct hull_error **err)
{
	static const char *const keys[] = {"network", "init", "binds", "memory", "cpus", "pids", "autostart",
					   "ephemeral", NULL};
	json_object *v;

	if (doc == NULL)
		return 0; /* an empty file: the defaults */
	if (!json_object_is_type(doc, json_type_object))
		return hull_error_invalid(err, "`%s`: expected a mapping of settings", path);
	json_object_object_foreach(doc, key, value)
	{
		size_t i = 0;
		(void)value;
		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (keys[i] == NULL)
			return hull_error_invalid(err,
						  "`%s`: unknown setting `%.80s` (network, init, binds, memory, "
						  "cpus, pids, autostart, ephemeral)",
						  path, key);
	}
	if (json_object_object_get_ex(doc, "network", &v) && v) {
		if (!json_object_is_type(v, json_type_string) || !*json_object_get_string(v))
			return bad(err, path, "network", "expected a mode such as local, private, shared, "
							 "local.5 or an address");
		if ((s->network = strdup(json_object_get_string(v))) == NULL)
			return hull_error_set(err, ENOMEM, "`%s`", path);
	}
	if (json_object_object_get_ex(doc, "init", &v) && v) {
		const char *init = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		if (strcmp(init, "shell") != 0 && strcmp(init, "auto") != 0)
			return bad(err, path, "init", "expected auto (the root's init) or shell");
		s->single_user = strcmp(init, "shell") == 0;
	}
	if (json_object_object_get_ex(doc, "binds", &v) && v) {
		if (!json_object_is_type(v, json_type_array))
			return bad(err, path, "binds", "expected a list of HOST:MACHINE[:ro]");
		if (json_object_array_length(v) > MACHINE_MAX_BINDS)
			return bad(err, path, "binds", "more than 64");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *b = json_object_array_get_idx(v, i);
			const char *text = json_object_is_type(b, json_type_string) ? json_object_get_string(b) : "";
			if (text[0] != '/' || strchr(text, ':') == NULL)
				return bad(err, path, "binds", "expected HOST:MACHINE[:ro], both absolute paths");
			if ((s->binds[s->n_binds] = strdup(text)) == NULL)
				return hull_error_set(err, ENOMEM, "`%s`", path);
			s->n_binds++;
		}
	}
	if (json_object_object_get_ex(doc, "memory", &v) &&
	    get_size(v, path, "memory", &s->memory, err) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(doc, "cpus", &v) && v) {
		if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
			return bad(err, path, "cpus", "expected a number of CPUs");
		s->cpus = json_object_get_double(v);
		if (!(s->cpus >= 0 && s->cpus <= 4096))
			return bad(err, path, "cpus", "expected a number of CPUs");
	}
	if (json_object_object_get_ex(doc, "pids", &v) && v) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
			return bad(err, path, "pids", "expected a number of processes");
		s->pids = json_object_get_int64(v);
	}
	if (json_object_object_get_ex(doc, "autostart", &v) && v) {
		if (!json_object_is_type(v, json_type_boolean))
			return bad(err, path, "autostart", "expected true or false");
		s->autostart = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(doc, "ephemeral", &v) && v) {
		if (!json_object_is_type(v, json_type_boolean))
			return bad(err, path, "ephemeral", "expected true or false");
		s->ephemeral = json_object_get_boolean(v);
	}
	return 0;
}

int machine_settings_load(const char *path, struct machine_settings *s, bool *found, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	cleanup_json json_object *doc = NULL;
	size_t len;
	int ret;

	*s = (struct machine_settings){0};
	*found = false;
	if ((ret = fs_read_file(AT_FDCWD, path, &text, &len, err)) < 0) {
		if (ret != -ENOENT)
			return ret;
		hull_error_free(err);
		return 0;
	}
	*found = true;
	if ((ret = yaml_parse_text(text, len, path, &doc, err)) < 0 ||
	    (ret = load_doc(doc, path, s, err)) < 0) {
		machine_settings_free(s);
		return ret;
	}
	return 0;
}

int machine_settings_save(const char *path, const char *name, const struct machine_settings *s,
			  struct hull_error **err)
{
	cleanup_free char *dir = strdup(path), *network = yaml_quote(s->network ? s->network : "local");
	char *slash, *text = NULL, memory[32] = "0", cpus[32] = "0";
	size_t size = 0;
	FILE *f;
	int ret;

	if (dir == NULL || network == NULL)
		return hull_error_invalid(err, "machine settings `%s`: the network is not UTF-8 text", path);
	for (size_t i = 0; i < s->n_binds; i++) {
		cleanup_free char *b = yaml_quote(s->binds[i]);
		if (b == NULL)
			return hull_error_invalid(err, "machine settings `%s`: bind `%.80s` is not UTF-8 text",
						  path, s->binds[i]);
	}
	if ((f = open_memstream(&text, &size)) == NULL)
		return hull_error_set(err, ENOMEM, "machine settings");
	if (s->memory)
		snprintf(memory, sizeof(memory), "%lld", (long long)s->memory);
	if (s->cpus > 0)
		snprintf(cpus, sizeof(cpus), "%g", s->cpus);
	fprintf(f,
		"# Settings of the machine %s, read at each `hull machine start %s` (its flags override them\n"
		"# for that start).  A change to network, init, binds or limits makes the machine's container\n"
		"# anew at the next start; what the machine wrote to its root stays.\n\n"
		"# private (loopback alone), shared (the host's network), local (the host's local network,\n"
		"# NAT to the outside while its forwarding is on), local.X (host number X there), or A.B.C.D\n"
		"# (a dedicated address on the host's LAN).\n"
		"network: %s\n\n"
		"# auto: the root's own init (systemd, sysvinit or busybox); shell: a shell as PID 1.\n"
		"init: %s\n\n"
		"# Host directories in the machine, HOST:MACHINE or HOST:MACHINE:ro.\n"
		"binds:%s\n",
		name, name, network, s->single_user ? "shell" : "auto", s->n_binds ? "" : " []");
	for (size_t i = 0; i < s->n_binds; i++) {
		cleanup_free char *b = yaml_quote(s->binds[i]);
		fprintf(f, "  - %s\n", b ? b : "");
	}
	fprintf(f,
		"\n# Limits (0: none): memory in bytes or with a unit (512m, 2g), CPUs, processes.\n"
		"memory: %s\ncpus: %s\npids: %lld\n\n"
		"# Started at the host's boot (hull machine enable/disable change it).\n"
		"autostart: %s\n\n"
		"# Every start on a layer of its own that is thrown away when the machine stops.\n"
		"ephemeral: %s\n",
		memory, cpus, (long long)s->pids, s->autostart ? "true" : "false",
		s->ephemeral ? "true" : "false");
	fclose(f);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if ((ret = fs_mkdir_parents(dir, 0700, err)) >= 0)
		ret = fs_write_file_atomic(AT_FDCWD, path, text, size, 0644, err);
	free(text);
	return ret;
}

char *machine_settings_fingerprint(const struct machine_settings *s)
{
	cleanup_json json_object *o = json_object_new_object(), *binds = json_object_new_array();
	const char *text;

	json_object_object_add(o, "network", json_object_new_string(s->network ? s->network : "local"));
	json_object_object_add(o, "init", json_object_new_string(s->single_user ? "shell" : "auto"));
	for (size_t i = 0; i < s->n_binds; i++)
		json_object_array_add(binds, json_object_new_string(s->binds[i]));
	json_object_object_add(o, "binds", json_object_get(binds));
	json_object_object_add(o, "memory", json_object_new_int64(s->memory));
	json_object_object_add(o, "cpus", json_object_new_double(s->cpus));
	json_object_object_add(o, "pids", json_object_new_int64(s->pids));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	return text ? strdup(text) : NULL;
}
