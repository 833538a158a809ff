/* Listing and inspecting what the store holds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "image/local_image.h"
#include "util/cleanup.h"
#include "util/json.h"

static int64_t layers_size(const struct local_image *img)
{
	int64_t total = img->manifest.config.size > 0 ? img->manifest.config.size : 0;

	for (size_t i = 0; i < img->manifest.n_layers; i++)
		total += img->manifest.layers[i].size > 0 ? img->manifest.layers[i].size : 0;
	return total;
}

static void human_size(char *buf, size_t len, double bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;

	while (bytes >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", bytes, units[u]);
}

/* "3 days ago", as docker images prints it, from the config's RFC 3339 `created`. */
static void human_age(char *buf, size_t len, const char *created)
{
	struct tm tm = {0};
	time_t then, now = time(NULL);
	long d;

	if (created == NULL || strptime(created, "%Y-%m-%dT%H:%M:%S", &tm) == NULL) {
		snprintf(buf, len, "unknown");
		return;
	}
	then = timegm(&tm);
	d = (long)difftime(now, then);
	if (d < 60)
		snprintf(buf, len, "%ld seconds ago", d < 0 ? 0 : d);
	else if (d < 3600)
		snprintf(buf, len, "%ld minutes ago", d / 60);
	else if (d < 86400)
		snprintf(buf, len, "%ld hours ago", d / 3600);
	else if (d < 86400L * 60)
		snprintf(buf, len, "%ld days ago", d / 86400);
	else if (d < 86400L * 730)
		snprintf(buf, len, "%ld months ago", d / (86400L * 30));
	else
		snprintf(buf, len, "%ld years ago", d / (86400L * 365));
}

/* docker.io/library/busybox:1.36 -> repository docker.io/library/busybox, tag 1.36. */
static void split_name(const char *name, char *repo, size_t repo_len, char *tag, size_t tag_len)
{
	const char *at = strchr(name, '@'), *slash = strrchr(name, '/'), *colon = strrchr(name, ':');

	if (at) {
		snprintf(repo, repo_len, "%.*s", (int)(at - name), name);
		snprintf(tag, tag_len, "<none>");
	} else if (colon && (!slash || colon > slash)) {
		snprintf(repo, repo_len, "%.*s", (int)(colon - name), name);
		snprintf(tag, tag_len, "%s", colon + 1);
	} else {
		snprintf(repo, repo_len, "%s", name);
		snprintf(tag, tag_len, "<none>");
	}
}

static int run_images(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	json_object *index = NULL, *manifests, *out = json_object_new_array();
	bool json = false, quiet = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+q", options, NULL)) != -1) {
		if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			json = strcmp(optarg, "json") == 0;
		else if (c == 'q')
			quiet = true;
		else if (c == 'f')
			return hull_usage_error("images", "--format: `%s` is not json or table", optarg);
		else
			return hull_usage_error("images", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return hull_usage_error("images", "unexpected argument `%s`", argv[optind]);
	if (hull_open_store(cli, false, &store, &err) < 0 || store_index_read(store, &index, &err) < 0)
		return cli_fail(&err);
	json_object_object_get_ex(index, "manifests", &manifests);
	if (!json && !quiet)
		printf("%-40s %-12s %-14s %-16s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	for (size_t i = 0; i < json_object_array_length(manifests); i++) {
		json_object *e = json_object_array_get_idx(manifests, i), *d, *row;
		const char *name = local_image_annotation(e, ANNOTATION_NAME);
		struct local_image img;
		char repo[512], tag[256], size[32], age[64];
		if (!json_object_object_get_ex(e, "digest", &d) ||
		    local_image_load(store, json_object_get_string(d), &img, &err) < 0) {
			json_object_put(index);
			json_object_put(out);
			return cli_fail(&err);
		}
		split_name(name ? name : "<none>", repo, sizeof(repo), tag, sizeof(tag));
		human_size(size, sizeof(size), (double)layers_size(&img));
		human_age(age, sizeof(age), json_get_string(img.config, "created", NULL));
		if (quiet)
			printf("%.12s\n", digest_hex(img.manifest.config.digest));
		else if (!json)
			printf("%-40s %-12s %-14.12s %-16s %s\n", repo, tag,
			       digest_hex(img.manifest.config.digest), age, size);
		else {
			row = json_object_new_object();
			json_object_object_add(
			    row, "Id", json_object_new_string(digest_hex(img.manifest.config.digest)));
			json_object_object_add(row, "Name", json_object_new_string(name ? name : ""));
			json_object_object_add(row, "Repository", json_object_new_string(repo));
			json_object_object_add(row, "Tag", json_object_new_string(tag));
			json_object_object_add(row, "Digest", json_object_new_string(img.manifest_digest));
			json_object_object_add(
			    row, "Created",
			    json_object_new_string(json_get_string(img.config, "created", "")));
			json_object_object_add(row, "Size", json_object_new_int64(layers_size(&img)));
			json_object_array_add(out, row);
		}
		local_image_free(&img);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	json_object_put(index);
	return 0;
}

const struct hull_command cmd_images = {
    .name = "images",
    .run = run_images,
    .summary = "list the images in the store",
    .help = "Usage: hull images [--format table|json] [-q]\n\n"
	    "One row per name: repository, tag, image id (of its config), age and the size of its\n"
	    "compressed layers.  -q prints only the ids.\n\n"
	    "Example:\n"
	    "  hull images --format json | jq -r '.[].Name'\n",
};

static json_object *names_of(json_object *index, const char *digest)
{
	json_object *manifests, *names = json_object_new_array();

	json_object_object_get_ex(index, "manifests", &manifests);
	for (size_t i = 0; i < json_object_array_length(manifests); i++) {
		json_object *e = json_object_array_get_idx(manifests, i), *d;
		const char *name = local_image_annotation(e, ANNOTATION_NAME);
		if (name && json_object_object_get_ex(e, "digest", &d) &&
		    strcmp(json_object_get_string(d), digest) == 0)
			json_object_array_add(names, json_object_new_string(name));
	}
	return names;
}

static json_object *inspect_one(struct store *store, json_object *index, const struct local_image *img)
{
	json_object *o = json_object_new_object(), *v, *layers = json_object_new_array(),
		    *chains = json_object_new_array();

	json_object_object_add(o, "Id", json_object_new_string(digest_hex(img->manifest.config.digest)));
	json_object_object_add(o, "Digest", json_object_new_string(img->manifest_digest));
	json_object_object_add(o, "RepoTags", names_of(index, img->manifest_digest));
	json_object_object_add(o, "MediaType", json_object_new_string(img->manifest.media_type));
	for (const char *const *k =
		 (const char *const[]){"created", "author", "architecture", "variant", "os", NULL};
	     *k; k++)
		if (json_object_object_get_ex(img->config, *k, &v)) {
			char key[32];
			snprintf(key, sizeof(key), "%c%s", (*k)[0] - 32, *k + 1);
			json_object_object_add(o, key, json_object_get(v));
		}
	json_object_object_add(o, "Size", json_object_new_int64(layers_size(img)));
	if (json_object_object_get_ex(img->config, "config", &v))
		json_object_object_add(o, "Config", json_object_get(v));
	if (json_object_object_get_ex(img->config, "rootfs", &v))
		json_object_object_add(o, "RootFS", json_object_get(v));
	for (size_t i = 0; i < img->manifest.n_layers; i++) {
		json_object_array_add(layers, json_object_new_string(img->manifest.layers[i].digest));
		json_object_array_add(chains, json_object_new_string(img->chain_ids[i]));
	}
	json_object_object_add(o, "Layers", layers);
	json_object_object_add(o, "ChainIDs", chains);
	(void)store;
	return o;
}

static int run_inspect(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"type", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	json_object *index = NULL, *out;
	const char *type = NULL;
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (c == 't' && (strcmp(optarg, "container") == 0 || strcmp(optarg, "image") == 0))
			type = optarg;
		else if (c == 't')
			return hull_usage_error("inspect", "--type: `%s` is not container or image", optarg);
		else
			return hull_usage_error("inspect", "unknown option `%s`", argv[optind - 1]);
	}
	if (optind >= argc)
		return hull_usage_error("inspect", "missing the container or image");
	if (hull_open_engine(cli, &store, &e, &err) < 0 || store_index_read(store, &index, &err) < 0)
		return cli_fail(&err);
	out = json_object_new_array();
	for (int i = optind; i < argc && ret == 0; i++) {
		char digest[DIGEST_MAX];
		struct local_image img;
		struct app_container ct;
		/* As docker inspect: a container of that name or id first, then an image. */
		if ((type == NULL || strcmp(type, "container") == 0) &&
		    engine_find(&e, argv[i], &ct, type ? &err : NULL) == 0) {
			json_object_array_add(out, engine_inspect(&e, &ct));
			app_container_free(&ct);
			continue;
		}
		if (type && strcmp(type, "container") == 0) {
			hull_error_wrap(&err, "inspect");
			ret = cli_fail(&err);
			break;
		}
		if (local_image_find(store, argv[i], digest, &err) < 0 ||
		    local_image_load(store, digest, &img, &err) < 0) {
			hull_error_wrap(&err, "inspect");
			ret = cli_fail(&err);
			break;
		}
		json_object_array_add(out, inspect_one(store, index, &img));
		local_image_free(&img);
	}
	if (ret == 0)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	json_object_put(index);
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_inspect = {
    .name = "inspect",
    .run = run_inspect,
    .summary = "show a container's or an image's record as JSON",
    .help = "Usage: hull inspect [--type container|image] CONTAINER|IMAGE...\n\n"
	    "A container (name, id or unique id prefix) as docker inspect shows it, else an image (a name\n"
	    "or an id prefix of at least 4 hex digits): config, layers and names.\n\n"
	    "Example:\n"
	    "  hull inspect busybox | jq '.[0].Config.Cmd'\n",
};
