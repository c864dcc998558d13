// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exercise 05: when a process exits, print its name and its exit code, the
 * number its parent shell shows as $?: "exit <comm> code=<n>".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* TODO: the tracepoint that fires when a process exits (lab 04 names exec's). */
SEC("tracepoint/sched/sched_process_exec")
int ex05_exit(void *ctx)
{
	int code = -1;
	char comm[16];

	/*
	 * TODO: read the exit code the kernel stored in the exiting task (the
	 * current task). What the kernel keeps there is more than what $? shows.
	 */
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exit %s code=%d", comm, code);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
