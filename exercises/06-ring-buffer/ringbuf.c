// SPDX-License-Identifier: MIT
/*
 * Exercise 06: load ringbuf.bpf.c (embedded through its skeleton), attach it,
 * and print each event it sends as "exec <comm> ppid=<n>" until Ctrl-C or
 * --duration S.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "event.h"
#include "ringbuf.skel.h"

static const char *prog = "ringbuf";
static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

/* Called by ring_buffer__poll() for each event the BPF program submitted. */
int handle_event(void *ctx, void *data, size_t size)
{
	/* TODO: DATA is a struct event: print it as "exec <comm> ppid=<n>". */
	(void)ctx;	/* TODO: remove these three lines once you use the arguments */
	(void)data;
	(void)size;
	return 0;
}

static const struct cli_option options[] = {
	{ 'd', "duration", "S", "exit after S seconds (default: at Ctrl-C)" },
	{},
};

static const struct cli cli = { "ringbuf", "",
	"load ringbuf.bpf.o, attach it, and print each event it sends", options, 0 };

int main(int argc, char **argv)
{
	struct ringbuf *skel;
	long duration = 0;
	time_t deadline;
	char *end;
	const char *value;
	int err;

	while (cli_next(&cli, argc, argv, &value)) {
		duration = strtol(value, &end, 10);
		if (*end || duration <= 0)
			return usage_error(prog, "--duration '%s' is not a positive number of seconds", value);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	skel = ringbuf__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: ringbuf__open_and_load: %s\n", prog, strerror(errno));
		return 1;
	}
	err = ringbuf__attach(skel);
	if (err) {
		fprintf(stderr, "%s: ringbuf__attach: %s\n", prog, strerror(-err));
		goto out;
	}
	/* TODO: a ring buffer on the events map's fd, calling handle_event. */
	deadline = time(NULL) + (duration ? duration : 24 * 3600);
	while (!exiting && time(NULL) < deadline) {
		/* TODO: poll the ring buffer for up to 100 ms, instead of sleeping. */
		usleep(100000);
	}
out:
	ringbuf__destroy(skel);
	return err != 0;
}
