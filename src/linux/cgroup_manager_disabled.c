/* No cgroups at all (--cgroup-manager=disabled, as crun has it): the container stays in the runtime's
 * cgroup, and a config with limits is run without them, which create says. */
#include "linux/cgroup_manager.h"

#include <string.h>

#include "util/log.h"

static int disabled_check(const struct cgroup_request *req, struct hull_error **err)
{
	(void)err;
	if (req->limited)
		hull_log_warning("create `%s`: linux.resources ignored: cgroups are disabled", req->id);
	return 0;
}

static int disabled_create(const struct cgroup_request *req, struct cgroup_set *set, struct hull_error **err)
{
	(void)req;
	(void)err;
	memset(set, 0, sizeof(*set));
	return 0;
}

static int disabled_attach(const struct cgroup_request *req, pid_t pid, struct cgroup_set *set, char **unit,
			   struct hull_error **err)
{
	(void)req;
	(void)pid;
	(void)set;
	(void)err;
	*unit = NULL;
	return 0;
}

static int disabled_destroy(const struct cgroup_set *set, const char *unit, bool user,
			    struct hull_error **err)
{
	(void)set;
	(void)unit;
	(void)user;
	(void)err;
	return 0;
}

const struct cgroup_manager cgroup_manager_disabled = {
    .name = "disabled",
    .check = disabled_check,
    .create = disabled_create,
    .attach = disabled_attach,
    .destroy = disabled_destroy,
};
