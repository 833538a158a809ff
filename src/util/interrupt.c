#include "util/interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	if (caught) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	caught = sig;
}

void interrupt_catch(void)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* Restarted: blocking reads and writes carry on, and the transfers notice the flag within a second.
	 */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction old;
		/* What the caller ignores (nohup's SIGHUP, SIGINT of a background job) stays ignored. */
		if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(signals[i], &sa, NULL);
	}
}

int interrupt_signal(void)
{
	return caught;
}

void interrupt_reraise(void)
{
	int sig = caught;

	if (sig == 0)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}
