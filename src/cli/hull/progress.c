#include "cli/hull/progress.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS 100000000LL /* at most ten redraws a second */

struct layer_line {
	char digest[20];
	int64_t size;
	uint64_t done;
	enum pull_event state;
	int64_t started_ns;
};

struct progress {
	FILE *out;
	bool quiet, tty;
	struct layer_line *layers;
	size_t n, drawn;
	int64_t last_draw_ns;
	struct pull_observer observer;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void human(char *buf, size_t len, double bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void draw_line(struct progress *p, const struct layer_line *l)
{
	char done[32], size[32], speed[32] = "";
	char bar[31];
	size_t filled = 0;
	double secs = (double)(now_ns() - l->started_ns) / 1e9;

	human(done, sizeof(done), (double)l->done);
	human(size, sizeof(size), l->size > 0 ? (double)l->size : 0);
	if (l->size > 0)
		filled = (size_t)((double)l->done / (double)l->size * 30);
	if (filled > 30)
		filled = 30;
	memset(bar, '=', filled);
	memset(bar + filled, ' ', 30 - filled);
	bar[30] = '\0';
	if (l->state == PULL_LAYER_PROGRESS && secs > 0.05) {
		human(speed, sizeof(speed), (double)l->done / secs);
		strcat(speed, "/s");
	}
	fprintf(p->out, "%sCopying blob %s ", p->tty ? "\033[2K" : "", l->digest);
	if (l->state == PULL_LAYER_EXISTS)
		fprintf(p->out, "skipped: already exists\n");
	else if (l->state == PULL_LAYER_UNPACKED)
		fprintf(p->out, "done   %s\n", size);
	else
		fprintf(p->out, "[%s] %s / %s %s\n", bar, done, size, speed);
}

static void redraw(struct progress *p, bool force)
{
	int64_t now = now_ns();

	if (!force && now - p->last_draw_ns < REDRAW_NS)
		return;
	p->last_draw_ns = now;
	if (p->drawn)
		fprintf(p->out, "\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++)
		draw_line(p, &p->layers[i]);
	p->drawn = p->n;
	fflush(p->out);
}

static void on_resolved(void *arg, const char *reference, const char *digest, size_t n_layers)
{
	struct progress *p = arg;

	free(p->layers);
	p->layers = calloc(n_layers ? n_layers : 1, sizeof(*p->layers));
	p->n = p->layers ? n_layers : 0;
	p->drawn = 0;
	if (!p->quiet)
		fprintf(p->out, "Pulling %s (%s)\n", reference, digest);
}

static void on_layer(void *arg, enum pull_event ev, size_t i, const char *digest, int64_t size, uint64_t done)
{
	struct progress *p = arg;
	struct layer_line *l;

	if (p->quiet || i >= p->n)
		return;
	l = &p->layers[i];
	if (ev == PULL_LAYER_QUEUED) {
		snprintf(l->digest, sizeof(l->digest), "%.19s", digest);
		l->size = size;
		l->started_ns = now_ns();
	}
	if (ev == PULL_LAYER_PROGRESS && l->state != PULL_LAYER_PROGRESS)
		l->started_ns = now_ns();
	l->state = ev;
	if (ev == PULL_LAYER_PROGRESS)
		l->done = done;
	if (ev == PULL_LAYER_UNPACKED)
		l->done = size > 0 ? (uint64_t)size : l->done;
	if (p->tty)
		redraw(p, ev != PULL_LAYER_PROGRESS);
	else if (ev == PULL_LAYER_EXISTS || ev == PULL_LAYER_UNPACKED)
		draw_line(p, l);
}

struct progress *progress_new(FILE *out, bool quiet)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->out = out;
	p->quiet = quiet;
	p->tty = isatty(fileno(out));
	p->observer = (struct pull_observer){.resolved = on_resolved, .layer = on_layer, .arg = p};
	return p;
}

const struct pull_observer *progress_observer(struct progress *p)
{
	return &p->observer;
}

void progress_finish(struct progress *p)
{
	if (p->tty && !p->quiet)
		redraw(p, true);
}

void progress_free(struct progress **p)
{
	if (*p) {
		free((*p)->layers);
		free(*p);
		*p = NULL;
	}
}
