#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

static int lock_file(int dir_fd, const char *name, int how, struct hull_error **err)
{
	int fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return hull_error_errno(err, "store: lock `%s`", name);
	while (flock(fd, how) < 0) {
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return hull_error_set(err, saved, "store: lock `%s`", name);
		}
	}
	return fd;
}

int store_open(const char *path, bool exclusive, struct store **out, struct hull_error **err)
{
	static const char *const dirs[] = {"blobs", "blobs/sha256", "blobs/sha512", "layers", "tmp", NULL};
	struct store *s;
	int ret;

	if ((ret = fs_mkdir_parents(path, 0700, err)) < 0)
		return hull_error_wrap(err, "store `%s`", path);
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		return hull_error_set(err, ENOMEM, "store");
	}
	s->gc_lock = -1;
	*out = s;
	s->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->fd < 0) {
		ret = hull_error_errno(err, "store `%s`", path);
		goto fail;
	}
	for (size_t i = 0; dirs[i]; i++)
		if (mkdirat(s->fd, dirs[i], 0700) < 0 && errno != EEXIST) {
			ret = hull_error_errno(err, "store `%s`: mkdir `%s`", path, dirs[i]);
			goto fail;
		}
	if (faccessat(s->fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    (ret = fs_write_file_atomic(s->fd, "oci-layout", layout, strlen(layout), 0644, err)) < 0)
		goto fail;
	s->gc_lock = lock_file(s->fd, "gc.lock", exclusive ? LOCK_EX : LOCK_SH, err);
	if (s->gc_lock < 0) {
		ret = s->gc_lock;
		goto fail;
	}
	return 0;
fail:
	store_free(out);
	return ret;
}

void store_free(struct store **sp)
{
	struct store *s = *sp;

	if (s == NULL)
		return;
	if (s->gc_lock >= 0)
		close(s->gc_lock);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	*sp = NULL;
}

char *store_blob_name(const char *digest)
{
	char *out = NULL;
	size_t alg = strcspn(digest, ":");

	return asprintf(&out, "blobs/%.*s/%s", (int)alg, digest, digest_hex(digest)) < 0 ? NULL : out;
}

bool store_has_blob(struct store *s, const char *digest)
{
	cleanup_free char *name = digest_validate(digest, NULL) < 0 ? NULL : store_blob_name(digest);
	return name && faccessat(s->fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_blob_read(struct store *s, const char *digest, size_t max, char **out, size_t *len,
		    struct hull_error **err)
{
	cleanup_free char *name = NULL;
	struct stat st;
	int ret;

	if ((ret = digest_validate(digest, err)) < 0)
		return ret;
	if ((name = store_blob_name(digest)) == NULL)
		return hull_error_set(err, ENOMEM, "store");
	if (fstatat(s->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_error_errno(err, "blob `%s`", digest);
	if ((uint64_t)st.st_size > max)
		return hull_error_fail(err, EFBIG, "blob `%s`: larger than %zu bytes", digest, max);
	if ((ret = fs_read_file(s->fd, name, out, len, err)) < 0)
		return hull_error_wrap(err, "blob `%s`", digest);
	return 0;
}

/* A unique file under tmp/ (threads of one pull write several at once). */
static int tmp_file(struct store *s, char **name, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/tmp/blob-XXXXXX", s->path) < 0)
		return hull_error_set(err, ENOMEM, "store");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return hull_error_errno(err, "store: temporary file");
	if (asprintf(name, "tmp/%s", strrchr(path, '/') + 1) < 0) {
		unlink(path);
		close(fd);
		return hull_error_set(err, ENOMEM, "store");
	}
	return fd;
}

int store_blob_put(struct store *s, const char *digest, const void *data, size_t len, struct hull_error **err)
{
	char actual[DIGEST_MAX];
	cleanup_free char *name = NULL, *tmp = NULL;
	cleanup_close int fd = -1;
	int ret;

	if ((ret = digest_validate(digest, err)) < 0)
		return ret;
	digest_buffer(data, len, digest, actual);
	if (strcmp(actual, digest) != 0)
		return hull_error_fail(err, EBADMSG, "blob `%s`: content has digest `%s`", digest, actual);
	if (store_has_blob(s, digest))
		return 0;
	if ((name = store_blob_name(digest)) == NULL)
		return hull_error_set(err, ENOMEM, "store");
	if ((fd = tmp_file(s, &tmp, err)) < 0)
		return fd;
	if (write(fd, data, len) != (ssize_t)len || fchmod(fd, 0644) < 0 ||
	    renameat(s->fd, tmp, s->fd, name) < 0) {
		ret = hull_error_errno(err, "blob `%s`", digest);
		unlinkat(s->fd, tmp, 0);
		return ret;
	}
	return 0;
}

int store_blob_begin(struct store *s, const char *digest, int64_t size, struct blob_writer *w,
		     struct hull_error **err)
{
	char buf[1 << 16];
	ssize_t n;
	int ret;

	*w = (struct blob_writer){.fd = -1, .store_fd = -1, .limit = size};
	if ((ret = digest_validate(digest, err)) < 0)
		return ret;
	snprintf(w->expected, sizeof(w->expected), "%s", digest);
	if (asprintf(&w->partial, "tmp/%s.partial", digest_hex(digest)) < 0)
		return hull_error_set(err, ENOMEM, "store");
	w->fd = lock_file(s->fd, w->partial, LOCK_EX, err);
	if (w->fd < 0) {
		store_blob_close(w);
		return hull_error_wrap(err, "blob `%s`", digest);
	}
	w->store_fd = s->fd;
	/* Another pull may have finished it while we waited for the lock. */
	if (store_has_blob(s, digest)) {
		unlinkat(s->fd, w->partial, 0);
		store_blob_close(w);
		return 1;
	}
	w->digest = digester_new(digest);
	if (w->digest == NULL) {
		store_blob_close(w);
		return hull_error_set(err, ENOMEM, "store");
	}
	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		digester_update(w->digest, buf, (size_t)n);
		w->have += (uint64_t)n;
	}
	if (n < 0) {
		ret = hull_error_errno(err, "blob `%s`: read the partial download", digest);
		store_blob_close(w);
		return ret;
	}
	/* Longer than the blob can be: what it holds is wrong, whatever it is. */
	if (size >= 0 && w->have > (uint64_t)size) {
		hull_log_debug("blob %s: partial file of %llu bytes is longer than the blob; starting over",
			       digest, (unsigned long long)w->have);
		return store_blob_restart(w, err);
	}
	return 0;
}

int store_blob_restart(struct blob_writer *w, struct hull_error **err)
{
	struct digester *fresh = digester_new(w->expected);

	if (fresh == NULL)
		return hull_error_set(err, ENOMEM, "store");
	if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0) {
		digester_free(&fresh);
		return hull_error_errno(err, "blob `%s`: start the partial file over", w->expected);
	}
	digester_free(&w->digest);
	w->digest = fresh;
	w->have = 0;
	return 0;
}

int store_blob_write(struct blob_writer *w, const void *data, size_t len, struct hull_error **err)
{
	const char *p = data;
	size_t done = 0;

	/* A registry that sends more than the descriptor says (or never stops) is cut off at once: nothing
	 * past the size reaches the disk, and the file is not kept for a resume. */
	if (w->limit >= 0 && len > (uint64_t)w->limit - w->have) {
		w->discard = true;
		return hull_error_fail(
		    err, EFBIG, "blob `%s`: the registry sent more than the %lld bytes its descriptor gives",
		    w->expected, (long long)w->limit);
	}
	while (done < len) {
		ssize_t n = write(w->fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hull_error_errno(err, "blob `%s`: write", w->expected);
		done += (size_t)n;
	}
	digester_update(w->digest, data, len);
	w->have += len;
	return 0;
}

int store_blob_commit(struct store *s, struct blob_writer *w, int64_t size, struct hull_error **err)
{
	char actual[DIGEST_MAX];
	cleanup_free char *name = store_blob_name(w->expected);
	int ret = 0;

	if (name == NULL)
		return hull_error_set(err, ENOMEM, "store");
	digester_final(w->digest, actual);
	if (size >= 0 && w->have != (uint64_t)size)
		ret = hull_error_fail(err, EBADMSG, "blob `%s`: %llu bytes where the manifest says %lld",
				      w->expected, (unsigned long long)w->have, (long long)size);
	else if (strcmp(actual, w->expected) != 0)
		ret =
		    hull_error_fail(err, EBADMSG, "blob `%s`: content has digest `%s`", w->expected, actual);
	else if (fchmod(w->fd, 0644) < 0 || renameat(s->fd, w->partial, s->fd, name) < 0)
		ret = hull_error_errno(err, "blob `%s`", w->expected);
	if (ret < 0)
		unlinkat(s->fd, w->partial, 0); /* bad content is not worth resuming */
	return ret;
}

int store_blob_begin_any(struct store *s, struct blob_writer *w, struct hull_error **err)
{
	*w = (struct blob_writer){.fd = -1, .store_fd = -1, .limit = -1};
	w->fd = tmp_file(s, &w->partial, err);
	if (w->fd < 0)
		return w->fd;
	w->digest = digester_new(NULL);
	if (w->digest == NULL) {
		store_tmp_remove(s, w->partial);
		store_blob_close(w);
		return hull_error_set(err, ENOMEM, "store");
	}
	return 0;
}

int store_blob_commit_any(struct store *s, struct blob_writer *w, char digest[DIGEST_MAX],
			  struct hull_error **err)
{
	cleanup_free char *name = NULL;

	digester_final(w->digest, digest);
	snprintf(w->expected, sizeof(w->expected), "%s", digest);
	name = store_blob_name(digest);
	if (name == NULL)
		return hull_error_set(err, ENOMEM, "store");
	if (fchmod(w->fd, 0644) < 0 || renameat(s->fd, w->partial, s->fd, name) < 0) {
		int ret = hull_error_errno(err, "blob `%s`", digest);
		unlinkat(s->fd, w->partial, 0);
		return ret;
	}
	return 0;
}

void store_blob_close(struct blob_writer *w)
{
	if (w->discard && w->partial && w->store_fd >= 0)
		unlinkat(w->store_fd, w->partial, 0);
	if (w->fd >= 0)
		close(w->fd);
	digester_free(&w->digest);
	free(w->partial);
	*w = (struct blob_writer){.fd = -1, .store_fd = -1, .limit = -1};
}

char *store_layer_name(const char *chain_id)
{
	char *out = NULL;
	return asprintf(&out, "layers/%s", digest_hex(chain_id)) < 0 ? NULL : out;
}

bool store_has_layer(struct store *s, const char *chain_id)
{
	cleanup_free char *name = store_layer_name(chain_id);
	return name && faccessat(s->fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_layer_begin(struct store *s, char **tmp_name, int *diff_fd, struct hull_error **err)
{
	cleanup_free char *path = NULL;
	int ret;

	if (asprintf(&path, "%s/tmp/layer-XXXXXX", s->path) < 0)
		return hull_error_set(err, ENOMEM, "store");
	if (mkdtemp(path) == NULL)
		return hull_error_errno(err, "store: temporary directory");
	if (asprintf(tmp_name, "tmp/%s", strrchr(path, '/') + 1) < 0) {
		rmdir(path);
		return hull_error_set(err, ENOMEM, "store");
	}
	free(path);
	if (asprintf(&path, "%s/diff", *tmp_name) < 0 || mkdirat(s->fd, path, 0755) < 0 ||
	    (*diff_fd = openat(s->fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = hull_error_errno(err, "store: layer directory");
		store_tmp_remove(s, *tmp_name);
		free(*tmp_name);
		*tmp_name = NULL;
		return ret;
	}
	return 0;
}

int store_layer_commit(struct store *s, const char *tmp_name, const char *chain_id, struct hull_error **err)
{
	cleanup_free char *name = store_layer_name(chain_id);

	if (name == NULL)
		return hull_error_set(err, ENOMEM, "store");
	if (renameat(s->fd, tmp_name, s->fd, name) < 0) {
		int saved = errno;
		store_tmp_remove(s, tmp_name);
		if (saved == EEXIST || saved == ENOTEMPTY)
			return 0;
		return hull_error_set(err, saved, "layer `%s`", chain_id);
	}
	return 0;
}

void store_tmp_remove(struct store *s, const char *tmp_name)
{
	struct stat st;

	if (fstatat(s->fd, tmp_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISDIR(st.st_mode))
		fs_remove_tree(s->fd, tmp_name, NULL);
	else
		unlinkat(s->fd, tmp_name, 0);
}

int store_index_read(struct store *s, json_object **index, struct hull_error **err)
{
	cleanup_free char *text = NULL;
	json_object *manifests;
	size_t len;
	int ret;

	if (fs_read_file(s->fd, "index.json", &text, &len, NULL) < 0) {
		*index = json_object_new_object();
		json_object_object_add(*index, "schemaVersion", json_object_new_int(2));
		json_object_object_add(*index, "mediaType",
				       json_object_new_string("application/vnd.oci.image.index.v1+json"));
		json_object_object_add(*index, "manifests", json_object_new_array());
		return *index ? 0 : hull_error_set(err, ENOMEM, "store");
	}
	if ((ret = json_parse_text(text, len, "index.json", index, err)) < 0)
		return hull_error_wrap(err, "store `%s`", s->path);
	if (!json_object_is_type(*index, json_type_object) ||
	    !json_object_object_get_ex(*index, "manifests", &manifests) ||
	    !json_object_is_type(manifests, json_type_array)) {
		json_object_put(*index);
		*index = NULL;
		return hull_error_invalid(err, "store `%s`: index.json has no `manifests` array", s->path);
	}
	return 0;
}

/* index.json is the only record of which images exist: written to a file that is synced before the
 * rename, so a crash leaves the old index or the new one. */
static int write_index(struct store *s, json_object *index, struct hull_error **err)
{
	const char *text =
	    json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = tmp_file(s, &tmp, err);
	size_t len = strlen(text);

	if (fd < 0)
		return fd;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    renameat(s->fd, tmp, s->fd, "index.json") < 0) {
		int ret = hull_error_errno(err, "store `%s`: write index.json", s->path);
		unlinkat(s->fd, tmp, 0);
		return ret;
	}
	return 0;
}

int store_index_update(struct store *s, store_index_edit edit, void *arg, struct hull_error **err)
{
	cleanup_close int lock = lock_file(s->fd, "index.lock", LOCK_EX, err);
	json_object *index = NULL;
	int ret;

	if (lock < 0)
		return lock;
	if ((ret = store_index_read(s, &index, err)) < 0)
		return ret;
	ret = edit(index, arg, err);
	if (ret > 0)
		ret = write_index(s, index, err);
	json_object_put(index);
	return ret < 0 ? ret : 0;
}
