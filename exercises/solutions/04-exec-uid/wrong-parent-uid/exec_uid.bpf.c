// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exercise 04: on every exec, print the new program's name and the user id
 * it runs as: "exec <comm> uid=<n>".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/sched/sched_process_exec")
int ex04_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int uid = -1;
	char comm[16];

	uid = BPF_CORE_READ(task, real_parent, cred, uid.val);
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exec %s uid=%d", comm, uid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
