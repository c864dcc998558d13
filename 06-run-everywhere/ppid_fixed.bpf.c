// SPDX-License-Identifier: GPL-2.0-only
/*
 * ppid without CO-RE: the same program as lab 03's, but reading
 * task->real_parent->tgid at offsets frozen at build time (make passes the
 * build machine's, from its BTF). Right on that machine, wrong elsewhere.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef REAL_PARENT_OFFSET
#error "build with -DREAL_PARENT_OFFSET=<bytes> -DTGID_OFFSET=<bytes>"
#endif

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	/* Plain byte arithmetic: clang records no relocation, libbpf patches nothing. */
	char *task = (char *)bpf_get_current_task();
	char *parent = NULL;
	int ppid = 0;
	char comm[16];

	bpf_probe_read_kernel(&parent, sizeof(parent), task + REAL_PARENT_OFFSET);
	bpf_probe_read_kernel(&ppid, sizeof(ppid), parent + TGID_OFFSET);
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exec %s ppid=%d", comm, ppid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
