/* Shared includes for the cmocka unit tests. */
#ifndef HULL_TESTS_UNIT_H
#define HULL_TESTS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"

/* Asserts that ret failed and that the message mentions `needle`. */
#define assert_fails_with(ret, err, needle)                                                                  \
	do {                                                                                                 \
		assert_true((ret) < 0);                                                                      \
		assert_non_null(err);                                                                        \
		if (strstr((err)->message, (needle)) == NULL)                                                \
			fail_msg("error `%s` does not mention `%s`", (err)->message, (needle));              \
		hull_error_free(&(err));                                                                     \
	} while (0)

#endif
