#include "runtime/signals.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	int signo;
} signal_names[] = {
    {"ABRT", SIGABRT},	 {"ALRM", SIGALRM}, {"BUS", SIGBUS},   {"CHLD", SIGCHLD},     {"CONT", SIGCONT},
    {"FPE", SIGFPE},	 {"HUP", SIGHUP},   {"ILL", SIGILL},   {"INT", SIGINT},	      {"IO", SIGIO},
    {"IOT", SIGIOT},	 {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"POLL", SIGPOLL},     {"PROF", SIGPROF},
    {"PWR", SIGPWR},	 {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP},
    {"SYS", SIGSYS},	 {"TERM", SIGTERM}, {"TRAP", SIGTRAP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},	 {"URG", SIGURG},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2},     {"VTALRM", SIGVTALRM},
    {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

static int parse_number(const char *text, int *out)
{
	char *end;
	long v;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 0 || v > 1000)
		return -1;
	*out = (int)v;
	return 0;
}

int signal_parse(const char *text, int *signo, struct hull_error **err)
{
	const char *name = text;
	int n;

	if (text == NULL || *text == '\0')
		return hull_error_invalid(err, "invalid signal: empty");
	if (parse_number(text, &n) == 0) {
		/* 0 is no signal: as kill(2) and runc, a check that the container lives. */
		if (n > SIGRTMAX)
			return hull_error_invalid(err, "invalid signal `%s`: out of range 0-%d", text,
						  SIGRTMAX);
		*signo = n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*signo = signal_names[i].signo;
			return 0;
		}
	/* Real-time signals: RTMIN, RTMIN+n, RTMAX, RTMAX-n. */
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = strncasecmp(name, "RTMIN", 5) == 0;
		const char *rest = name + 5;
		int offset = 0;
		if (*rest &&
		    ((min && *rest != '+') || (!min && *rest != '-') || parse_number(rest + 1, &offset) < 0))
			goto unknown;
		n = min ? SIGRTMIN + offset : SIGRTMAX - offset;
		if (n < SIGRTMIN || n > SIGRTMAX)
			goto unknown;
		*signo = n;
		return 0;
	}
unknown:
	return hull_error_invalid(err, "invalid signal `%s`: no such signal", text);
}
