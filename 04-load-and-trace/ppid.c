// SPDX-License-Identifier: MIT
/*
 * ppid: load the lab-03 program (embedded by its skeleton), attach it to the
 * sched_process_exec tracepoint, then pin its link so it outlives this process
 * (as `bpftool prog loadall ... autoattach` does), or follow it until Ctrl-C.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "ppid.skel.h"

static const char tool[] = "ppid";

static const struct cli_option options[] = {
	{ 'p', "pin-dir", "DIR", "pin the link at DIR/on_exec (default /sys/fs/bpf/ppid)" },
	{ 'b', "btf", "FILE", "relocate against FILE's BTF, not the running kernel's" },
	{ 'v', "verbose", NULL, "print libbpf's debug log, with the CO-RE relocations" },
	{ 'f', "follow", NULL, "print its trace lines until Ctrl-C instead of pinning" },
	{ 'd', "duration", "S", "with --follow, stop after S seconds" },
	{},
};

static const struct cli cli = { tool, "", "load ppid.bpf.o and attach on_exec to "
	"tracepoint sched/sched_process_exec", options, 0 };

static const char *pin_dir = "/sys/fs/bpf/ppid", *btf_path;
static bool verbose, follow_lines;
static long duration;

static volatile sig_atomic_t exiting;	/* set by Ctrl-C, SIGTERM, and --duration's alarm */

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int parse_args(int argc, char **argv)
{
	const char *value;
	char *end;
	int key;

	while ((key = cli_next(&cli, argc, argv, &value))) {
		switch (key) {
		case 'p': pin_dir = value; break;
		case 'b': btf_path = value; break;
		case 'v': verbose = true; break;
		case 'f': follow_lines = true; break;
		case 'd':
			errno = 0;
			duration = strtol(value, &end, 10);
			if (errno || *end || duration <= 0 || duration > INT_MAX)
				return usage_error(tool, "--duration '%s' is not a positive number of seconds", value);
		}
	}
	if (duration && !follow_lines)
		return usage_error(tool, "--duration only makes sense with --follow", NULL);
	return 0;
}

/* Root has every capability; without root, CAP_BPF and CAP_PERFMON are enough. */
static bool has_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = {};
#define HAS(cap) (caps[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap))

	if (!syscall(SYS_capget, &hdr, caps) && (HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON))))
		return true;
	fprintf(stderr, "%s: needs root or CAP_BPF+CAP_PERFMON: run it with sudo\n", tool);
	return false;
}

/* libbpf finds the tracepoint's id in tracefs, so attaching needs it too. */
static const char *find_trace_pipe(void)
{
	if (access("/sys/kernel/tracing/trace_pipe", R_OK) == 0)
		return "/sys/kernel/tracing/trace_pipe";
	if (access("/sys/kernel/debug/tracing/trace_pipe", R_OK) == 0)
		return "/sys/kernel/debug/tracing/trace_pipe";
	fprintf(stderr, "%s: tracefs is not mounted: run 'sudo make setup' "
		"(or: mount -t tracefs tracefs /sys/kernel/tracing)\n", tool);
	return NULL;
}

static const char pins_need_bpffs[] =
	"%s: %s: %s; pins live on bpffs: run 'sudo make setup' (or: mount -t bpf bpf /sys/fs/bpf)\n";

/* mkdir is atomic: of two learners loading at once, one gets the directory. */
static int claim_pin_dir(void)
{
	if (mkdir(pin_dir, 0700) == 0)
		return 0;
	if (errno == EEXIST)
		fprintf(stderr, "%s: already loaded at %s — run 'make lab-05' first\n", tool, pin_dir);
	else
		fprintf(stderr, pins_need_bpffs, tool, pin_dir, strerror(errno));
	return 1;
}

/* The id is what bpftool and /proc/<pid>/fdinfo call this program by. */
static void say_loaded(const struct ppid *skel, const char *pin)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.on_exec), &info, &len);
	printf("loaded on_exec (id %u), attached to sched/sched_process_exec%s%s\n",
	       info.id, pin ? ", link pinned at " : "", pin ? pin : "");
}

/* trace_pipe as it comes, like bpftool prog tracelog: every bpf_printk on the machine. */
static int follow(const char *path)
{
	struct pollfd pfd = { .fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (pfd.fd < 0) {
		fprintf(stderr, "%s: open %s: %s%s\n", tool, path, strerror(errno),
			errno == EBUSY ? " (another reader has it: stop it and retry)" : "");
		return 1;
	}
	fprintf(stderr, "%s: following %s; Ctrl-C to stop\n", tool, path);
	alarm(duration);
	while (!exiting) {
		if (poll(&pfd, 1, 200) > 0 && (n = read(pfd.fd, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, n, stdout);
			fflush(stdout);
		}
	}
	close(pfd.fd);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	const char *trace_pipe;
	char pin_path[PATH_MAX];
	struct ppid *skel;
	int err = parse_args(argc, argv);

	if (err)
		return err;
	if (!has_bpf_privileges() || !(trace_pipe = find_trace_pipe()))
		return 1;
	libbpf_set_print(print_libbpf_log);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	if (!follow_lines && claim_pin_dir())
		return 1;
	snprintf(pin_path, sizeof(pin_path), "%s/on_exec", pin_dir);

	err = 1;
	open_opts.btf_custom_path = btf_path;
	skel = ppid__open_opts(&open_opts);
	if (!skel)
		fprintf(stderr, "%s: ppid__open_opts: %s\n", tool, strerror(errno));
	else if (ppid__load(skel))
		fprintf(stderr, "%s: ppid__load: %s\n", tool, strerror(errno));
	else if (ppid__attach(skel))
		fprintf(stderr, "%s: ppid__attach: %s\n", tool, strerror(errno));
	else if (!follow_lines && bpf_link__pin(skel->links.on_exec, pin_path))
		fprintf(stderr, pins_need_bpffs, tool, pin_path, strerror(errno)); /* libbpf says why */
	else {
		say_loaded(skel, follow_lines ? NULL : pin_path);
		err = follow_lines ? follow(trace_pipe) : 0;
	}

	/* The pinned link keeps the program attached; everything else goes. */
	ppid__destroy(skel);
	if (err && !follow_lines)
		rmdir(pin_dir);
	return err;
}
