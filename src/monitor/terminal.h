/* The container's terminal while a user is attached (run -it): what they type goes to the pty's master,
 * its size follows theirs, and Docker's detach keys (ctrl-p ctrl-q) leave the container running. */
#ifndef HULL_MONITOR_TERMINAL_H
#define HULL_MONITOR_TERMINAL_H

#include <stdbool.h>

struct terminal_relay {
	int in_fd;  /* the user's terminal (our stdin), -1 once detached or at its end */
	int master; /* the container's pty */
	bool held;  /* a ctrl-p was typed last and is held back until the next key says what it was */
};

/* Reads what the user typed and writes it to the master: 1 when the detach keys were typed, -1 at the
 * end of the input, 0 otherwise. */
int terminal_relay_input(struct terminal_relay *t);

/* Gives the master the size of the user's terminal. */
void terminal_copy_size(int from_fd, int master);

#endif
