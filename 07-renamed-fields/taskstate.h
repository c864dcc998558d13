/* SPDX-License-Identifier: MIT */
#ifndef TASKSTATE_H
#define TASKSTATE_H

/* One exec, as the BPF program sends it to the loader through the ring buffer. */
struct event {
	__s64 parent_state;	/* the parent's task_struct state: 1 is TASK_INTERRUPTIBLE */
	__u32 pid;
	__u32 ppid;
	__u32 task_btf;		/* 1: the task came from bpf_get_current_task_btf() */
	char comm[16];
};

#endif
