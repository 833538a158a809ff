/* Fuzz target: config.json as a bundle's author (or an engine) hands it to hull.  Everything the parser and
 * validator accept or refuse must come back as a spec or an error, without a crash, leak or undefined
 * behaviour (the target is built with ASan and UBSan). */
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *spec = NULL;
	struct hull_error *err = NULL;

	if (oci_spec_parse((const char *)data, size, &spec, &err) == 0) {
		/* Walk what the runtime would use first, so that a spec accepted with missing parts shows. */
		if (spec->process && spec->process->n_args)
			(void)spec->process->args[0][0];
		(void)oci_spec_namespace(spec, 0);
		oci_spec_free(spec);
	} else {
		/* A refusal always carries a message. */
		if (err == NULL || err->message == NULL || err->message[0] == '\0')
			__builtin_trap();
		hull_error_free(&err);
	}
	return 0;
}
