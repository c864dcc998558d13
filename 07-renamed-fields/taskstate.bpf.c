// SPDX-License-Identifier: GPL-2.0-only
/*
 * taskstate: on every exec, send the new program's name, its parent's pid and
 * the parent's scheduler state. Linux 5.14 renamed task_struct.state (a long)
 * to __state (an unsigned int): this program runs on kernels on both sides.
 * Built with -DUNGUARDED it reads __state only, and cannot load on 5.10.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "taskstate.h"

/*
 * The kernel before 5.14, as far as this program cares. libbpf drops the
 * "___old" suffix when it looks for the type in the kernel's BTF, so this
 * describes "a task_struct that has a field called state".
 */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

static long task_state(struct task_struct *task)
{
#ifdef UNGUARDED
	return BPF_CORE_READ(task, __state);
#else
	/* A constant libbpf writes in at load time: 1 if this kernel has __state. */
	if (bpf_core_field_exists(task->__state))
		return BPF_CORE_READ(task, __state);
	return BPF_CORE_READ((struct task_struct___old *)task, state);
#endif
}

/*
 * bpf_get_current_task_btf() arrived in 5.11: 5.10's enum bpf_func_id has no
 * BPF_FUNC_get_current_task_btf. On such a kernel libbpf writes 0 here and
 * the verifier drops the call it could not check.
 */
static struct task_struct *current_task(__u32 *task_btf)
{
	*task_btf = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf);
	if (*task_btf)
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int taskstate_exec(void *ctx)
{
	struct task_struct *task, *parent;
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	task = current_task(&e->task_btf);
	parent = BPF_CORE_READ(task, real_parent);
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(parent, tgid);
	e->parent_state = task_state(parent);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
