/* The cgroupfs manager: the runtime makes the container's directory in every hierarchy before the clone,
 * so that on v2 the init is born in it (clone3 CLONE_INTO_CGROUP) and its limits are in place before it
 * runs anything. */
#include "linux/cgroup_manager.h"

#include <errno.h>
#include <stdlib.h>

#include "util/cleanup.h"
#include "util/log.h"

static int cgroupfs_check(const struct cgroup_request *req, struct hull_error **err)
{
	(void)req;
	(void)err;
	return 0;
}

/* As runc: a cgroup that already holds processes (another container's, a reused cgroupsPath) is used, but
 * said: its limits are shared, and deleting either container kills the other's processes. */
static void warn_if_busy(const struct cgroup_request *req, const struct cgroup_set *set)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (cgroup_list_pids(set, &pids, &n, NULL) == 0 && n > 0)
		hull_log_warning("create `%s`: cgroup `%s` already has %zu process%s; they share its limits",
				 req->id, set->dirs[0], n, n == 1 ? "" : "es");
}

/* A user without a delegated cgroup cannot create one: with nothing to limit, the container runs in the
 * caller's cgroup (as runc's rootless mode does); asked for limits, it fails. */
static int cgroupfs_create(const struct cgroup_request *req, struct cgroup_set *set, struct hull_error **err)
{
	int ret = cgroup_create(req->cgroups_path, req->id, set, err);

	if (ret < 0 && req->user && (ret == -EACCES || ret == -EPERM || ret == -EROFS) && !req->limited) {
		hull_log_debug("no cgroup for `%s` (%s): it stays in the caller's", req->id, (*err)->message);
		hull_error_free(err);
		return 0;
	}
	if (ret == 0)
		warn_if_busy(req, set);
	return ret;
}

/* Writing the pid where clone3 already put it is a no-op, so every hierarchy is written alike. */
static int cgroupfs_attach(const struct cgroup_request *req, pid_t pid, struct cgroup_set *set, char **unit,
			   struct hull_error **err)
{
	(void)req;
	*unit = NULL;
	return set->n_dirs ? cgroup_enter(set, pid, err) : 0;
}

static int cgroupfs_destroy(const struct cgroup_set *set, const char *unit, bool user,
			    struct hull_error **err)
{
	(void)unit;
	(void)user;
	return set->n_dirs ? cgroup_remove(set, err) : 0;
}

const struct cgroup_manager cgroup_manager_cgroupfs = {
    .name = "cgroupfs",
    .check = cgroupfs_check,
    .create = cgroupfs_create,
    .attach = cgroupfs_attach,
    .destroy = cgroupfs_destroy,
};
