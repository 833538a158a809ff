/* Signal names as users type them: "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3". */
#ifndef HULL_RUNTIME_SIGNALS_H
#define HULL_RUNTIME_SIGNALS_H

#include "util/error.h"

int signal_parse(const char *text, int *signo, struct hull_error **err);

#endif
