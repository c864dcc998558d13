// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exercise 06: lab 03's program, sending each exec to user space through a
 * BPF ring buffer instead of printing it into the shared trace_pipe.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "event.h"

/* TODO: a map called events, of type BPF_MAP_TYPE_RINGBUF, 256 KiB. */

SEC("tracepoint/sched/sched_process_exec")
int ex06_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int ppid = BPF_CORE_READ(task, real_parent, tgid);
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	/*
	 * TODO: instead of printing, reserve a struct event in the ring
	 * buffer, fill it in, and submit it (or drop it when the buffer is full).
	 */
	bpf_printk("exec %s ppid=%d", comm, ppid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
