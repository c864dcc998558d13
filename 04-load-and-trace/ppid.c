// SPDX-License-Identifier: MIT
/*
 * ppid: load the lab-03 program (embedded through its skeleton), attach it
 * to the sched_process_exec tracepoint, and either pin it so it outlives this
 * process (what `bpftool prog loadall ... autoattach` does) or follow its
 * output until Ctrl-C.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "ppid.skel.h"

static const char *prog = "ppid";

static struct {
	const char *pin_dir;
	const char *btf_path;
	bool verbose;
	bool follow;
	long duration;
} env = {
	.pin_dir = "/sys/fs/bpf/ppid",
};

static volatile sig_atomic_t exiting;

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

static void usage(void)
{
	printf("usage: %s [--pin-dir DIR] [--btf FILE] [--verbose] [--follow [--duration S]]\n"
	       "  load ppid.bpf.o and attach on_exec to tracepoint sched/sched_process_exec\n"
	       "  --btf FILE     relocate against FILE's BTF instead of the running kernel's\n"
	       "                 (a BTFGen file from bpftool gen min_core_btf, or a vmlinux)\n"
	       "  --pin-dir DIR  pin the link at DIR/on_exec so the program stays loaded\n"
	       "                 after this process exits (default /sys/fs/bpf/ppid)\n"
	       "  --verbose      print libbpf's debug log, with the CO-RE relocations\n"
	       "  --follow       do not pin: print the program's trace lines until Ctrl-C,\n"
	       "                 then detach and leave nothing behind\n"
	       "  --duration S   with --follow, stop after S seconds\n", prog);
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "btf", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "follow", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":vfh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			env.pin_dir = optarg;
			break;
		case 'b':
			env.btf_path = optarg;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'f':
			env.follow = true;
			break;
		case 'd':
			errno = 0;
			env.duration = strtol(optarg, &end, 10);
			if (errno || *end || env.duration <= 0) {
				usage_error(prog, "--duration '%s' is not a positive number of seconds", optarg);
				return 2;
			}
			break;
		case 'h':
			usage();
			exit(0);
		default:
			getopt_error(prog, opt, argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		usage_error(prog, "unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (env.duration && !env.follow) {
		usage_error(prog, "--duration only makes sense with --follow", NULL);
		return 2;
	}
	return 0;
}

/* Root has every capability; without root, CAP_BPF and CAP_PERFMON are enough. */
static bool has_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	const int cap_bpf = 39, cap_perfmon = 38;
	__u32 high;

	if (syscall(SYS_capget, &hdr, data))
		return false;
	if (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN))
		return true;
	high = data[1].effective;
	return (high & CAP_TO_MASK(cap_bpf)) && (high & CAP_TO_MASK(cap_perfmon));
}

static int check_pin_parent(void)
{
	char parent[PATH_MAX];
	struct statfs st;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", env.pin_dir);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), ".");
	if (statfs(parent, &st)) {
		fprintf(stderr, "%s: %s: %s\n", prog, parent, strerror(errno));
		return 1;
	}
	if (st.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "%s: %s is not on bpffs: run 'sudo make setup' "
			"(or: mount -t bpf bpf /sys/fs/bpf)\n", prog, parent);
		return 1;
	}
	return 0;
}

/*
 * Claim the pin directory first: mkdir is atomic, so when two learners load
 * at once exactly one gets the directory and the other a clear message.
 */
static int claim_pin_dir(void)
{
	if (check_pin_parent())
		return 1;
	if (mkdir(env.pin_dir, 0700) == 0)
		return 0;
	if (errno == EEXIST)
		fprintf(stderr, "%s: already loaded at %s — run 'make lab-05' first\n", prog, env.pin_dir);
	else
		fprintf(stderr, "%s: mkdir %s: %s\n", prog, env.pin_dir, strerror(errno));
	return 1;
}

static int pin_link(struct ppid *skel)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/on_exec", env.pin_dir);
	err = bpf_link__pin(skel->links.on_exec, path);
	if (err) {
		fprintf(stderr, "%s: bpf_link__pin %s: %s\n", prog, path, strerror(-err));
		return 1;
	}
	bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.on_exec), &info, &len);
	printf("loaded on_exec (id %u), attached to sched/sched_process_exec, link pinned at %s\n",
	       info.id, path);
	return 0;
}

static const char *find_trace_pipe(void)
{
	static const char *const candidates[] = {
		"/sys/kernel/tracing/trace_pipe",
		"/sys/kernel/debug/tracing/trace_pipe",
	};
	size_t i;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Print our program's lines from trace_pipe; other programs may share it. */
static void print_ours(char *buf, size_t len, char *line, size_t *line_len, size_t line_cap)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			if (*line_len < line_cap - 1)
				line[(*line_len)++] = buf[i];
			continue;
		}
		line[*line_len] = '\0';
		if (strstr(line, "bpf_trace_printk: exec "))
			printf("%s\n", line);
		*line_len = 0;
	}
	fflush(stdout);
}

static int follow(const char *path)
{
	double deadline = env.duration ? now() + env.duration : 0;
	char buf[4096], line[512];
	size_t line_len = 0;
	struct pollfd pfd;

	pfd.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (pfd.fd < 0 && errno == EBUSY) {
		fprintf(stderr, "%s: %s is busy: another program reads it "
			"(cat, bpftool prog tracelog); stop it and retry\n", prog, path);
		return 1;
	}
	if (pfd.fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	pfd.events = POLLIN;
	fprintf(stderr, "%s: following %s; Ctrl-C to stop\n", prog, path);
	while (!exiting && (!deadline || now() < deadline)) {
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(pfd.fd, buf, sizeof(buf));
		if (n > 0)
			print_ours(buf, n, line, &line_len, sizeof(line));
	}
	close(pfd.fd);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct ppid *skel = NULL;
	const char *trace_pipe;
	bool claimed = false;
	int err;

	err = parse_args(argc, argv);
	if (err)
		return err;
	if (!has_bpf_privileges()) {
		fprintf(stderr, "%s: needs root or CAP_BPF+CAP_PERFMON: run it with sudo\n", prog);
		return 1;
	}
	/* libbpf finds the tracepoint's id in tracefs, so attaching needs it too. */
	trace_pipe = find_trace_pipe();
	if (!trace_pipe) {
		fprintf(stderr, "%s: tracefs is not mounted: run 'sudo make setup' "
			"(or: mount -t tracefs tracefs /sys/kernel/tracing)\n", prog);
		return 1;
	}
	libbpf_set_print(print_libbpf_log);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (!env.follow) {
		if (claim_pin_dir())
			return 1;
		claimed = true;
	}
	err = 1;
	open_opts.btf_custom_path = env.btf_path;
	skel = ppid__open_opts(&open_opts);
	if (!skel) {
		fprintf(stderr, "%s: ppid__open_opts: %s\n", prog, strerror(errno));
		goto out;
	}
	if (ppid__load(skel)) {
		fprintf(stderr, "%s: ppid__load: %s\n", prog, strerror(errno));
		goto out;
	}
	if (ppid__attach(skel)) {
		fprintf(stderr, "%s: ppid__attach: %s\n", prog, strerror(errno));
		goto out;
	}
	err = env.follow ? follow(trace_pipe) : pin_link(skel);
out:
	/* The pinned link keeps the program attached; everything else goes. */
	ppid__destroy(skel);
	if (err && claimed)
		rmdir(env.pin_dir);
	return err;
}
