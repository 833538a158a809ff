#include "image/auth_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

char *auth_file_default(void)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *run = getenv("XDG_RUNTIME_DIR");
	const char *docker = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *out = NULL;

	if (env && *env)
		return strdup(env);
	if (run && *run)
		return asprintf(&out, "%s/containers/auth.json", run) < 0 ? NULL : out;
	if (docker && *docker)
		return asprintf(&out, "%s/config.json", docker) < 0 ? NULL : out;
	return asprintf(&out, "%s/.docker/config.json", home && *home ? home : "/root") < 0 ? NULL : out;
}

/* Docker Hub is written under several names; Docker itself uses the v1 index address. */
static bool key_matches(const char *key, const char *host)
{
	static const char *const hub[] = {"docker.io", "registry-1.docker.io", "index.docker.io",
					  "https://index.docker.io/v1/", NULL};
	const char *k = key;
	size_t n;

	if (strncmp(k, "https://", 8) == 0)
		k += 8;
	else if (strncmp(k, "http://", 7) == 0)
		k += 7;
	n = strcspn(k, "/");
	if (strlen(host) == n && strncmp(k, host, n) == 0)
		return true;
	for (size_t i = 0; hub[i]; i++)
		if (strcmp(host, hub[i]) == 0)
			for (size_t j = 0; hub[j]; j++)
				if (strcmp(key, hub[j]) == 0)
					return true;
	return false;
}

static int decode(const char *file, const char *key, const char *b64, char **user, char **password,
		  struct hull_error **err)
{
	size_t len = strlen(b64), pad = 0;
	cleanup_free unsigned char *raw = malloc(len / 4 * 3 + 4);
	char *colon;
	int n;

	if (raw == NULL)
		return hull_error_set(err, ENOMEM, "credentials");
	n = len % 4 == 0 ? EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len) : -1;
	if (n < 0)
		return hull_error_invalid(err, "credentials in `%s` for `%s`: `auth` is not base64", file,
					  key);
	while (pad < 2 && len > pad && b64[len - 1 - pad] == '=')
		pad++;
	raw[n - (int)pad] = '\0';
	colon = strchr((char *)raw, ':');
	if (colon == NULL)
		return hull_error_invalid(err, "credentials in `%s` for `%s`: `auth` is not user:password",
					  file, key);
	*user = strndup((char *)raw, (size_t)(colon - (char *)raw));
	*password = strdup(colon + 1);
	if (*user == NULL || *password == NULL)
		return hull_error_set(err, ENOMEM, "credentials");
	return 0;
}

/* 1 when file had credentials for host, 0 when it had none (or does not exist). */
static int lookup_in(const char *file, const char *host, char **user, char **password,
		     struct hull_error **err)
{
	cleanup_free char *text = NULL;
	cleanup_json json_object *doc = NULL;
	json_object *auths = NULL;
	size_t len;
	int ret;

	if (fs_read_file(AT_FDCWD, file, &text, &len, NULL) < 0)
		return 0;
	if ((ret = json_parse_text(text, len, file, &doc, err)) < 0)
		return ret;
	if ((ret = json_field_object(doc, file, "auths", &auths, err)) < 0)
		return ret;
	if (auths == NULL)
		return 0;
	json_object_object_foreach(auths, key, entry)
	{
		const char *b64 = NULL;
		json_object *value;
		if (!key_matches(key, host))
			continue;
		if (!json_object_is_type(entry, json_type_object) ||
		    !json_object_object_get_ex(entry, "auth", &value) ||
		    !json_object_is_type(value, json_type_string)) {
			hull_log_debug(
			    "credentials in `%s` for `%s` have no `auth` string (credential helpers are "
			    "not supported)",
			    file, host);
			continue;
		}
		b64 = json_object_get_string(value);
		/* Messages name host, not the key: the file's text is not for echoing into a one-line error.
		 */
		if ((ret = decode(file, host, b64, user, password, err)) < 0)
			return ret;
		return 1;
	}
	return 0;
}

int auth_file_lookup(const char *file, const char *host, char **user, char **password,
		     struct hull_error **err)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *run = getenv("XDG_RUNTIME_DIR");
	const char *docker = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	cleanup_free char *xdg = NULL, *dock = NULL;
	const char *files[4];
	size_t n = 0;

	*user = *password = NULL;
	if (file)
		files[n++] = file;
	else {
		if (env && *env)
			files[n++] = env;
		if (run && *run && asprintf(&xdg, "%s/containers/auth.json", run) >= 0)
			files[n++] = xdg;
		if ((docker && *docker
			 ? asprintf(&dock, "%s/config.json", docker)
			 : asprintf(&dock, "%s/.docker/config.json", home && *home ? home : "/root")) < 0)
			dock = NULL;
		if (dock)
			files[n++] = dock;
	}
	for (size_t i = 0; i < n; i++) {
		int ret = lookup_in(files[i], host, user, password, err);
		if (ret != 0)
			return ret < 0 ? ret : 0;
	}
	return 0;
}

static int load_for_update(const char *file, json_object **doc, json_object **auths, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	int ret;

	if (fs_read_file(AT_FDCWD, file, &text, &len, NULL) < 0 || len == 0)
		*doc = json_object_new_object();
	else if ((ret = json_parse_text(text, len, file, doc, err)) < 0)
		return ret;
	if (*doc == NULL || !json_object_is_type(*doc, json_type_object))
		return hull_error_invalid(err, "`%s`: not a JSON object", file);
	*auths = json_object_object_get(*doc, "auths");
	if (*auths == NULL) {
		*auths = json_object_new_object();
		json_object_object_add(*doc, "auths", *auths);
	}
	if (!json_object_is_type(*auths, json_type_object))
		return hull_error_invalid(err, "`%s`: `auths` is not an object", file);
	return 0;
}

static int save(const char *file, json_object *doc, struct hull_error **err)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	cleanup_free char *dir = strdup(file);
	char *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash && slash != dir) {
		*slash = '\0';
		if (fs_mkdir_parents(dir, 0700, err) < 0)
			return hull_error_wrap(err, "credentials");
	}
	return fs_write_file_atomic(AT_FDCWD, file, text, strlen(text), 0600, err);
}

int auth_file_store(const char *file, const char *host, const char *user, const char *password,
		    struct hull_error **err)
{
	cleanup_free char *def = file ? NULL : auth_file_default(), *plain = NULL;
	cleanup_json json_object *doc = NULL;
	json_object *auths, *entry;
	const char *path = file ? file : def;
	cleanup_free unsigned char *b64 = NULL;
	int ret;

	if (path == NULL || asprintf(&plain, "%s:%s", user, password) < 0)
		return hull_error_set(err, ENOMEM, "credentials");
	if ((ret = load_for_update(path, &doc, &auths, err)) < 0)
		return ret;
	b64 = malloc(strlen(plain) / 3 * 4 + 8);
	if (b64 == NULL)
		return hull_error_set(err, ENOMEM, "credentials");
	EVP_EncodeBlock(b64, (unsigned char *)plain, (int)strlen(plain));
	explicit_bzero(plain, strlen(plain));
	entry = json_object_new_object();
	json_object_object_add(entry, "auth", json_object_new_string((char *)b64));
	json_object_object_add(auths, host, entry);
	return save(path, doc, err);
}

int auth_file_remove(const char *file, const char *host, bool *removed, struct hull_error **err)
{
	cleanup_free char *def = file ? NULL : auth_file_default();
	cleanup_json json_object *doc = NULL;
	json_object *auths;
	const char *path = file ? file : def;
	int ret;

	*removed = false;
	if (path == NULL)
		return hull_error_set(err, ENOMEM, "credentials");
	if ((ret = load_for_update(path, &doc, &auths, err)) < 0)
		return ret;
	if (json_object_object_get(auths, host) == NULL)
		return 0;
	json_object_object_del(auths, host);
	*removed = true;
	return save(path, doc, err);
}
