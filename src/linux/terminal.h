/* Pseudo-terminals: the container's, created inside it so that it belongs to its devpts, and the host side
 * of `run`, which relays between the user's terminal and the container's. */
#ifndef HULL_LINUX_TERMINAL_H
#define HULL_LINUX_TERMINAL_H

#include <stdbool.h>
#include <termios.h>

#include "util/error.h"

/* Opens /dev/ptmx of the current root and its peer; sets the window size when given. */
int terminal_open(int *master, int *peer, unsigned rows, unsigned cols, struct hull_error **err);

/* Makes peer the controlling terminal and the standard streams of the calling process (a session leader). */
int terminal_become_controlling(int peer, struct hull_error **err);

/* Puts the user's terminal in raw mode; restores it. */
int terminal_make_raw(int fd, struct termios *saved);
void terminal_restore(int fd, const struct termios *saved);

/* Moves what is available from one descriptor to another; 0 at end of file or on error. */
int terminal_copy(int from, int to);

void terminal_copy_size(int from, int to);

#endif
