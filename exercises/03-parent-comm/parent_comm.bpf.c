// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exercise 03: on every exec, print the new program's name, its parent's pid
 * and its parent's name: "exec <comm> ppid=<n> parent=<parent's comm>".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/sched/sched_process_exec")
int ex03_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int ppid = BPF_CORE_READ(task, real_parent, tgid);
	char comm[16];
	char parent[16] = "";

	bpf_get_current_comm(comm, sizeof(comm));
	/*
	 * TODO: copy the parent's name into parent[]. The parent is the same
	 * task_struct the ppid above is read from; its name is a field of it.
	 */
	bpf_printk("exec %s ppid=%d parent=%s", comm, ppid, parent);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
