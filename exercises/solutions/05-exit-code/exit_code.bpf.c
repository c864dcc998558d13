// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exercise 05: when a process exits, print its name and its exit code, the
 * number its parent shell shows as $?: "exit <comm> code=<n>".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/sched/sched_process_exit")
int ex05_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int code = -1;
	char comm[16];

	/* exit_code holds the wait status: the code is its second byte. */
	code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exit %s code=%d", comm, code);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
