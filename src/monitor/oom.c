/* The OOM kill counter of the container's memory cgroup. */
#include "monitor/oom.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool read_count(int fd, uint64_t *out)
{
	char text[1024];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	const char *p;

	if (n <= 0)
		return false;
	text[n] = '\0';
	/* "oom_kill N" on a line of its own, in both files. */
	for (p = text; (p = strstr(p, "oom_kill ")) != NULL; p++)
		if (p == text || p[-1] == '\n') {
			*out = strtoull(p + 9, NULL, 10);
			return true;
		}
	return false;
}

void oom_watch_start(struct oom_watch *w, pid_t init, const char *id)
{
	char path[4200], line[4096];
	FILE *f;

	*w = (struct oom_watch){.fd = -1};
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)init);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (w->fd < 0 && fgets(line, sizeof(line), f)) {
		char *controllers = strchr(line, ':'), *cgroup;
		cgroup = controllers ? strchr(controllers + 1, ':') : NULL;
		if (cgroup == NULL)
			continue;
		*cgroup++ = '\0';
		cgroup[strcspn(cgroup, "\n")] = '\0';
		if (strstr(cgroup, id) == NULL || strstr(cgroup, "..") != NULL)
			continue;
		controllers++;
		if (strcmp(controllers, "") == 0)
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.events", cgroup);
		else if (strstr(controllers, "memory") != NULL)
			snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.oom_control", cgroup);
		else
			continue;
		w->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (w->fd >= 0 && !read_count(w->fd, &w->before)) {
			close(w->fd);
			w->fd = -1;
		}
	}
	fclose(f);
}

bool oom_watch_killed(struct oom_watch *w)
{
	uint64_t after = 0;
	bool killed;

	if (w->fd < 0)
		return false;
	killed = read_count(w->fd, &after) && after > w->before;
	close(w->fd);
	w->fd = -1;
	return killed;
}
