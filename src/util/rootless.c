/* Telling an unprivileged user from root, also inside the user namespace hull makes for that user. */
#include "util/rootless.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The lines of /proc/self/uid_map: "INSIDE OUTSIDE COUNT". */
static int read_uid_map(unsigned long (*lines)[3], int max)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	int n = 0;

	if (f == NULL)
		return -1;
	while (n < max && fscanf(f, "%lu %lu %lu", &lines[n][0], &lines[n][1], &lines[n][2]) == 3)
		n++;
	fclose(f);
	return n;
}

/* Not cached: joining the pause process's namespaces changes the answer within one process. */
bool rootless_nested(void)
{
	unsigned long map[8][3];
	int n = read_uid_map(map, 8);

	/* Without /proc (or a map), the initial namespace is assumed: root's paths, root's checks. */
	return n > 0 && !(n == 1 && map[0][0] == 0 && map[0][1] == 0 && map[0][2] == 4294967295UL);
}

bool rootless(void)
{
	return geteuid() != 0 || rootless_nested();
}

uid_t rootless_host_uid(void)
{
	unsigned long map[8][3];
	uid_t uid = geteuid();
	int n;

	if (!rootless_nested())
		return uid;
	n = read_uid_map(map, 8);
	for (int i = 0; i < n; i++)
		if (uid >= map[i][0] && uid - map[i][0] < map[i][2])
			return (uid_t)(map[i][1] + (uid - map[i][0]));
	return uid;
}

const char *rootless_run_dir(void)
{
	static char path[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg == '/' && strlen(xdg) < sizeof(path) - 8)
		snprintf(path, sizeof(path), "%s/hull", xdg);
	else
		snprintf(path, sizeof(path), "/tmp/hull-run-%u", (unsigned)rootless_host_uid());
	return path;
}
