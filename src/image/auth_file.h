/* Registry credentials in the files Docker and podman keep them in: `{"auths": {"HOST": {"auth":
 * base64("user:password")}}}` in $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json or
 * ~/.docker/config.json (or $DOCKER_CONFIG/config.json).  `hull login` writes the first of those that
 * applies, so podman and hull share what a user logged in with. */
#ifndef HULL_IMAGE_AUTH_FILE_H
#define HULL_IMAGE_AUTH_FILE_H

#include <stdbool.h>

#include "util/error.h"

/* The credentials for host (user and password malloc'd), or both NULL when no file has them.  file, when
 * not NULL, is the only one read. */
int auth_file_lookup(const char *file, const char *host, char **user, char **password,
		     struct hull_error **err);

/* Records credentials for host in file (NULL: the default file), creating it with mode 0600. */
int auth_file_store(const char *file, const char *host, const char *user, const char *password,
		    struct hull_error **err);

/* Removes host's credentials from file (NULL: the default file); *removed says whether there were any. */
int auth_file_remove(const char *file, const char *host, bool *removed, struct hull_error **err);

/* The file login writes when none is given (malloc'd). */
char *auth_file_default(void);

#endif
