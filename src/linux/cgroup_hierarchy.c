#include "linux/cgroup_hierarchy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* v1 mount options that are not controllers (Documentation/admin-guide/cgroup-v1/cgroups.rst and
 * kernel/cgroup/cgroup-v1.c); anything with '=' but name= is an option too. */
static bool is_v1_option(const char *opt)
{
	static const char *const options[] = {
	    "rw",	    "ro",   "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
	    "favordynmods", "none", "all",   "nosuid",	 "nodev",	   "noexec"};

	if (strchr(opt, '=') && strncmp(opt, "name=", 5) != 0)
		return true;
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (strcmp(opt, options[i]) == 0)
			return true;
	return false;
}

/* "rw,xattr,name=systemd" -> "name=systemd"; "rw,cpu,cpuacct" -> "cpu,cpuacct": the same list, in the
 * same order, that /proc/self/cgroup shows for the hierarchy. */
static char *controllers_of(const char *super)
{
	cleanup_free char *copy = strdup(super);
	char *out = calloc(1, strlen(super) + 1), *save = NULL;
	char *name = NULL;

	if (copy == NULL || out == NULL) {
		free(out);
		return NULL;
	}
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (is_v1_option(opt))
			continue;
		if (strncmp(opt, "name=", 5) == 0) {
			name = opt;
			continue;
		}
		if (*out)
			strcat(out, ",");
		strcat(out, opt);
	}
	/* The kernel lists a named hierarchy's controllers first, then name=. */
	if (name) {
		if (*out)
			strcat(out, ",");
		strcat(out, name);
	}
	return out;
}

static bool list_has(const char *list, const char *item, size_t item_len)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == item_len && strncmp(p, item, len) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h, const char *controller)
{
	if (*controller == '\0')
		return h->unified;
	return !h->unified && list_has(h->controllers, controller, strlen(controller));
}

/* The line of /proc/<pid>/cgroup for h: "0::/path" for the unified one; for v1 the line whose controller
 * list shares a controller (or the name) with h's. */
static char *path_in(const char *proc_cgroup, const struct cgroup_hierarchy *h)
{
	for (const char *line = proc_cgroup; line && *line;) {
		const char *end = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t)(end - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
		if (c2) {
			bool match = false;
			if (h->unified)
				match = c2 == c1 + 1 && strncmp(line, "0:", 2) == 0;
			else
				for (const char *p = c1 + 1; p < c2 && !match;) {
					size_t len = strcspn(p, ",:");
					match = len && list_has(h->controllers, p, len);
					p += len + 1;
				}
			if (match)
				return strndup(c2 + 1, (size_t)(end - c2 - 1));
		}
		line = *end ? end + 1 : NULL;
	}
	return strdup("");
}

/* A hierarchy mounted from a subtree (root != "/") shows paths relative to that subtree; a path outside
 * the subtree (a cgroup namespace's "/.." forms) is not reachable through this mount: "". */
static void make_relative(char **own_path, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0 || **own_path == '\0')
		return;
	if (strncmp(*own_path, root, n) == 0 && ((*own_path)[n] == '/' || (*own_path)[n] == '\0')) {
		memmove(*own_path, *own_path + n, strlen(*own_path + n) + 1);
		if (**own_path == '\0')
			strcpy(*own_path, "/");
	}
}

char *cgroup_hierarchy_path_of(const struct cgroup_hierarchy *h, const char *proc_cgroup)
{
	char *path = path_in(proc_cgroup, h);

	if (path && *path)
		make_relative(&path, h->mount_root);
	return path;
}

const char *cgroup_hierarchy_dir_name(const struct cgroup_hierarchy *h)
{
	if (h->unified)
		return "unified";
	if (strncmp(h->controllers, "name=", 5) == 0)
		return h->controllers + 5;
	return h->controllers;
}

/* mountinfo's fields escape spaces and the like as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else
			*out++ = *p;
	}
	*out = '\0';
}

static bool same_hierarchy(const struct cgroup_hierarchies *all, const struct cgroup_hierarchy *h)
{
	for (size_t i = 0; i < all->n; i++)
		if (all->list[i].unified == h->unified &&
		    strcmp(all->list[i].controllers, h->controllers) == 0)
			return true;
	return false;
}

static int add_line(const char *line, const char *proc_cgroup, struct cgroup_hierarchies *out)
{
	char root[4096], mountpoint[4096], fstype[64], super[1024];
	const char *dash = strstr(line, " - ");
	struct cgroup_hierarchy h = {0};
	struct cgroup_hierarchy *bigger;

	if (dash == NULL || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mountpoint) != 2 ||
	    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
		return 0;
	h.unified = strcmp(fstype, "cgroup2") == 0;
	if (!h.unified && strcmp(fstype, "cgroup") != 0)
		return 0;
	unescape(root);
	unescape(mountpoint);
	h.controllers = h.unified ? strdup("") : controllers_of(super);
	if (h.controllers == NULL)
		return -ENOMEM;
	/* A v1 mount with neither a controller nor a name cannot be told apart; one seen already is a
	 * second mount of the same hierarchy (a bind, a container's view). */
	if ((!h.unified && *h.controllers == '\0') || same_hierarchy(out, &h)) {
		free(h.controllers);
		return 0;
	}
	h.mountpoint = strdup(mountpoint);
	h.mount_root = strdup(root);
	h.own_path = path_in(proc_cgroup, &h);
	bigger = realloc(out->list, (out->n + 1) * sizeof(*out->list));
	if (h.mountpoint == NULL || h.own_path == NULL || h.mount_root == NULL || bigger == NULL) {
		free(h.mountpoint);
		free(h.own_path);
		free(h.mount_root);
		free(h.controllers);
		if (bigger)
			out->list = bigger;
		return -ENOMEM;
	}
	make_relative(&h.own_path, root);
	out->list = bigger;
	out->list[out->n++] = h;
	return 0;
}

int cgroup_hierarchies_parse(const char *proc_cgroup, const char *mountinfo, struct cgroup_hierarchies *out,
			     struct hull_error **err)
{
	memset(out, 0, sizeof(*out));
	for (const char *line = mountinfo; line && *line;) {
		const char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line);
		if (len < 12000) {
			char buf[12000];
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (add_line(buf, proc_cgroup, out) < 0) {
				cgroup_hierarchies_free(out);
				return hull_error_set(err, ENOMEM, "cgroup hierarchies");
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return 0;
}

int cgroup_hierarchies_read(struct cgroup_hierarchies *out, struct hull_error **err)
{
	cleanup_free char *cgroup = NULL, *mountinfo = NULL;

	if (fs_read_file(AT_FDCWD, "/proc/self/cgroup", &cgroup, NULL, err) < 0 ||
	    fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
		return hull_error_wrap(err, "find cgroup hierarchies");
	return cgroup_hierarchies_parse(cgroup, mountinfo, out, err);
}

void cgroup_hierarchies_free(struct cgroup_hierarchies *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->list[i].mountpoint);
		free(h->list[i].controllers);
		free(h->list[i].own_path);
		free(h->list[i].mount_root);
	}
	free(h->list);
	h->list = NULL;
	h->n = 0;
}

const struct cgroup_hierarchy *cgroup_hierarchies_holding(const struct cgroup_hierarchies *all,
							  const char *dir)
{
	const struct cgroup_hierarchy *best = NULL;
	size_t best_len = 0;

	/* The longest mountpoint that is a prefix: on a hybrid host /sys/fs/cgroup/unified is inside no
	 * other hierarchy, but on v2 /sys/fs/cgroup is a prefix of everything. */
	for (size_t i = 0; i < all->n; i++) {
		size_t n = strlen(all->list[i].mountpoint);
		if (strncmp(dir, all->list[i].mountpoint, n) == 0 && (dir[n] == '/' || dir[n] == '\0') &&
		    n >= best_len) {
			best = &all->list[i];
			best_len = n;
		}
	}
	return best;
}

bool cgroup_delegated_to_caller(void)
{
	struct cgroup_hierarchies h = {0};
	bool unified = false, v1 = false, writable = false;

	if (cgroup_hierarchies_read(&h, NULL) < 0)
		return false;
	for (size_t i = 0; i < h.n; i++) {
		if (h.list[i].unified) {
			cleanup_free char *dir = NULL;
			unified = true;
			writable = asprintf(&dir, "%s%s", h.list[i].mountpoint, h.list[i].own_path) >= 0 &&
				   access(dir, W_OK) == 0;
		} else if (strncmp(h.list[i].controllers, "name=", 5) != 0) {
			v1 = true;
		}
	}
	cgroup_hierarchies_free(&h);
	return unified && !v1 && writable;
}
