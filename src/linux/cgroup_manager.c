#include "linux/cgroup_manager.h"

#include <string.h>

const struct cgroup_manager *cgroup_manager_find(const char *name)
{
	static const struct cgroup_manager *const all[] = {&cgroup_manager_cgroupfs, &cgroup_manager_systemd,
							   &cgroup_manager_disabled};

	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
