/* hull-monitor's command line (see monitor.h): started by hull, not by users. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"

static int usage(void)
{
	dprintf(
	    2, "Usage: hull-monitor --runtime PATH --root DIR --id ID --bundle DIR --dir DIR --ready-fd N\n"
	       "       [--log-size BYTES] [--log-files N] [--attach] [--stdin] [--tty] [-- EXIT-COMMAND...]\n"
	       "hull starts it for each app container; it is not meant to be run by hand.\n");
	return 125;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"runtime", required_argument, NULL, 'r'},	{"root", required_argument, NULL, 'R'},
	    {"id", required_argument, NULL, 'i'},	{"bundle", required_argument, NULL, 'b'},
	    {"dir", required_argument, NULL, 'd'},	{"ready-fd", required_argument, NULL, 'f'},
	    {"log-size", required_argument, NULL, 's'}, {"log-files", required_argument, NULL, 'n'},
	    {"attach", no_argument, NULL, 'a'},		{"tty", no_argument, NULL, 't'},
	    {"stdin", no_argument, NULL, 'I'},		{NULL, 0, NULL, 0},
	};
	struct monitor_options o = {.ready_fd = -1, .log_files = 1};
	int c;

	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.runtime = optarg;
			break;
		case 'R':
			o.runtime_root = optarg;
			break;
		case 'i':
			o.id = optarg;
			break;
		case 'b':
			o.bundle = optarg;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'f':
			o.ready_fd = atoi(optarg);
			break;
		case 's':
			o.log_size = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			o.log_files = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'a':
			o.attach = true;
			break;
		case 'I':
			o.stdin_in = true;
			break;
		case 't':
			o.tty = true;
			break;
		default:
			return usage();
		}
	}
	if (!o.runtime || !o.runtime_root || !o.id || !o.bundle || !o.dir || o.ready_fd < 3)
		return usage();
	o.exit_command = optind < argc ? argv + optind : NULL;
	return monitor_run(&o);
}
