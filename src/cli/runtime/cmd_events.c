/* events: the container's usage, once (--stats) or every interval until it stops, with OOM kills. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/runtime/cli.h"

static void print_event(const char *type, const char *id, json_object *data)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "id", json_object_new_string(id));
	if (data)
		json_object_object_add(o, "data", data);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

/* "5s", "500ms", "1m" or plain seconds. */
static int parse_interval(const char *text, double *seconds)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || v <= 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0)
		v *= 60;
	else if (*end && strcmp(end, "s") != 0)
		return -1;
	*seconds = v;
	return 0;
}

static int run_events(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"stats", no_argument, NULL, 's'},
						{"interval", required_argument, NULL, 'i'},
						{NULL, 0, NULL, 0}};
	struct hull_error *err = NULL;
	bool once = false, running = true;
	double interval = 5;
	uint64_t ooms = 0, last_ooms = 0;
	const char *id;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (c == 's')
			once = true;
		else if (c == 'i' && parse_interval(optarg, &interval) == 0)
			continue;
		else if (c == 'i')
			return cli_usage_error("events", "--interval: `%s` is not a duration like 5s",
					       optarg);
		else
			return cli_usage_error("events", "unknown option `%s`", argv[optind - 1]);
	}
	if (cli_take_id("events", argc, argv, optind, &id) != 0)
		return 1;
	for (bool first = true; running; first = false) {
		json_object *stats = NULL;
		if (runtime_stats(&cli->rt, id, &stats, &ooms, &running, &err) < 0)
			return first ? cli_fail(&err) : (hull_error_free(&err), 0);
		if (!first && ooms > last_ooms)
			print_event("oom", id, NULL);
		last_ooms = ooms;
		print_event("stats", id, stats);
		if (once)
			break;
		struct timespec ts = {(time_t)interval, (long)((interval - (time_t)interval) * 1e9)};
		nanosleep(&ts, NULL);
	}
	return 0;
}

const struct cli_command cmd_events = {
    "events", run_events, "print a container's resource usage and OOM kills",
    "Usage: hull-runtime events [--stats] [--interval DURATION] ID\n\n"
    "      --stats        print the usage once and exit\n"
    "      --interval D   how often to print it otherwise (default 5s)\n\n"
    "Each line is a JSON object: {\"type\": \"stats\", \"id\", \"data\": {cpu, memory, pids}}, or\n"
    "{\"type\": \"oom\", \"id\"} when the OOM killer has killed a process of the container.\n\n"
    "Example:\n  hull-runtime events --stats web\n"};
