// SPDX-License-Identifier: GPL-2.0-only
/* Exercise 07: a program to clean up after; it does nothing on each exec. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/sched/sched_process_exec")
int ex07_exec(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
