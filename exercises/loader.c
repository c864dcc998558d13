// SPDX-License-Identifier: MIT
/*
 * loader: the exercises' BPF program (embedded through exercise.skel.h),
 * loaded and attached the way lab 04's ppid does it, then either kept for
 * S seconds or until Ctrl-C (its bpf_printk lines go to trace_pipe), or
 * pinned under a directory so that it outlives this process.
 *
 *   loader [--duration S | --pin-dir DIR]
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "exercise.skel.h"

static const char *tool = "loader";
static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

/* Warnings only: that is where libbpf puts the verifier's log. */
static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, args);
}

/* With PIN_DIR, pin each program's link there, under the program's name. */
static int pin_links(struct exercise *skel, const char *pin_dir)
{
	int i;

	for (i = 0; i < skel->skeleton->prog_cnt; i++) {
		struct bpf_prog_skeleton *p = &skel->skeleton->progs[i];
		char path[PATH_MAX];
		int err;

		snprintf(path, sizeof(path), "%s/%s", pin_dir, p->name);
		err = bpf_link__pin(*p->link, path);
		if (err) {
			fprintf(stderr, "%s: bpf_link__pin %s: %s\n", tool, path, strerror(-err));
			return 1;
		}
	}
	return 0;
}

static const struct cli_option options[] = {
	{ 'd', "duration", "S", "detach and exit after S seconds (default: at Ctrl-C)" },
	{ 'p', "pin-dir", "DIR", "pin each link under DIR instead, and exit" },
	{},
};

static const struct cli cli = { "loader", "",
	"load the exercise's BPF object (embedded through its skeleton) and attach it", options, 0 };

int main(int argc, char **argv)
{
	const char *pin_dir = NULL, *value;
	struct exercise *skel;
	long duration = 0;
	char *end;
	int key, err;

	while ((key = cli_next(&cli, argc, argv, &value))) {
		if (key == 'p') {
			pin_dir = value;
			continue;
		}
		duration = strtol(value, &end, 10);
		if (*end || duration <= 0)
			return usage_error(tool, "--duration '%s' is not a positive number of seconds", value);
	}
	libbpf_set_print(print_warnings);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	skel = exercise__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: exercise__open_and_load: %s\n", tool, strerror(errno));
		return 1;
	}
	if (pin_dir && mkdir(pin_dir, 0700)) {
		fprintf(stderr, "%s: mkdir %s: %s\n", tool, pin_dir, strerror(errno));
		exercise__destroy(skel);
		return 1;
	}
	err = exercise__attach(skel);
	if (err) {
		fprintf(stderr, "%s: exercise__attach: %s\n", tool, strerror(-err));
	} else if (pin_dir) {
		err = pin_links(skel, pin_dir);
	} else {
		time_t deadline = time(NULL) + (duration ? duration : 3600);

		while (!exiting && time(NULL) < deadline)
			usleep(100000);
	}
	exercise__destroy(skel);
	/* A pin that failed leaves at most the empty directory: remove it. */
	if (err && pin_dir)
		rmdir(pin_dir);
	return err;
}
