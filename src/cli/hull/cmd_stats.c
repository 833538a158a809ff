/* hull stats: CPU, memory and processes of running containers, from two readings of their cgroups. */
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/log.h"

#define STATS_MAX	 256
#define FIRST_SAMPLE_MS	 500
#define STREAM_PERIOD_MS 1000

struct sample {
	struct app_container c;
	bool found, have;
	uint64_t cpu_ns, at_ns, memory, limit, pids;
	double cpu_percent;
};

static uint64_t stat_u64(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	json_object_object_get_ex(o, a, &x);
	json_object_object_get_ex(x, b, &y);
	return y ? (uint64_t)json_object_get_int64(y) : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One reading; CPU % is the CPU time used since the last one over the time passed (100% is one CPU,
 * as Docker counts it). */
static void take(struct engine *e, struct sample *s)
{
	struct hull_error *err = NULL;
	json_object *stats = NULL, *cpu = NULL;
	uint64_t cpu_ns, at = now_ns();

	if (engine_stats(e, &s->c, &stats, &err) < 0) {
		hull_error_free(&err);
		s->have = false;
		return;
	}
	json_object_object_get_ex(stats, "cpu", &cpu);
	cpu_ns = stat_u64(cpu, "usage", "total");
	if (s->have && at > s->at_ns && cpu_ns >= s->cpu_ns)
		s->cpu_percent = 100.0 * (double)(cpu_ns - s->cpu_ns) / (double)(at - s->at_ns);
	s->cpu_ns = cpu_ns;
	s->at_ns = at;
	{
		json_object *memory = NULL;
		json_object_object_get_ex(stats, "memory", &memory);
		s->memory = stat_u64(memory, "usage", "usage");
		s->limit = stat_u64(memory, "usage", "limit");
	}
	s->pids = stat_u64(stats, "pids", "current");
	s->have = true;
	json_object_put(stats);
}

static void print(const struct sample *list, size_t n, bool clear)
{
	if (clear)
		fputs("\033[2J\033[H", stdout);
	printf("%-12s  %-20s  %-7s  %-24s  %-7s  %s\n", "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT",
	       "MEM %", "PIDS");
	for (size_t i = 0; i < n; i++) {
		const struct sample *s = &list[i];
		char limit[32] = "unlimited", mem_percent[16] = "--";
		if (!s->have)
			continue;
		if (s->limit && s->limit < (1ULL << 60)) {
			snprintf(limit, sizeof(limit), "%.1fMiB", (double)s->limit / 1048576.0);
			snprintf(mem_percent, sizeof(mem_percent), "%.2f%%",
				 100.0 * (double)s->memory / (double)s->limit);
		}
		printf("%-12.12s  %-20s  %6.2f%%  %8.1fMiB / %-12s  %-7s  %llu\n", s->c.id,
		       app_container_name(&s->c), s->cpu_percent, (double)s->memory / 1048576.0, limit,
		       mem_percent, (unsigned long long)s->pids);
	}
	fflush(stdout);
}

static bool wait_ms(int ms)
{
	for (int waited = 0; waited < ms; waited += 50) {
		if (interrupt_signal())
			return false;
		poll(NULL, 0, 50);
	}
	return !interrupt_signal();
}

static int run_stats(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"no-stream", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct sample *list = calloc(STATS_MAX, sizeof(*list));
	struct hull_error *err = NULL;
	struct engine e;
	size_t n = 0;
	bool stream = true;
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (c == 'n')
			stream = false;
		else {
			free(list);
			return hull_usage_error("stats", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (list == NULL || hull_open_engine(cli, &store, &e, &err) < 0) {
		free(list);
		return list ? cli_fail(&err) : hull_usage_error("stats", "out of memory");
	}
	if (optind < argc) {
		for (int i = optind; i < argc && n < STATS_MAX; i++) {
			if (engine_find(&e, argv[i], &list[n].c, &err) < 0) {
				hull_error_wrap(&err, "stats");
				ret = cli_fail(&err);
				continue;
			}
			list[n++].found = true;
		}
	} else {
		/* Without names: every running container, as Docker shows. */
		struct app_container *all;
		size_t count;
		if (engine_list(&e, &all, &count, &err) < 0) {
			ret = cli_fail(&err);
			count = 0;
			all = NULL;
		}
		for (size_t i = 0; i < count; i++) {
			struct app_state st;
			engine_state(&e, &all[i], &st);
			if (st.status == APP_RUNNING && n < STATS_MAX) {
				list[n].c = all[i];
				list[n++].found = true;
			} else
				app_container_free(&all[i]);
		}
		free(all);
	}
	interrupt_catch();
	for (size_t i = 0; i < n; i++)
		take(&e, &list[i]);
	/* A container named that does not run is an error; its row is left out. */
	for (size_t i = 0; i < n && optind < argc; i++)
		if (!list[i].have) {
			hull_log_error("stats: `%s` is not running", app_container_name(&list[i].c));
			ret = 1;
		}
	{
		/* Named containers of which none runs: the errors alone. */
		bool any = optind >= argc;
		for (size_t i = 0; i < n; i++)
			any |= list[i].have;
		if (!any)
			goto out;
	}
	if (wait_ms(FIRST_SAMPLE_MS)) {
		for (;;) {
			for (size_t i = 0; i < n; i++)
				if (list[i].have)
					take(&e, &list[i]);
			print(list, n, stream && isatty(1));
			if (!stream || !wait_ms(STREAM_PERIOD_MS))
				break;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		app_container_free(&list[i].c);
	free(list);
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_stats = {
    .name = "stats",
    .run = run_stats,
    .summary = "containers' CPU, memory and process count",
    .help = "Usage: hull stats [--no-stream] [CONTAINER...]\n\n"
	    "CPU % (100% is one CPU, over the last reading), memory use against the limit, and processes of\n"
	    "the containers named, or of every running one; refreshed every second until ^C, or one\n"
	    "reading with --no-stream (half a second apart from the first).\n",
};
