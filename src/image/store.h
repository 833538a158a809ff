/* The image store: an OCI image layout (oci-layout, index.json, blobs/<alg>/<hex>) plus the unpacked
 * layers, one directory per chain id (layers/<hex>/diff, in overlayfs's format), shared by every image
 * whose layer stack begins the same way.
 *
 * Everything lands by rename: a blob is written and verified under tmp/ first, a layer is unpacked into a
 * directory under tmp/ and renamed into place whole, index.json is replaced atomically.  Two lock files
 * make concurrent use safe: gc.lock is held shared by whatever adds content and exclusively by garbage
 * collection (so it never removes what a pull has just written but not yet tagged), index.lock
 * exclusively around each read-modify-write of index.json. */
#ifndef HULL_IMAGE_STORE_H
#define HULL_IMAGE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "image/digest.h"
#include "util/error.h"

struct store {
	char *path;
	int fd;
	int gc_lock;		  /* held shared while the store is open for adding content */
	uint64_t max_layer_bytes; /* what one layer may unpack to; 0: the store's free space less 5% */
};

/* Opens (creating when missing) the store at path.  exclusive takes gc.lock exclusively (for garbage
 * collection), otherwise shared. */
int store_open(const char *path, bool exclusive, struct store **out, struct hull_error **err);
void store_free(struct store **s);
#define cleanup_store __attribute__((cleanup(store_free)))

/* "blobs/sha256/<hex>" of a validated digest (malloc'd). */
char *store_blob_name(const char *digest);
bool store_has_blob(struct store *s, const char *digest);
int store_blob_read(struct store *s, const char *digest, size_t max, char **out, size_t *len,
		    struct hull_error **err);
/* Stores data after checking it has the digest. */
int store_blob_put(struct store *s, const char *digest, const void *data, size_t len,
		   struct hull_error **err);

/* A blob being downloaded into tmp/<hex>.partial, hashed as it is written.  An earlier interrupted
 * download of the same blob is continued: its bytes are hashed again and `have` says where to resume.
 * The partial file is locked, so two pulls of one blob take turns. */
struct blob_writer {
	int fd;
	int store_fd; /* the store's directory, for removing the partial file */
	char *partial;
	struct digester *digest;
	uint64_t have;
	int64_t limit; /* the descriptor's size: never written past; -1 when unknown */
	bool discard;  /* the partial file is not worth resuming: store_blob_close removes it */
	char expected[DIGEST_MAX];
};
/* 1 when the blob is already complete (nothing to write), 0 when w is ready for writing, from w->have on:
 * a partial file of an earlier download is resumed when it is shorter than size, dropped when longer. */
int store_blob_begin(struct store *s, const char *digest, int64_t size, struct blob_writer *w,
		     struct hull_error **err);
/* Starts the partial file over (a registry that cannot resume sends the whole blob again). */
int store_blob_restart(struct blob_writer *w, struct hull_error **err);
/* Refuses (and marks the partial file for removal) what would go past w->limit. */
int store_blob_write(struct blob_writer *w, const void *data, size_t len, struct hull_error **err);
/* Checks the size and digest and moves the blob into place; a mismatch discards the partial file. */
int store_blob_commit(struct store *s, struct blob_writer *w, int64_t size, struct hull_error **err);
/* A blob whose digest is known only once it is written (a file of a loaded archive): written to a unique
 * temporary file, then named by the digest of what was written. */
int store_blob_begin_any(struct store *s, struct blob_writer *w, struct hull_error **err);
int store_blob_commit_any(struct store *s, struct blob_writer *w, char digest[DIGEST_MAX],
			  struct hull_error **err);

/* Closes w; the partial file stays for a later resume unless w->discard says otherwise. */
void store_blob_close(struct blob_writer *w);

/* "layers/<hex>" of a chain id (malloc'd). */
char *store_layer_name(const char *chain_id);
bool store_has_layer(struct store *s, const char *chain_id);
/* A fresh directory under tmp/ with an empty diff/ inside: *diff_fd is open on diff/. */
int store_layer_begin(struct store *s, char **tmp_name, int *diff_fd, struct hull_error **err);
/* Moves the unpacked layer into place; another pull that got there first wins, and ours is dropped. */
int store_layer_commit(struct store *s, const char *tmp_name, const char *chain_id, struct hull_error **err);
void store_tmp_remove(struct store *s, const char *tmp_name);

/* index.json, read and written under index.lock by store_index_update. */
int store_index_read(struct store *s, json_object **index, struct hull_error **err);
typedef int (*store_index_edit)(json_object *index, void *arg, struct hull_error **err);
int store_index_update(struct store *s, store_index_edit edit, void *arg, struct hull_error **err);

#endif
