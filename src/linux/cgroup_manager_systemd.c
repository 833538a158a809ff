/* The systemd manager: a scope is made with its first process in it, so nothing exists before the init
 * does; the limits are then written into the cgroups systemd delegated (cgroup_systemd.c talks D-Bus). */
#include "linux/cgroup_manager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_systemd.h"

static int systemd_check(const struct cgroup_request *req, struct hull_error **err)
{
	struct systemd_unit unit;

	if (!systemd_is_running())
		return hull_error_fail(err, ENOTSUP,
				       "the systemd cgroup manager needs systemd running the host (no "
				       "/run/systemd/system); use --cgroup-manager=cgroupfs");
	return systemd_unit_parse(req->cgroups_path, req->id, req->user, &unit, err);
}

static int systemd_create(const struct cgroup_request *req, struct cgroup_set *set, struct hull_error **err)
{
	(void)req;
	(void)err;
	memset(set, 0, sizeof(*set));
	return 0;
}

static int systemd_attach(const struct cgroup_request *req, pid_t pid, struct cgroup_set *set, char **unit,
			  struct hull_error **err)
{
	struct systemd_unit u;
	int ret;

	if ((ret = systemd_unit_parse(req->cgroups_path, req->id, req->user, &u, err)) < 0 ||
	    (ret = systemd_scope_start(&u, pid, req->user, set, err)) < 0)
		return ret;
	/* The scope exists from here: the caller's undo needs its name even if this fails. */
	*unit = strdup(u.name);
	return *unit ? 0 : hull_error_set(err, ENOMEM, "systemd scope");
}

/* systemd removes the scope's cgroups; what remains (hierarchies it does not manage) goes as cgroupfs. */
static int systemd_destroy(const struct cgroup_set *set, const char *unit, bool user, struct hull_error **err)
{
	int ret;

	if (unit && (ret = systemd_scope_stop(unit, user, err)) < 0)
		return ret;
	return set->n_dirs ? cgroup_remove(set, err) : 0;
}

const struct cgroup_manager cgroup_manager_systemd = {
    .name = "systemd",
    .check = systemd_check,
    .create = systemd_create,
    .attach = systemd_attach,
    .destroy = systemd_destroy,
};
