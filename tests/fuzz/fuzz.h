/* Shared by the libFuzzer targets. */
#ifndef HULL_TESTS_FUZZ_H
#define HULL_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal always carries a message: a crash for the fuzzer otherwise. */
static inline void fuzz_check_refusal(struct hull_error **err)
{
	if (*err == NULL || (*err)->message == NULL || (*err)->message[0] == '\0')
		__builtin_trap();
	hull_error_free(err);
}

#endif
