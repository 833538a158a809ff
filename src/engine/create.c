/* hull create: a container's record and its bundle, named uniquely under containers/lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/spec_edit.h"
#include "engine/userns.h"
#include "image/bundle.h"
#include "image/local_image.h"
#include "linux/cgroup_hierarchy.h"
#include "net/bundle.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/rootless.h"
#include "util/timefmt.h"

#define NAME_MAX_LEN 128

int engine_lock(struct engine *e, const char *id, struct hull_error **err)
{
	cleanup_free char *name = NULL;
	int fd;

	if (asprintf(&name, "%s%slock", id ? id : "", id ? "/" : "") < 0)
		return hull_error_set(err, ENOMEM, "lock");
	fd = openat(e->dir_fd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return hull_error_errno(err, "store: lock `containers/%s`", name);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return hull_error_set(err, saved, "store: lock `containers/%s`", name);
		}
	return fd;
}

char *engine_path(struct engine *e, const char *id, const char *name)
{
	char *path = NULL;

	if (asprintf(&path, "%s/containers/%s%s%s", e->store->path, id, name ? "/" : "", name ? name : "") <
	    0)
		return NULL;
	return path;
}

/* Docker's rule for names of containers and volumes: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
bool engine_name_valid(const char *name, size_t n)
{
	if (n < 1 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			return false;
	}
	return true;
}

static bool name_taken(struct engine *e, const char *name)
{
	struct app_container *list;
	size_t n;
	bool taken = false;

	if (engine_list(e, &list, &n, NULL) < 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		taken = taken || strcmp(app_container_name(&list[i]), name) == 0;
		app_container_free(&list[i]);
	}
	free(list);
	return taken;
}

/* A name as Docker makes them: an adjective and a noun. */
static void generate_name(struct engine *e, char *out, size_t size)
{
	static const char *const adjectives[] = {
	    "brave", "calm",  "eager", "fond",	"gentle", "happy", "jolly", "keen",  "lucid", "merry",
	    "noble", "proud", "quiet", "rapid", "sharp",  "tidy",  "vivid", "witty", "young", "zesty",
	};
	static const char *const nouns[] = {
	    "ada",	"babbage", "curie",    "darwin",  "euler",  "fermat",  "gauss",
	    "hopper",	"knuth",   "lovelace", "noether", "pascal", "ritchie", "shannon",
	    "thompson", "turing",  "volta",    "wirth",	  "yalow",  "zuse",
	};
	uint32_t r[2];

	for (int attempt = 0; attempt < 64; attempt++) {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			r[0] = (uint32_t)time(NULL), r[1] = (uint32_t)getpid();
		if (attempt < 32)
			snprintf(out, size, "%s_%s", adjectives[r[0] % 20], nouns[r[1] % 20]);
		else
			snprintf(out, size, "%s_%s_%u", adjectives[r[0] % 20], nouns[r[1] % 20], r[0] % 1000);
		if (!name_taken(e, out))
			return;
	}
}

static int generate_id(char id[ENGINE_ID_LEN + 1], struct hull_error **err)
{
	unsigned char bytes[ENGINE_ID_LEN / 2];

	if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
		return hull_error_errno(err, "random id");
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

/* The image's Env with -e applied: K=V replaces K, a bare K takes our value (and is dropped without). */
static json_object *merged_env(json_object *image_env, const struct run_config *c)
{
	json_object *env = json_object_new_array();

	for (size_t i = 0; image_env && i < json_object_array_length(image_env); i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(image_env, i));
		size_t klen = strcspn(kv ? kv : "", "=");
		bool replaced = false;
		if (kv == NULL)
			continue;
		for (size_t j = 0; j < c->n_env && !replaced; j++)
			replaced = strncmp(c->env[j], kv, klen) == 0 &&
				   (c->env[j][klen] == '=' || c->env[j][klen] == '\0');
		if (!replaced)
			json_object_array_add(env, json_object_new_string(kv));
	}
	for (size_t j = 0; j < c->n_env; j++) {
		if (strchr(c->env[j], '=')) {
			json_object_array_add(env, json_object_new_string(c->env[j]));
			continue;
		}
		const char *value = getenv(c->env[j]);
		cleanup_free char *kv = NULL;
		if (value && asprintf(&kv, "%s=%s", c->env[j], value) >= 0)
			json_object_array_add(env, json_object_new_string(kv));
	}
	return env;
}

/* What replaces the image's config, the Docker way: --entrypoint also clears the image's Cmd. */
static json_object *image_overrides(json_object *image_config, const struct run_config *c)
{
	json_object *o = json_object_new_object(), *config = NULL, *image_env = NULL;

	if (json_object_object_get_ex(image_config, "config", &config))
		json_object_object_get_ex(config, "Env", &image_env);
	if (!json_object_is_type(image_env, json_type_array))
		image_env = NULL;
	if (c->entrypoint) {
		json_object *ep = json_object_new_array();
		if (*c->entrypoint)
			json_object_array_add(ep, json_object_new_string(c->entrypoint));
		json_object_object_add(o, "Entrypoint", ep);
		if (c->cmd == NULL)
			json_object_object_add(o, "Cmd", json_object_new_array());
	}
	if (c->cmd)
		json_object_object_add(o, "Cmd", json_new_string_array(c->cmd, c->n_cmd));
	json_object_object_add(o, "Env", merged_env(image_env, c));
	if (c->workdir)
		json_object_object_add(o, "WorkingDir", json_object_new_string(c->workdir));
	if (c->user)
		json_object_object_add(o, "User", json_object_new_string(c->user));
	return o;
}

/* The bundle's config.json edited for what the image config does not say (spec_edit.c). */
static int edit_spec(struct engine *e, const char *bundle, const char *id, const struct run_config *c,
		     json_object *image_config, const struct bundle_idmap *idmap, json_object *mounts_out,
		     struct hull_error **err)
{
	cleanup_free char *path = NULL, *text = NULL, *rootfs = NULL;
	cleanup_json json_object *spec = NULL;
	cleanup_close int root_fd = -1;
	json_object *config = NULL, *volumes = NULL;
	const char *out;
	size_t len;
	int ret;

	if (asprintf(&path, "%s/config.json", bundle) < 0 || asprintf(&rootfs, "%s/rootfs", bundle) < 0)
		return hull_error_set(err, ENOMEM, "create");
	root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (json_object_object_get_ex(image_config, "config", &config))
		json_object_object_get_ex(config, "Volumes", &volumes);
	if ((ret = fs_read_file(AT_FDCWD, path, &text, &len, err)) < 0 ||
	    (ret = json_parse_text(text, len, "config.json", &spec, err)) < 0 ||
	    (ret = engine_spec_edit(e, spec, id, c, root_fd, volumes, mounts_out, err)) < 0)
		return ret;
	if (idmap)
		engine_userns_spec(spec, idmap);
	out = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY);
	return fs_write_file_atomic(AT_FDCWD, path, out, strlen(out), 0644, err);
}

static int configure_network(struct engine *e, const char *bundle, const char *name,
			     const struct run_config *c, struct hull_error **err)
{
	const char *args[2 * 64 + 64 + 2];
	size_t n = 0;
	const char *state = getenv("HULL_NETWORK_STATE");
	struct net_bundle_network b = {.hull = e->network_hook,
				       .hull_network = e->network_hook_is_network,
				       .mode = c->network ? c->network : "local",
				       .state_dir = state && *state ? state : NULL,
				       .args = args};

	if (c->n_publish > 64)
		return hull_error_invalid(err, "too many -p options");
	if (c->n_network_args > 64)
		return hull_error_invalid(err, "too many network options");
	for (size_t i = 0; i < c->n_publish; i++) {
		args[n++] = "--publish";
		args[n++] = c->publish[i];
	}
	for (size_t i = 0; i < c->n_network_args; i++)
		args[n++] = c->network_args[i];
	/* Containers on the local network find each other by name. */
	args[n++] = "--name";
	args[n++] = name;
	b.n_args = n;
	return net_bundle_configure(bundle, &b, err);
}

/* The image's labels with --label over them. */
static json_object *labels_of(json_object *image_config, const struct run_config *c)
{
	json_object *labels = json_object_new_object(), *image_labels = NULL;

	if (json_object_object_get_ex(image_config, "Labels", &image_labels) &&
	    json_object_is_type(image_labels, json_type_object)) {
		json_object_object_foreach(image_labels, k, v)
		    json_object_object_add(labels, k, json_object_get(v));
	}
	for (size_t i = 0; i < c->n_labels; i++) {
		const char *eq = strchr(c->labels[i], '=');
		cleanup_free char *key =
		    eq ? strndup(c->labels[i], (size_t)(eq - c->labels[i])) : strdup(c->labels[i]);
		if (key)
			json_object_object_add(labels, key, json_object_new_string(eq ? eq + 1 : ""));
	}
	return labels;
}

static json_object *log_config(const struct run_config *c)
{
	json_object *log = json_object_new_object(), *opts = json_object_new_object();
	char num[32];

	json_object_object_add(log, "Type", json_object_new_string("json-file"));
	if (c->log_max_size) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)c->log_max_size);
		json_object_object_add(opts, "max-size", json_object_new_string(num));
	}
	if (c->log_max_files) {
		snprintf(num, sizeof(num), "%u", c->log_max_files);
		json_object_object_add(opts, "max-file", json_object_new_string(num));
	}
	json_object_object_add(log, "Config", opts);
	return log;
}

static json_object *record_doc(const char *id, const char *name, const struct run_config *c,
			       const struct local_image *img, json_object *mounts)
{
	json_object *doc = json_object_new_object(), *config = json_object_new_object(),
		    *host = json_object_new_object(), *image_config = NULL;
	char now[64];

	timefmt_now(now, sizeof(now));
	json_object_object_get_ex(img->config, "config", &image_config);
	json_object_object_add(doc, "Id", json_object_new_string(id));
	json_object_object_add(doc, "Name", json_object_new_string(name));
	json_object_object_add(doc, "Created", json_object_new_string(now));
	json_object_object_add(doc, "Image", json_object_new_string(c->image));
	json_object_object_add(doc, "ImageID", json_object_new_string(img->manifest.config.digest));
	json_object_object_add(doc, "ImageDigest", json_object_new_string(img->manifest_digest));
	json_object_object_add(config, "Image", json_object_new_string(c->image));
	json_object_object_add(config, "Tty", json_object_new_boolean(c->tty));
	json_object_object_add(config, "OpenStdin", json_object_new_boolean(c->interactive));
	json_object_object_add(
	    config, "StopSignal",
	    json_object_new_string(c->stop_signal ? c->stop_signal
						  : json_get_string(image_config, "StopSignal", "SIGTERM")));
	if (c->stop_timeout >= 0)
		json_object_object_add(config, "StopTimeout", json_object_new_int(c->stop_timeout));
	json_object_object_add(config, "Labels", labels_of(image_config, c));
	json_object_object_add(doc, "Config", config);
	json_object_object_add(host, "AutoRemove", json_object_new_boolean(c->rm));
	json_object_object_add(host, "NetworkMode",
			       json_object_new_string(c->network ? c->network : "local"));
	json_object_object_add(host, "Binds", json_new_string_array(c->volumes, c->n_volumes));
	json_object_object_add(host, "PortBindings", json_new_string_array(c->publish, c->n_publish));
	{
		/* Docker's ExtraHosts: the --add-host values among the network options. */
		json_object *extra = json_object_new_array();
		for (size_t i = 0; i + 1 < c->n_network_args; i++)
			if (strcmp(c->network_args[i], "--add-host") == 0)
				json_object_array_add(extra, json_object_new_string(c->network_args[++i]));
		json_object_object_add(host, "ExtraHosts", extra);
	}
	json_object_object_add(host, "Privileged", json_object_new_boolean(c->privileged));
	json_object_object_add(host, "ReadonlyRootfs", json_object_new_boolean(c->read_only));
	json_object_object_add(host, "Memory", json_object_new_int64(c->memory));
	json_object_object_add(host, "NanoCpus", json_object_new_int64((int64_t)(c->cpus * 1e9)));
	json_object_object_add(host, "PidsLimit", json_object_new_int64(c->pids_limit));
	json_object_object_add(host, "CapAdd", json_new_string_array(c->cap_add, c->n_cap_add));
	json_object_object_add(host, "CapDrop", json_new_string_array(c->cap_drop, c->n_cap_drop));
	json_object_object_add(host, "CgroupParent",
			       json_object_new_string(c->cgroup_parent ? c->cgroup_parent : ""));
	json_object_object_add(host, "LogConfig", log_config(c));
	{
		json_object *policy = json_object_new_object();
		char policy_name[32] = "no";
		int max = 0;
		if (c->restart)
			engine_restart_policy_parse(c->restart, policy_name, sizeof(policy_name), &max, NULL);
		json_object_object_add(policy, "Name", json_object_new_string(policy_name));
		json_object_object_add(policy, "MaximumRetryCount", json_object_new_int(max));
		json_object_object_add(host, "RestartPolicy", policy);
	}
	json_object_object_add(doc, "HostConfig", host);
	json_object_object_add(doc, "Mounts", json_object_get(mounts));
	return doc;
}

/* Process, Env, WorkingDir and User as the bundle's config ended up with them (image config applied). */
static void record_process(json_object *doc, const char *bundle)
{
	cleanup_free char *path = NULL, *text = NULL;
	cleanup_json json_object *spec = NULL;
	json_object *process, *config, *args, *user;
	size_t len;

	if (asprintf(&path, "%s/config.json", bundle) < 0 ||
	    fs_read_file(AT_FDCWD, path, &text, &len, NULL) < 0 ||
	    json_parse_text(text, len, "config.json", &spec, NULL) < 0 ||
	    !json_object_object_get_ex(spec, "process", &process) ||
	    !json_object_object_get_ex(doc, "Config", &config))
		return;
	if (json_object_object_get_ex(process, "args", &args) && json_object_array_length(args) > 0) {
		json_object *rest = json_object_new_array();
		json_object_object_add(doc, "Path", json_object_get(json_object_array_get_idx(args, 0)));
		for (size_t i = 1; i < json_object_array_length(args); i++)
			json_object_array_add(rest, json_object_get(json_object_array_get_idx(args, i)));
		json_object_object_add(doc, "Args", rest);
		json_object_object_add(config, "Cmd", json_object_get(args));
	}
	json_object_object_add(config, "Env", json_object_get(json_object_object_get(process, "env")));
	json_object_object_add(config, "WorkingDir",
			       json_object_new_string(json_get_string(process, "cwd", "/")));
	if (json_object_object_get_ex(process, "user", &user))
		json_object_object_add(config, "User", json_object_get(user));
	json_object_object_add(config, "Hostname",
			       json_object_new_string(json_get_string(spec, "hostname", "")));
}

/* Limits need a cgroup of the container's own, which an unprivileged user gets only by delegation. */
static int rootless_checks(const struct run_config *c, struct hull_error **err)
{
	const char *flag = c->memory	   ? "--memory"
			   : c->cpus > 0   ? "--cpus"
			   : c->pids_limit ? "--pids-limit"
					   : NULL;

	if (flag && rootless() && !cgroup_delegated_to_caller())
		return hull_error_fail(
		    err, EPERM,
		    "create: %s needs a cgroup, and this host delegates none to user %u (cgroup v1, "
		    "hybrid, or v2 without delegation): run without it, or as root",
		    flag, (unsigned)rootless_host_uid());
	return 0;
}

int engine_create(struct engine *e, const struct run_config *c, char id[ENGINE_ID_LEN + 1],
		  struct hull_error **err)
{
	char name[NAME_MAX_LEN + 16], digest[DIGEST_MAX], shared[ENGINE_ID_LEN + 16] = "";
	struct run_config resolved;
	cleanup_free char *bundle = NULL, *dir = NULL;
	cleanup_json json_object *overrides = NULL, *doc = NULL, *mounts = json_object_new_array();
	struct local_image img = {0};
	struct bundle_idmap idmap = {0};
	bool made_dir = false, made_bundle = false, userns = false;
	int lock = -1, ret = 0;

	if (c->name && !engine_name_valid(c->name, strlen(c->name)))
		return hull_error_invalid(err, "`%.80s` is not a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
					  c->name);
	if ((ret = rootless_checks(c, err)) < 0)
		return ret;
	if (rootless() && (c->network == NULL || strcmp(c->network, "local") == 0)) {
		/* An unprivileged user has no bridge on the host: slirp4netns is its network, as podman's. */
		resolved = *c;
		resolved.network = "slirp4netns";
		c = &resolved;
	}
	if (c->network &&
	    (ret = engine_shared_network_resolve(e, c->network, shared, sizeof(shared), err)) < 0)
		return hull_error_wrap(err, "create");
	if (ret > 0 && (c->n_publish || c->n_network_args || c->hostname))
		return hull_error_invalid(
		    err,
		    "create: --network %.100s takes no -p, --dns, --add-host or --hostname: "
		    "those are the other container's",
		    c->network);
	if (ret > 0) {
		/* Recorded by id: the other keeps its network when renamed. */
		resolved = *c;
		resolved.network = shared;
		c = &resolved;
	}
	if ((ret = local_image_find(e->store, c->image, digest, err)) < 0 ||
	    (ret = local_image_load(e->store, digest, &img, err)) < 0)
		return hull_error_wrap(err, "create");
	if ((ret = generate_id(id, err)) < 0)
		goto out;
	bundle = engine_path(e, id, "bundle");
	dir = engine_path(e, id, NULL);
	overrides = image_overrides(img.config, c);
	if (bundle == NULL || dir == NULL || overrides == NULL) {
		ret = hull_error_set(err, ENOMEM, "create");
		goto out;
	}
	if ((lock = engine_lock(e, NULL, err)) < 0) {
		ret = lock;
		goto out;
	}
	if (c->name && name_taken(e, c->name)) {
		ret = hull_error_fail(err, EEXIST, "the name `%s` is taken by another container", c->name);
		goto out;
	}
	if (c->name)
		snprintf(name, sizeof(name), "%s", c->name);
	else
		generate_name(e, name, sizeof(name));
	/* Chosen and recorded under the lock, as the name is: no two containers get one range. */
	if ((ret = engine_userns_choose(e, c, &idmap, &userns, err)) < 0)
		goto out;
	if (mkdirat(e->dir_fd, id, 0700) < 0) {
		ret = hull_error_errno(err, "`%s`", dir);
		goto out;
	}
	made_dir = true;
	/* The name is claimed at once (a record without a bundle yet), so the lock need not wait for the
	 * overlay mount and the network hooks. */
	doc = record_doc(id, name, c, &img, mounts);
	if (userns)
		engine_userns_record(doc, c, &idmap);
	{
		const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
		cleanup_free char *record = NULL;
		if (asprintf(&record, "%s/container.json", id) < 0 ||
		    (ret = fs_write_file_atomic(e->dir_fd, record, text, strlen(text), 0600, err)) < 0)
			goto out;
	}
	close(lock);
	lock = -1;
	if ((ret = image_bundle_create(e->store, digest, bundle, overrides, userns ? &idmap : NULL, err)) < 0)
		goto out;
	/* The runtime's init enters the bundle (by a descriptor) as the container's root, a host id of the
	 * range: the bundle is searchable, not readable, by others. */
	if (userns && chmod(bundle, 0711) < 0) {
		made_bundle = true;
		ret = hull_error_errno(err, "make `%s` traversable", bundle);
		goto out;
	}
	made_bundle = true;
	if ((ret = edit_spec(e, bundle, id, c, img.config, userns ? &idmap : NULL, mounts, err)) < 0 ||
	    /* --network none needs hull's hooks only for /etc files asked for (--dns, --add-host). */
	    (!shared[0] &&
	     (strcmp(c->network ? c->network : "local", "none") != 0 || c->n_network_args > 0) &&
	     (ret = configure_network(e, bundle, name, c, err)) < 0))
		goto out;
	record_process(doc, bundle);
	json_object_object_add(doc, "Mounts", json_object_get(mounts));
	{
		const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
		cleanup_free char *record = NULL;
		if (asprintf(&record, "%s/container.json", id) < 0 ||
		    (ret = fs_write_file_atomic(e->dir_fd, record, text, strlen(text), 0600, err)) < 0)
			goto out;
	}
out:
	if (lock >= 0)
		close(lock);
	if (ret < 0) {
		if (made_bundle)
			image_bundle_remove(e->store, bundle, NULL);
		if (made_dir)
			fs_remove_tree(e->dir_fd, id, NULL);
		hull_error_wrap(err, "create");
	}
	local_image_free(&img);
	return ret;
}
