#include "image/manifest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "image/digest.h"
#include "util/json.h"

const char manifest_accept[] =
    MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST;

static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    /* Uncompressed Docker layers: what an older `docker save` archive holds. */
    "application/vnd.docker.image.rootfs.diff.tar",
};
static const char *const config_types[] = {
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
};

static bool one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static void descriptor_free(struct descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->architecture);
	free(d->variant);
	memset(d, 0, sizeof(*d));
}

static int parse_descriptor(json_object *o, const char *where, bool platform, struct descriptor *d,
			    struct hull_error **err)
{
	const char *media = NULL, *digest = NULL, *os = NULL, *arch = NULL, *variant = NULL;
	json_object *p = NULL;
	int64_t size = -1;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(o, json_type_object))
		return hull_error_invalid(err, "%s: expected an object", where);
	if ((ret = json_field_string(o, where, "mediaType", &media, err)) < 0 ||
	    (ret = json_field_string(o, where, "digest", &digest, err)) < 0 ||
	    (ret = json_field_int64(o, where, "size", 0, INT64_MAX, &size, err)) < 0)
		return ret;
	if (media == NULL || digest == NULL || size < 0)
		return hull_error_invalid(err, "%s: a descriptor needs mediaType, digest and size", where);
	if (digest_validate(digest, err) < 0)
		return hull_error_wrap(err, "%s", where);
	if (platform) {
		if ((ret = json_field_object(o, where, "platform", &p, err)) < 0 ||
		    (ret = json_field_string(p, where, "os", &os, err)) < 0 ||
		    (ret = json_field_string(p, where, "architecture", &arch, err)) < 0 ||
		    (ret = json_field_string(p, where, "variant", &variant, err)) < 0)
			return ret;
	}
	d->media_type = strdup(media);
	d->digest = strdup(digest);
	d->size = size;
	d->os = os ? strdup(os) : NULL;
	d->architecture = arch ? strdup(arch) : NULL;
	d->variant = variant ? strdup(variant) : NULL;
	if (!d->media_type || !d->digest) {
		descriptor_free(d);
		return hull_error_set(err, ENOMEM, "manifest");
	}
	return 0;
}

static int parse_list(json_object *array, const char *what, bool platform, struct descriptor **out, size_t *n,
		      struct hull_error **err)
{
	size_t count = json_object_array_length(array);

	*out = calloc(count + 1, sizeof(**out));
	if (*out == NULL)
		return hull_error_set(err, ENOMEM, "manifest");
	for (*n = 0; *n < count; (*n)++) {
		char where[48];
		snprintf(where, sizeof(where), "%s[%zu]", what, *n);
		if (parse_descriptor(json_object_array_get_idx(array, *n), where, platform, &(*out)[*n],
				     err) < 0)
			return hull_error_code(*err);
	}
	return 0;
}

/* The media type without parameters ("; charset=utf-8"). */
static void bare_type(const char *in, char *out, size_t len)
{
	size_t n = strcspn(in, "; \t");

	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), in);
}

int manifest_parse(const char *text, size_t len, const char *content_type, struct manifest *out,
		   struct hull_error **err)
{
	json_object *doc = NULL, *manifests = NULL, *layers = NULL, *config = NULL;
	const char *media = NULL;
	char header[160] = "";
	int64_t version = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = json_parse_text(text, len, "manifest", &doc, err)) < 0)
		return ret;
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return hull_error_invalid(err, "manifest: expected a JSON object");
	}
	if ((ret = json_field_int64(doc, "manifest", "schemaVersion", 0, 100, &version, err)) < 0 ||
	    (ret = json_field_string(doc, "manifest", "mediaType", &media, err)) < 0 ||
	    (ret = json_field_array(doc, "manifest", "manifests", &manifests, err)) < 0 ||
	    (ret = json_field_array(doc, "manifest", "layers", &layers, err)) < 0 ||
	    (ret = json_field_object(doc, "manifest", "config", &config, err)) < 0)
		goto out;
	if (version != 2) {
		ret = hull_error_invalid(err, "manifest: schemaVersion %lld is not supported (only 2)",
					 (long long)version);
		goto out;
	}
	if (content_type)
		bare_type(content_type, header, sizeof(header));
	/* The document's own type, or the registry's when the document has none (OCI allows that). */
	if (media && *header && strcmp(media, header) != 0 && strcmp(header, "application/json") != 0) {
		ret = hull_error_invalid(err, "manifest: the registry sent `%s` but the document says `%s`",
					 header, media);
		goto out;
	}
	if (!media && *header && strcmp(header, "application/json") != 0)
		media = header;
	if (!media)
		media = manifests ? MEDIA_OCI_INDEX : MEDIA_OCI_MANIFEST;
	if (strcmp(media, MEDIA_OCI_INDEX) == 0 || strcmp(media, MEDIA_DOCKER_LIST) == 0)
		out->kind = MANIFEST_INDEX;
	else if (strcmp(media, MEDIA_OCI_MANIFEST) == 0 || strcmp(media, MEDIA_DOCKER_MANIFEST) == 0)
		out->kind = MANIFEST_IMAGE;
	else {
		ret = hull_error_invalid(
		    err, "manifest: media type `%.100s` is not an image manifest or index", media);
		goto out;
	}
	out->media_type = strdup(media);
	/* The shape must be that of the declared type: an index with layers or a manifest with a list of
	 * manifests is refused rather than guessed at. */
	if (out->kind == MANIFEST_INDEX) {
		if (!manifests || layers || config) {
			ret = hull_error_invalid(
			    err, "manifest: `%s` must have manifests and no config or layers", media);
			goto out;
		}
		ret = parse_list(manifests, "manifests", true, &out->manifests, &out->n_manifests, err);
		goto out;
	}
	if (!config || !layers || manifests) {
		ret = hull_error_invalid(err, "manifest: `%s` must have config and layers and no manifests",
					 media);
		goto out;
	}
	if ((ret = parse_descriptor(config, "config", false, &out->config, err)) < 0 ||
	    (ret = parse_list(layers, "layers", false, &out->layers, &out->n_layers, err)) < 0)
		goto out;
	if (!one_of(out->config.media_type, config_types, sizeof(config_types) / sizeof(config_types[0]))) {
		ret = hull_error_invalid(err, "manifest: config media type `%.100s` is not an image config",
					 out->config.media_type);
		goto out;
	}
	for (size_t i = 0; i < out->n_layers; i++)
		if (!one_of(out->layers[i].media_type, layer_types,
			    sizeof(layer_types) / sizeof(layer_types[0]))) {
			ret = hull_error_invalid(
			    err, "manifest: layers[%zu]: media type `%.100s` is not a layer hull can unpack",
			    i, out->layers[i].media_type);
			goto out;
		}
out:
	json_object_put(doc);
	if (ret < 0)
		manifest_free(out);
	return ret;
}

void manifest_host_platform(const char **os, const char **architecture, const char **variant)
{
	*os = "linux";
	*variant = NULL;
#if defined(__x86_64__)
	*architecture = "amd64";
#elif defined(__aarch64__)
	*architecture = "arm64";
	*variant = "v8";
#elif defined(__i386__)
	*architecture = "386";
#else
	*architecture = "unknown";
#endif
}

int manifest_select(const struct manifest *index, const char *os, const char *architecture,
		    const char *variant, const struct descriptor **out, struct hull_error **err)
{
	char have[512] = "";
	size_t used = 0;

	*out = NULL;
	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct descriptor *d = &index->manifests[i];
		if (!d->os || !d->architecture || strcmp(d->os, os) || strcmp(d->architecture, architecture))
			continue;
		/* No variant asked for, or none given: arm64's only one is v8. */
		if (variant && d->variant && strcmp(variant, d->variant) != 0)
			continue;
		*out = d;
		return 0;
	}
	for (size_t i = 0; i < index->n_manifests && used < sizeof(have); i++) {
		const struct descriptor *d = &index->manifests[i];
		used += (size_t)snprintf(have + used, sizeof(have) - used, "%s%.32s/%.32s%s%.16s",
					 used ? ", " : "", d->os ? d->os : "?",
					 d->architecture ? d->architecture : "?", d->variant ? "/" : "",
					 d->variant ? d->variant : "");
	}
	return hull_error_fail(err, ENOENT, "no image for %s/%s%s%s in the index (it has: %s)", os,
			       architecture, variant ? "/" : "", variant ? variant : "",
			       *have ? have : "nothing");
}

void manifest_free(struct manifest *m)
{
	free(m->media_type);
	descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_free(&m->layers[i]);
	free(m->layers);
	for (size_t i = 0; i < m->n_manifests; i++)
		descriptor_free(&m->manifests[i]);
	free(m->manifests);
	memset(m, 0, sizeof(*m));
}
