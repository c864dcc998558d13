// SPDX-License-Identifier: MIT
/*
 * taskstate: load taskstate.bpf.o (embedded through its skeleton), attach it
 * to sched/sched_process_exec, and print one line per exec from its ring
 * buffer. --btf FILE makes libbpf resolve the CO-RE relocations against FILE
 * (a BTFGen file, say) instead of the running kernel's /sys/kernel/btf/vmlinux.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "taskstate.h"
#include "taskstate.skel.h"

static const char *tool = "taskstate";

static struct {
	const char *btf;
	bool verbose;
	long duration;
	long count;
} env;

static volatile sig_atomic_t exiting;
static long seen;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int positive(const char *opt, const char *arg, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	if (errno || *end || *out <= 0) {
		fprintf(stderr, "%s: %s '%s' is not a positive number; see '%s --help'\n", tool, opt, arg, tool);
		return 2;
	}
	return 0;
}

static const struct cli_option options[] = {
	{ 'b', "btf", "FILE", "resolve CO-RE relocations against FILE (the kernel's BTF, or one\n"
			      "made by 'bpftool gen min_core_btf'), not /sys/kernel/btf/vmlinux" },
	{ 'v', "verbose", NULL, "print libbpf's debug log, with the CO-RE relocations" },
	{ 'd', "duration", "S", "stop after S seconds (default: at Ctrl-C)" },
	{ 'c', "count", "N", "stop after N events" },
	{},
};

static const struct cli cli = { "taskstate", "",
	"load taskstate.bpf.o, attach on_exec to tracepoint sched/sched_process_exec and\n"
	"print each exec: comm, pid, parent pid, the parent's task state", options, 0 };

static int parse_args(int argc, char **argv)
{
	const char *value;
	int key;

	while ((key = cli_next(&cli, argc, argv, &value))) {
		if (key == 'b')
			env.btf = value;
		else if (key == 'v')
			env.verbose = true;
		else if (key == 'd' && positive("--duration", value, &env.duration))
			return 2;
		else if (key == 'c' && positive("--count", value, &env.count))
			return 2;
	}
	return 0;
}

/* Whether struct task_struct in BTF has a member called NAME. */
static bool task_struct_has(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	const struct btf_type *t;
	const struct btf_member *m;
	int i;

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return true;
	return false;
}

/*
 * A --btf file must describe the task's state as __state or state: without
 * it libbpf would only fail later, deep in the verifier's log.
 */
static int check_btf_file(const char *path)
{
	/* Our one line says it all: libbpf's own warning would be a second. */
	libbpf_print_fn_t print = libbpf_set_print(NULL);
	struct btf *btf = btf__parse(path, NULL);
	char why[128];
	bool has_state;

	libbpf_set_print(print);
	if (!btf) {
		libbpf_strerror(errno, why, sizeof(why));
		fprintf(stderr, "%s: --btf %s: not a BTF file libbpf can read (%s); give a kernel's BTF or one made by 'bpftool gen min_core_btf'\n",
			tool, path, why);
		return 1;
	}
	has_state = task_struct_has(btf, "__state") || task_struct_has(btf, "state");
	btf__free(btf);
	if (!has_state) {
		fprintf(stderr, "%s: --btf %s: no struct task_struct with __state or state in it, which this program reads; make the file from taskstate.bpf.o with 'bpftool gen min_core_btf'\n",
			tool, path);
		return 1;
	}
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	printf("exec %s ppid=%u pid=%u parent_state=%lld task_btf=%u\n",
	       e->comm, e->ppid, e->pid, (long long)e->parent_state, e->task_btf);
	fflush(stdout);
	if (env.count && ++seen >= env.count)
		exiting = 1;
	return 0;
}

static int follow(struct taskstate *skel)
{
	struct ring_buffer *rb;
	time_t end = env.duration ? time(NULL) + env.duration : 0;
	int err = 0;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "%s: ring_buffer__new: %s\n", tool, strerror(errno));
		return 1;
	}
	fprintf(stderr, "%s: attached; printing execs\n", tool);
	while (!exiting && (!end || time(NULL) < end)) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR) {
			err = 0;
			break;
		}
		if (err < 0) {
			fprintf(stderr, "%s: ring_buffer__poll: %s\n", tool, strerror(-err));
			break;
		}
		err = 0;
	}
	ring_buffer__free(rb);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct taskstate *skel;
	int err;

	err = parse_args(argc, argv);
	if (err)
		return err;
	libbpf_set_print(print_libbpf_log);
	if (env.btf && check_btf_file(env.btf))
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	open_opts.btf_custom_path = env.btf;
	skel = taskstate__open_opts(&open_opts);
	if (!skel) {
		fprintf(stderr, "%s: taskstate__open_opts: %s\n", tool, strerror(errno));
		return 1;
	}
	err = taskstate__load(skel);
	if (err) {
		fprintf(stderr, "%s: taskstate__load: %s (libbpf's messages above say which relocation or check failed)\n",
			tool, strerror(-err));
		goto out;
	}
	err = taskstate__attach(skel);
	if (err) {
		fprintf(stderr, "%s: taskstate__attach: %s\n", tool, strerror(-err));
		goto out;
	}
	err = follow(skel);
out:
	taskstate__destroy(skel);
	return err ? 1 : 0;
}
