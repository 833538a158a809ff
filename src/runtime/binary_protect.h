/* CVE-2019-5736: a container that makes the kernel execute the runtime's binary inside it (a program
 * whose interpreter is /proc/self/exe) can open that binary through /proc/<pid>/exe and, once the runtime
 * has exited, write to it: the next run of the runtime on the host runs the attacker's code.  The
 * commands that start processes in a container therefore run from a sealed in-memory copy of the binary,
 * which cannot be written; a binary on a read-only mount is safe as it is. */
#ifndef HULL_RUNTIME_BINARY_PROTECT_H
#define HULL_RUNTIME_BINARY_PROTECT_H

#include "util/error.h"

/* Re-executes the program from a sealed memfd copy unless it already runs from one (or from a read-only
 * file system).  Returns 0 when nothing needed doing; on success of the re-exec it does not return. */
int runtime_protect_binary(char **argv, struct hull_error **err);

#endif
