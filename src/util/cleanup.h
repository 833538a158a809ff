/* Ownership helpers.  A variable declared with one of these is released when it leaves scope; when
 * ownership moves elsewhere the variable is set to NULL (or -1) first, so nothing is freed twice. */
#ifndef HULL_UTIL_CLEANUP_H
#define HULL_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_free_fn(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_close_fn(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclose_fn(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_closedir_fn(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* A NULL-terminated array of owned strings. */
static inline void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static inline void cleanup_strv_fn(char ***v)
{
	strv_free(*v);
}

#define cleanup_free	 __attribute__((cleanup(cleanup_free_fn)))
#define cleanup_close	 __attribute__((cleanup(cleanup_close_fn)))
#define cleanup_fclose	 __attribute__((cleanup(cleanup_fclose_fn)))
#define cleanup_closedir __attribute__((cleanup(cleanup_closedir_fn)))
#define cleanup_strv	 __attribute__((cleanup(cleanup_strv_fn)))

/* Hands ownership of a pointer or descriptor to the caller and disarms the cleanup. */
#define steal_pointer(pp)                                                                                    \
	({                                                                                                   \
		__typeof__(*(pp)) _v = *(pp);                                                                \
		*(pp) = NULL;                                                                                \
		_v;                                                                                          \
	})
#define steal_fd(pfd)                                                                                        \
	({                                                                                                   \
		int _fd = *(pfd);                                                                            \
		*(pfd) = -1;                                                                                 \
		_fd;                                                                                         \
	})

#endif
