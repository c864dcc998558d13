// SPDX-License-Identifier: GPL-2.0-only
/* ppid: on every exec, print the new program's name and its parent's pid. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/*
	 * Not a load from a fixed offset: clang records "field real_parent of
	 * task_struct, then field tgid", and libbpf writes this kernel's offsets
	 * into the instructions when it loads the program.
	 */
	int ppid = BPF_CORE_READ(task, real_parent, tgid);
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exec %s ppid=%d", comm, ppid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
