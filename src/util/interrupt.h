/* Ctrl-C, SIGTERM and SIGHUP during a long operation (a pull, a push): the handler only records the
 * signal, and the transfers poll it and fail, so that the operation's own undo runs before the process
 * ends.  A second signal ends the process at once. */
#ifndef HULL_UTIL_INTERRUPT_H
#define HULL_UTIL_INTERRUPT_H

void interrupt_catch(void);
/* 0, or the number of the signal that asked the operation to stop. */
int interrupt_signal(void);
/* Ends the process by the signal that was caught (so a shell sees it killed, as without the handler);
 * returns when none was. */
void interrupt_reraise(void);

#endif
