#include "linux/cgroup_systemd.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"

static bool valid_unit_part(const char *s)
{
	for (; *s; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s < 0x21 || *s == '\\')
			return false;
	return true;
}

int systemd_unit_parse(const char *cgroups_path, const char *id, bool user, struct systemd_unit *out,
		       struct hull_error **err)
{
	const char *slice = "", *prefix = "hull", *name = id;
	char copy[512];

	memset(out, 0, sizeof(*out));
	if (cgroups_path && *cgroups_path) {
		char *c1, *c2;
		if (strlen(cgroups_path) >= sizeof(copy))
			return hull_error_invalid(err, "linux.cgroupsPath: too long");
		snprintf(copy, sizeof(copy), "%s", cgroups_path);
		c1 = strchr(copy, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL || strchr(c2 + 1, ':'))
			return hull_error_invalid(
			    err,
			    "linux.cgroupsPath: `%s` is not slice:prefix:name, the form the "
			    "systemd cgroup manager takes",
			    cgroups_path);
		*c1 = *c2 = '\0';
		slice = copy;
		prefix = c1 + 1;
		name = *(c2 + 1) ? c2 + 1 : id;
	}
	if (!*slice)
		slice = user ? "user.slice" : "system.slice";
	if (!valid_unit_part(slice) || !valid_unit_part(prefix) || !valid_unit_part(name) ||
	    strlen(slice) < 7 || strcmp(slice + strlen(slice) - 6, ".slice") != 0)
		return hull_error_invalid(err, "linux.cgroupsPath: `%s` does not name a slice and a scope",
					  cgroups_path ? cgroups_path : "");
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		return hull_error_invalid(err,
					  "linux.cgroupsPath: a container runs in a scope, not in the slice "
					  "`%s`",
					  name);
	if (strlen(slice) >= sizeof(out->slice))
		return hull_error_invalid(err, "linux.cgroupsPath: slice name too long");
	memcpy(out->slice, slice, strlen(slice) + 1);
	if (snprintf(out->name, sizeof(out->name), "%s%s%s.scope", prefix, *prefix ? "-" : "", name) >=
	    (int)sizeof(out->name))
		return hull_error_invalid(err, "linux.cgroupsPath: unit name too long");
	return 0;
}

bool systemd_is_running(void)
{
	return access("/run/systemd/system", F_OK) == 0;
}

/* The few sd-bus calls used, resolved from libsystemd.so.0 at run time. */
typedef struct {
	const char *name;
	const char *message;
	int need_free;
} bus_error;

struct sdbus {
	void *lib;
	void *bus;
	int (*open_system)(void **);
	int (*open_user)(void **);
	void *(*flush_close_unref)(void *);
	int (*new_method_call)(void *, void **, const char *, const char *, const char *, const char *);
	int (*append)(void *, const char *, ...);
	int (*open_container)(void *, char, const char *);
	int (*close_container)(void *);
	int (*call)(void *, void *, uint64_t, bus_error *, void **);
	void *(*message_unref)(void *);
	void (*error_free)(bus_error *);
	int (*get_property_string)(void *, const char *, const char *, const char *, const char *,
				   bus_error *, char **);
	int (*path_encode)(const char *, const char *, char **);
};

static void sdbus_close(struct sdbus *b)
{
	if (b->bus)
		b->flush_close_unref(b->bus);
	if (b->lib)
		dlclose(b->lib);
	memset(b, 0, sizeof(*b));
}

static int sdbus_open(struct sdbus *b, bool user, struct hull_error **err)
{
	memset(b, 0, sizeof(*b));
	b->lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (b->lib == NULL)
		return hull_error_fail(err, ENOTSUP, "the systemd cgroup manager needs libsystemd.so.0: %s",
				       dlerror());
#define SYM(field, symbol)                                                                                   \
	if ((*(void **)&b->field = dlsym(b->lib, symbol)) == NULL) {                                         \
		sdbus_close(b);                                                                              \
		return hull_error_fail(err, ENOTSUP, "libsystemd lacks %s", symbol);                         \
	}
	SYM(open_system, "sd_bus_open_system");
	SYM(open_user, "sd_bus_open_user");
	SYM(flush_close_unref, "sd_bus_flush_close_unref");
	SYM(new_method_call, "sd_bus_message_new_method_call");
	SYM(append, "sd_bus_message_append");
	SYM(open_container, "sd_bus_message_open_container");
	SYM(close_container, "sd_bus_message_close_container");
	SYM(call, "sd_bus_call");
	SYM(message_unref, "sd_bus_message_unref");
	SYM(error_free, "sd_bus_error_free");
	SYM(get_property_string, "sd_bus_get_property_string");
	SYM(path_encode, "sd_bus_path_encode");
#undef SYM
	int r = user ? b->open_user(&b->bus) : b->open_system(&b->bus);
	if (r < 0) {
		sdbus_close(b);
		return hull_error_set(err, -r, "connect to systemd over D-Bus");
	}
	return 0;
}

/* Calls a method of org.freedesktop.systemd1.Manager whose arguments `fill` appends. */
static int manager_call(struct sdbus *b, const char *method,
			int (*fill)(struct sdbus *, void *, const void *), const void *arg,
			struct hull_error **err)
{
	void *m = NULL, *reply = NULL;
	bus_error e = {0};
	int r;

	r = b->new_method_call(b->bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", method);
	if (r >= 0)
		r = fill(b, m, arg);
	if (r < 0) {
		b->message_unref(m);
		return hull_error_set(err, -r, "systemd %s: build the request", method);
	}
	r = b->call(b->bus, m, 25 * 1000000ull, &e, &reply);
	b->message_unref(m);
	b->message_unref(reply);
	if (r < 0) {
		hull_error_fail(err, -r, "systemd %s: %s", method, e.message ? e.message : strerror(-r));
		b->error_free(&e);
		return -1;
	}
	return 0;
}

struct start_args {
	const struct systemd_unit *unit;
	pid_t pid;
};

static int fill_start(struct sdbus *b, void *m, const void *arg)
{
	const struct start_args *a = arg;
	char description[300];
	int r;

	snprintf(description, sizeof(description), "hull container %s", a->unit->name);
	if ((r = b->append(m, "ss", a->unit->name, "fail")) < 0 ||
	    (r = b->open_container(m, 'a', "(sv)")) < 0 ||
	    (r = b->append(m, "(sv)", "Description", "s", description)) < 0 ||
	    (r = b->append(m, "(sv)", "Slice", "s", a->unit->slice)) < 0 ||
	    (r = b->append(m, "(sv)", "PIDs", "au", 1, (uint32_t)a->pid)) < 0 ||
	    (r = b->append(m, "(sv)", "Delegate", "b", 1)) < 0 ||
	    (r = b->append(m, "(sv)", "DefaultDependencies", "b", 0)) < 0 ||
	    (r = b->append(m, "(sv)", "CollectMode", "s", "inactive-or-failed")) < 0 ||
	    (r = b->close_container(m)) < 0)
		return r;
	return b->append(m, "a(sa(sv))", 0);
}

static int fill_stop(struct sdbus *b, void *m, const void *arg)
{
	return b->append(m, "ss", (const char *)arg, "replace");
}

/* The unit's ActiveState ("active", "activating", "failed", ...), malloc'd, or NULL. */
static char *active_state(struct sdbus *b, const char *unit)
{
	cleanup_free char *path = NULL;
	bus_error e = {0};
	char *state = NULL;

	if (b->path_encode("/org/freedesktop/systemd1/unit", unit, &path) < 0)
		return NULL;
	if (b->get_property_string(b->bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
				   "ActiveState", &e, &state) < 0)
		state = NULL;
	b->error_free(&e);
	return state;
}

/* The start job realizes the scope's cgroup in every hierarchy systemd manages and moves the process into
 * each, one after the other: the scope is "active" once all are done, and only then does /proc/<pid>/cgroup
 * name it wherever it will (reading it earlier, on v1, gives a partial set: name=systemd but not memory). */
static int wait_active(struct sdbus *b, const char *unit, pid_t pid, struct hull_error **err)
{
	for (int i = 0; i < 500; i++) {
		cleanup_free char *state = active_state(b, unit);
		if (state && strcmp(state, "active") == 0)
			return 0;
		/* Right after the call it may still read inactive; failed is final, and so is a gone process.
		 */
		if ((state && strcmp(state, "failed") == 0) || (kill(pid, 0) < 0 && errno == ESRCH))
			return hull_error_fail(err, ECHILD, "scope `%s` failed to start with process %d",
					       unit, pid);
		usleep(i < 50 ? 1000 : 10000);
	}
	return hull_error_fail(err, ETIMEDOUT, "scope `%s`: systemd did not start it with process %d", unit,
			       pid);
}

int systemd_scope_start(const struct systemd_unit *unit, pid_t pid, bool user, struct cgroup_set *out,
			struct hull_error **err)
{
	struct sdbus b;
	struct start_args a = {.unit = unit, .pid = pid};
	int ret;

	memset(out, 0, sizeof(*out));
	if (!systemd_is_running())
		return hull_error_fail(err, ENOTSUP,
				       "the systemd cgroup manager needs systemd running the host (no "
				       "/run/systemd/system); use --cgroup-manager=cgroupfs");
	if ((ret = sdbus_open(&b, user, err)) < 0)
		return ret;
	ret = manager_call(&b, "StartTransientUnit", fill_start, &a, err);
	if (ret == 0)
		ret = wait_active(&b, unit->name, pid, err);
	sdbus_close(&b);
	/* Hierarchies systemd does not manage keep the process where it was and are left alone. */
	if (ret == 0)
		ret = cgroup_set_from_pid(pid, unit->name, out, err);
	return ret < 0 ? hull_error_wrap(err, "scope `%s`", unit->name) : 0;
}

int systemd_scope_stop(const char *name, bool user, struct hull_error **err)
{
	struct sdbus b;
	int ret;

	if ((ret = sdbus_open(&b, user, err)) < 0)
		return ret;
	ret = manager_call(&b, "StopUnit", fill_stop, name, err);
	sdbus_close(&b);
	/* A scope whose processes are gone is already collected: nothing to stop. */
	if (ret < 0 && *err && (*err)->message && strstr((*err)->message, "not loaded")) {
		hull_error_free(err);
		return 0;
	}
	return ret < 0 ? hull_error_wrap(err, "stop scope `%s`", name) : 0;
}
