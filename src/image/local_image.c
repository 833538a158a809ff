#include "image/local_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"

#define MAX_CONFIG   (16u << 20)
#define MAX_MANIFEST (4u << 20)

int local_image_chain_ids(json_object *config, size_t n_layers, char (**out)[DIGEST_MAX],
			  struct hull_error **err)
{
	json_object *rootfs = NULL;
	cleanup_free const char **diff_ids = NULL;
	char(*chain)[DIGEST_MAX] = NULL;
	size_t n = 0;
	int ret;

	if ((ret = json_field_object(config, "image config", "rootfs", &rootfs, err)) < 0 ||
	    (rootfs &&
	     (ret = json_field_strv(rootfs, "image config rootfs", "diff_ids", &diff_ids, &n, err)) < 0))
		return ret;
	if (n != n_layers)
		return hull_error_invalid(err, "image config: %zu diff ids for %zu layers", n, n_layers);
	chain = calloc(n ? n : 1, sizeof(*chain));
	if (chain == NULL)
		return hull_error_set(err, ENOMEM, "image config");
	for (size_t i = 0; i < n; i++) {
		if ((ret = digest_validate(diff_ids[i], err)) < 0) {
			free(chain);
			return hull_error_wrap(err, "image config: diff id %zu", i);
		}
		digest_chain_id(i ? chain[i - 1] : NULL, diff_ids[i], chain[i]);
	}
	*out = chain;
	return 0;
}

int local_image_load(struct store *s, const char *manifest_digest, struct local_image *out,
		     struct hull_error **err)
{
	cleanup_free char *text = NULL, *config = NULL;
	size_t len, config_len;
	int ret;

	*out = (struct local_image){0};
	snprintf(out->manifest_digest, sizeof(out->manifest_digest), "%s", manifest_digest);
	if ((ret = store_blob_read(s, manifest_digest, MAX_MANIFEST, &text, &len, err)) < 0 ||
	    (ret = manifest_parse(text, len, NULL, &out->manifest, err)) < 0)
		goto fail;
	if (out->manifest.kind != MANIFEST_IMAGE) {
		ret = hull_error_invalid(err, "manifest `%s` is an index, not an image", manifest_digest);
		goto fail;
	}
	if ((ret = store_blob_read(s, out->manifest.config.digest, MAX_CONFIG, &config, &config_len, err)) <
		0 ||
	    (ret = json_parse_text(config, config_len, "image config", &out->config, err)) < 0 ||
	    (ret = local_image_chain_ids(out->config, out->manifest.n_layers, &out->chain_ids, err)) < 0)
		goto fail;
	return 0;
fail:
	local_image_free(out);
	return hull_error_wrap(err, "image `%s`", manifest_digest);
}

void local_image_free(struct local_image *img)
{
	manifest_free(&img->manifest);
	if (img->config)
		json_object_put(img->config);
	free(img->chain_ids);
	*img = (struct local_image){0};
}

const char *local_image_annotation(json_object *entry, const char *key)
{
	json_object *a;

	return json_object_object_get_ex(entry, "annotations", &a) ? json_get_string(a, key, NULL) : NULL;
}

static bool is_id_prefix(const char *text)
{
	size_t n = strspn(text, "0123456789abcdef");
	return n >= 4 && n <= 64 && text[n] == '\0';
}

int local_image_find(struct store *s, const char *name_or_id, char out[DIGEST_MAX], struct hull_error **err)
{
	json_object *index = NULL, *manifests;
	cleanup_free char *canonical = NULL;
	struct image_ref ref = {0};
	const char *id = strncmp(name_or_id, "sha256:", 7) == 0 ? name_or_id + 7 : name_or_id;
	const char *found = NULL;
	bool by_id = is_id_prefix(id), ambiguous = false;
	int ret;

	if (image_ref_parse(name_or_id, &ref, NULL) >= 0)
		canonical = image_ref_format(&ref);
	image_ref_free(&ref);
	if ((ret = store_index_read(s, &index, err)) < 0)
		return ret;
	json_object_object_get_ex(index, "manifests", &manifests);
	for (size_t i = 0; i < json_object_array_length(manifests); i++) {
		json_object *e = json_object_array_get_idx(manifests, i), *d;
		const char *name = local_image_annotation(e, ANNOTATION_NAME),
			   *config = local_image_annotation(e, ANNOTATION_CONFIG);
		const char *digest =
		    json_object_object_get_ex(e, "digest", &d) ? json_object_get_string(d) : NULL;
		if (digest == NULL)
			continue;
		if (canonical && name && strcmp(name, canonical) == 0) {
			found = digest;
			ambiguous = false;
			break;
		}
		if (by_id && ((config && strncmp(digest_hex(config), id, strlen(id)) == 0) ||
			      strncmp(digest_hex(digest), id, strlen(id)) == 0)) {
			if (found && strcmp(found, digest) != 0)
				ambiguous = true;
			found = digest;
		}
	}
	if (found && !ambiguous)
		snprintf(out, DIGEST_MAX, "%s", found);
	json_object_put(index);
	if (ambiguous)
		return hull_error_invalid(err, "image `%s`: the id prefix matches several images",
					  name_or_id);
	if (found == NULL)
		return hull_error_fail(err, ENOENT, "image `%s`: not in the store (pull it first)",
				       name_or_id);
	return 0;
}
