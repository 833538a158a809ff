/* Choosing and recording a container's id range. */
#include "engine/userns.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/pause.h"
#include "util/cleanup.h"
#include "util/rootless.h"

/* Where auto ranges come from: the subordinate ids /etc/subuid gives a user `hull` (as Docker's
 * userns-remap takes `dockremap`'s), else a pool high above the ids of users and of rootless ranges. */
#define POOL_START 2000000000U
#define POOL_COUNT (ENGINE_USERNS_SIZE * 2048U)

static void pool(uint32_t *start, uint32_t *count)
{
	struct pause_subid_range ranges[PAUSE_MAX_RANGES];
	size_t n = pause_subid_ranges("/etc/subuid", "hull", NULL, ranges, PAUSE_MAX_RANGES);

	*start = POOL_START;
	*count = POOL_COUNT;
	for (size_t i = 0; i < n; i++)
		if (ranges[i].count >= ENGINE_USERNS_SIZE) {
			*start = ranges[i].start;
			*count = ranges[i].count;
			return;
		}
}

bool engine_userns_of(const struct app_container *c, struct bundle_idmap *out)
{
	json_object *host = NULL, *map = NULL, *v;
	int64_t uid, gid, size;

	if (!json_object_object_get_ex(c->doc, "HostConfig", &host) ||
	    !json_object_object_get_ex(host, "IdMap", &map))
		return false;
	uid = json_object_object_get_ex(map, "HostUid", &v) ? json_object_get_int64(v) : -1;
	gid = json_object_object_get_ex(map, "HostGid", &v) ? json_object_get_int64(v) : -1;
	size = json_object_object_get_ex(map, "Size", &v) ? json_object_get_int64(v) : 0;
	if (uid < 0 || gid < 0 || size <= 0 || uid > UINT32_MAX - size || gid > UINT32_MAX - size)
		return false;
	*out = (struct bundle_idmap){.uid = (uint32_t)uid, .gid = (uint32_t)gid, .size = (uint32_t)size};
	return true;
}

static bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* "0:HOST:SIZE": the container's 0 on, one range. */
static int parse_map(const char *spec, struct bundle_idmap *out, struct hull_error **err)
{
	unsigned long long inside, host, size;
	int n = 0;

	if (sscanf(spec, "%llu:%llu:%llu%n", &inside, &host, &size, &n) != 3 || spec[n] != '\0' ||
	    inside != 0 || size == 0 || host == 0 || host + size > UINT32_MAX)
		return hull_error_invalid(
		    err, "--uidmap `%.80s`: not 0:HOSTID:SIZE (one range, from the container's 0)", spec);
	*out = (struct bundle_idmap){.uid = (uint32_t)host, .gid = (uint32_t)host, .size = (uint32_t)size};
	return 0;
}

int engine_userns_choose(struct engine *e, const struct run_config *c, struct bundle_idmap *out, bool *have,
			 struct hull_error **err)
{
	struct app_container *list = NULL;
	uint32_t start, count;
	size_t n = 0;
	int ret;

	*have = false;
	if (c->uidmap == NULL && (c->userns == NULL || strcmp(c->userns, "host") == 0))
		return 0;
	if (c->userns && strcmp(c->userns, "auto") != 0 && strcmp(c->userns, "host") != 0)
		return hull_error_invalid(err, "--userns `%.80s`: hull takes host or auto", c->userns);
	if (c->uidmap && c->userns && strcmp(c->userns, "host") == 0)
		return hull_error_invalid(err, "--uidmap and --userns host cannot go together");
	if (rootless())
		return hull_error_invalid(err, "--userns: a rootless container already runs in your user "
					       "namespace, with the ranges /etc/subuid gives you");
	if (c->uidmap) {
		if ((ret = parse_map(c->uidmap, out, err)) < 0)
			return ret;
		*have = true;
		return 0;
	}
	if ((ret = engine_list(e, &list, &n, err)) < 0)
		return ret;
	pool(&start, &count);
	/* The lowest slot that no container's range touches. */
	ret = hull_error_fail(err, ENOSPC, "--userns auto: every range of %u ids from %u on is taken",
			      ENGINE_USERNS_SIZE, start);
	for (uint64_t slot = start; slot + ENGINE_USERNS_SIZE <= (uint64_t)start + count;
	     slot += ENGINE_USERNS_SIZE) {
		bool taken = false;
		for (size_t i = 0; i < n && !taken; i++) {
			struct bundle_idmap m;
			taken = engine_userns_of(&list[i], &m) &&
				overlaps(slot, ENGINE_USERNS_SIZE, m.uid, m.size);
		}
		if (!taken) {
			hull_error_free(err);
			*out = (struct bundle_idmap){
			    .uid = (uint32_t)slot, .gid = (uint32_t)slot, .size = ENGINE_USERNS_SIZE};
			*have = true;
			ret = 0;
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		app_container_free(&list[i]);
	free(list);
	return ret;
}

void engine_userns_record(json_object *record, const struct run_config *c, const struct bundle_idmap *m)
{
	json_object *host = NULL, *map = json_object_new_object();

	if (!json_object_object_get_ex(record, "HostConfig", &host)) {
		json_object_put(map);
		return;
	}
	json_object_object_add(host, "UsernsMode", json_object_new_string(c->uidmap ? "private" : "auto"));
	json_object_object_add(map, "HostUid", json_object_new_int64(m->uid));
	json_object_object_add(map, "HostGid", json_object_new_int64(m->gid));
	json_object_object_add(map, "Size", json_object_new_int64(m->size));
	json_object_object_add(host, "IdMap", map);
}

void engine_userns_spec(json_object *spec, const struct bundle_idmap *m)
{
	json_object *linux_ = NULL, *namespaces = NULL, *uids = json_object_new_array(),
		    *gids = json_object_new_array();
	json_object *u = json_object_new_object(), *g = json_object_new_object(),
		    *ns = json_object_new_object();

	json_object_object_add(u, "containerID", json_object_new_int64(0));
	json_object_object_add(u, "hostID", json_object_new_int64(m->uid));
	json_object_object_add(u, "size", json_object_new_int64(m->size));
	json_object_object_add(g, "containerID", json_object_new_int64(0));
	json_object_object_add(g, "hostID", json_object_new_int64(m->gid));
	json_object_object_add(g, "size", json_object_new_int64(m->size));
	json_object_array_add(uids, u);
	json_object_array_add(gids, g);
	json_object_object_add(ns, "type", json_object_new_string("user"));
	if (!json_object_object_get_ex(spec, "linux", &linux_)) {
		linux_ = json_object_new_object();
		json_object_object_add(spec, "linux", linux_);
	}
	if (!json_object_object_get_ex(linux_, "namespaces", &namespaces)) {
		namespaces = json_object_new_array();
		json_object_object_add(linux_, "namespaces", namespaces);
	}
	json_object_array_add(namespaces, ns);
	json_object_object_add(linux_, "uidMappings", uids);
	json_object_object_add(linux_, "gidMappings", gids);
}
