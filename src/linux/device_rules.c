#include "linux/device_rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* What every container may open even when the config denies all: the nodes the runtime creates in
 * /dev, the pty pair, /dev/console, /dev/net/tun, and mknod of any char or block node (opening one
 * still needs a rule). */
static const struct device_rule defaults[] = {
    {true, 'c', -1, -1, DEVICE_ACCESS_MKNOD},
    {true, 'b', -1, -1, DEVICE_ACCESS_MKNOD},
    {true, 'c', 1, 3, 7},    /* null */
    {true, 'c', 1, 5, 7},    /* zero */
    {true, 'c', 1, 7, 7},    /* full */
    {true, 'c', 1, 8, 7},    /* random */
    {true, 'c', 1, 9, 7},    /* urandom */
    {true, 'c', 5, 0, 7},    /* tty */
    {true, 'c', 5, 1, 7},    /* console */
    {true, 'c', 5, 2, 7},    /* ptmx */
    {true, 'c', 136, -1, 7}, /* pts */
    {true, 'c', 10, 200, 7}, /* net/tun */
};

static int append(struct device_rules *out, const struct device_rule *r)
{
	struct device_rule *bigger = realloc(out->rules, (out->n_rules + 1) * sizeof(*bigger));

	if (bigger == NULL)
		return -ENOMEM;
	out->rules = bigger;
	out->rules[out->n_rules++] = *r;
	return 0;
}

static int parse_access(const char *s, unsigned *out)
{
	*out = 0;
	for (; *s; s++) {
		unsigned bit = *s == 'r'   ? DEVICE_ACCESS_READ
			       : *s == 'w' ? DEVICE_ACCESS_WRITE
			       : *s == 'm' ? DEVICE_ACCESS_MKNOD
					   : 0;
		if (bit == 0 || (*out & bit))
			return -1;
		*out |= bit;
	}
	return 0;
}

static int parse_rule(json_object *e, const char *where, struct device_rule *r, struct hull_error **err)
{
	const char *type = NULL, *access = NULL;
	int ret;

	if (!json_object_is_type(e, json_type_object))
		return hull_error_invalid(err, "%s: expected an object, got %s", where, json_type_label(e));
	*r = (struct device_rule){.type = 'a', .major = -1, .minor = -1, .access = 7};
	if (!json_object_object_get_ex(e, "allow", NULL))
		return hull_error_invalid(err, "%s.allow: missing", where);
	if ((ret = json_field_bool(e, where, "allow", &r->allow, err)) < 0 ||
	    (ret = json_field_string(e, where, "type", &type, err)) < 0 ||
	    (ret = json_field_string(e, where, "access", &access, err)) < 0 ||
	    (ret = json_field_int64(e, where, "major", -1, 0xfff, &r->major, err)) < 0 ||
	    (ret = json_field_int64(e, where, "minor", -1, 0xfffff, &r->minor, err)) < 0)
		return ret;
	if (type) {
		if (strcmp(type, "a") != 0 && strcmp(type, "c") != 0 && strcmp(type, "b") != 0)
			return hull_error_invalid(err, "%s.type: `%s` is not a, c or b", where, type);
		r->type = type[0];
	}
	if (access && (parse_access(access, &r->access) < 0 || r->access == 0))
		return hull_error_invalid(err, "%s.access: `%s` is not a combination of r, w and m", where,
					  access);
	/* "a" means every device: numbers on it would be ignored by the kernel, so they are refused. */
	if (r->type == 'a' && (r->major != -1 || r->minor != -1))
		return hull_error_invalid(err, "%s: type `a` covers all devices and takes no major or minor",
					  where);
	return 0;
}

int device_rules_build(json_object *devices, const struct oci_spec *spec, const char *where,
		       struct device_rules *out, struct hull_error **err)
{
	struct device_rules config = {0};
	size_t reset = 0; /* rules before this one are overridden by a wildcard */

	memset(out, 0, sizeof(*out));
	if (devices == NULL)
		return 0;
	if (!json_object_is_type(devices, json_type_array))
		return hull_error_invalid(err, "%s: expected an array, got %s", where,
					  json_type_label(devices));
	for (size_t i = 0; i < json_object_array_length(devices); i++) {
		struct device_rule r;
		char at[96];
		snprintf(at, sizeof(at), "%s[%zu]", where, i);
		if (parse_rule(json_object_array_get_idx(devices, i), at, &r, err) < 0 ||
		    append(&config, &r) < 0) {
			device_rules_free(&config);
			return *err ? hull_error_code(*err) : hull_error_set(err, ENOMEM, "%s", where);
		}
		if (r.type == 'a')
			reset = config.n_rules;
	}
	if (config.n_rules == 0)
		return 0;
	/* The config's rules come first, in its order, so that devices.list reads as runc leaves it (the
	 * config's entries, then the defaults).  Then the defaults and the devices of linux.devices: a
	 * leading "deny all" does not take them away.  Then the rules after the config's last wildcard once
	 * more, so that a rule for a single device still has the last word over a default, as written. */
	for (size_t i = 0; i < config.n_rules; i++)
		if (append(out, &config.rules[i]) < 0)
			goto nomem;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (append(out, &defaults[i]) < 0)
			goto nomem;
	for (size_t i = 0; spec && i < spec->linux_.n_devices; i++) {
		const struct oci_device *d = &spec->linux_.devices[i];
		struct device_rule r = {true, d->type == 'b' ? 'b' : 'c', d->major, d->minor, 7};
		if (d->type == 'p')
			continue; /* fifos need no device access */
		if (append(out, &r) < 0)
			goto nomem;
	}
	for (size_t i = reset; i < config.n_rules; i++)
		if (append(out, &config.rules[i]) < 0)
			goto nomem;
	device_rules_free(&config);
	return 0;
nomem:
	device_rules_free(&config);
	device_rules_free(out);
	return hull_error_set(err, ENOMEM, "%s", where);
}

void device_rule_format(const struct device_rule *r, char *buf, size_t len)
{
	char major[24], minor[24], access[4];
	size_t n = 0;

	if (r->access & DEVICE_ACCESS_READ)
		access[n++] = 'r';
	if (r->access & DEVICE_ACCESS_WRITE)
		access[n++] = 'w';
	if (r->access & DEVICE_ACCESS_MKNOD)
		access[n++] = 'm';
	access[n] = '\0';
	if (r->type == 'a') {
		snprintf(buf, len, "a *:* %s", access);
		return;
	}
	if (r->major < 0)
		snprintf(major, sizeof(major), "*");
	else
		snprintf(major, sizeof(major), "%" PRId64, r->major);
	if (r->minor < 0)
		snprintf(minor, sizeof(minor), "*");
	else
		snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, major, minor, access);
}

void device_rules_free(struct device_rules *r)
{
	free(r->rules);
	r->rules = NULL;
	r->n_rules = 0;
}
