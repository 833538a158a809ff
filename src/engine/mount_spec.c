/* --mount's comma-separated keys, checked and rewritten. */
#include "engine/mount_spec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"

struct mount_fields {
	const char *type, *source, *target, *propagation, *size, *mode;
	bool readonly, nocopy;
};

/* "true", "1" or nothing: set; "false", "0": not. */
static int flag_value(const char *spec, const char *key, const char *value, bool *out,
		      struct hull_error **err)
{
	if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*out = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*out = false;
	else
		return hull_error_invalid(err, "--mount `%.120s`: %s takes true or false", spec, key);
	return 0;
}

static int field(const char *spec, char *key, struct mount_fields *m, struct hull_error **err)
{
	char *value = strchr(key, '=');

	if (value)
		*value++ = '\0';
#define VALUE_OF(...)                                                                                        \
	for (const char *const names[] = {__VA_ARGS__, NULL}, *const *n = names; *n; n++)                    \
		if (strcmp(key, *n) == 0)
	if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0)
		return flag_value(spec, key, value, &m->readonly, err);
	if (strcmp(key, "volume-nocopy") == 0)
		return flag_value(spec, key, value, &m->nocopy, err);
	if (value == NULL || *value == '\0')
		return hull_error_invalid(err, "--mount `%.120s`: `%s` needs a value", spec, key);
	VALUE_OF("type") return m->type = value, 0;
	VALUE_OF("source", "src") return m->source = value, 0;
	VALUE_OF("target", "destination", "dst") return m->target = value, 0;
	VALUE_OF("bind-propagation") return m->propagation = value, 0;
	VALUE_OF("tmpfs-size") return m->size = value, 0;
	VALUE_OF("tmpfs-mode") return m->mode = value, 0;
	VALUE_OF("consistency", "bind-nonrecursive") return 0; /* macOS's, and a default hull keeps */
#undef VALUE_OF
	return hull_error_invalid(err, "--mount `%.120s`: unknown key `%s`", spec, key);
}

static bool has_colon_or_comma(const char *s)
{
	return s && strpbrk(s, ":,") != NULL;
}

int engine_mount_translate(const char *spec, char **volume, char **tmpfs, struct hull_error **err)
{
	cleanup_free char *copy = strdup(spec);
	struct mount_fields m = {.type = "volume"};
	char *save = NULL;
	struct stat st;
	int ret;

	*volume = *tmpfs = NULL;
	if (copy == NULL)
		return hull_error_set(err, ENOMEM, "--mount");
	for (char *key = strtok_r(copy, ",", &save); key; key = strtok_r(NULL, ",", &save))
		if ((ret = field(spec, key, &m, err)) < 0)
			return ret;
	if (m.target == NULL || m.target[0] != '/')
		return hull_error_invalid(err, "--mount `%.120s`: target must be an absolute path", spec);
	if (has_colon_or_comma(m.target) || has_colon_or_comma(m.source))
		return hull_error_invalid(
		    err, "--mount `%.120s`: hull takes no `:` or `,` in source or target", spec);
	if (strcmp(m.type, "tmpfs") == 0) {
		if (m.source || m.propagation || m.nocopy)
			return hull_error_invalid(
			    err, "--mount `%.120s`: a tmpfs takes no source or bind options", spec);
		if (m.mode && strspn(m.mode, "01234567") != strlen(m.mode))
			return hull_error_invalid(err, "--mount `%.120s`: tmpfs-mode is octal", spec);
		ret = asprintf(tmpfs, "%s:%s%s%s%s%s%s", m.target, m.readonly ? "ro" : "rw",
			       m.size ? ",size=" : "", m.size ? m.size : "", m.mode ? ",mode=" : "",
			       m.mode ? m.mode : "", "");
	} else if (strcmp(m.type, "bind") == 0) {
		if (m.source == NULL || m.source[0] != '/')
			return hull_error_invalid(err, "--mount `%.120s`: a bind needs an absolute source",
						  spec);
		if (m.nocopy || m.size || m.mode)
			return hull_error_invalid(err, "--mount `%.120s`: volume or tmpfs options on a bind",
						  spec);
		if (stat(m.source, &st) < 0)
			return hull_error_errno(err, "--mount `%.120s`: bind source `%s`", spec, m.source);
		ret = asprintf(volume, "%s:%s:%s%s%s", m.source, m.target, m.readonly ? "ro" : "rw",
			       m.propagation ? "," : "", m.propagation ? m.propagation : "");
	} else if (strcmp(m.type, "volume") == 0) {
		if (m.propagation || m.size || m.mode)
			return hull_error_invalid(err, "--mount `%.120s`: bind or tmpfs options on a volume",
						  spec);
		if (m.source == NULL && (m.readonly || m.nocopy))
			return hull_error_invalid(
			    err, "--mount `%.120s`: hull's anonymous volumes take no options", spec);
		if (m.source == NULL)
			ret = asprintf(volume, "%s", m.target);
		else
			ret = asprintf(volume, "%s:%s:%s%s", m.source, m.target, m.readonly ? "ro" : "rw",
				       m.nocopy ? ",nocopy" : "");
	} else {
		return hull_error_invalid(err, "--mount `%.120s`: type `%s` is not bind, volume or tmpfs",
					  spec, m.type);
	}
	if (ret < 0) {
		*volume = *tmpfs = NULL;
		return hull_error_set(err, ENOMEM, "--mount");
	}
	return 0;
}
