#!/usr/bin/python3
# The ppid tracer the BCC way, for make bench: the C source travels inside the
# tool and is compiled here, at start, against this kernel's headers
# (/lib/modules/$(uname -r)/build). CO-RE compiles once, elsewhere.
from bcc import BPF

PROGRAM = r"""
#include <linux/sched.h>

TRACEPOINT_PROBE(sched, sched_process_exec)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    char comm[TASK_COMM_LEN];

    bpf_get_current_comm(&comm, sizeof(comm));
    bpf_trace_printk("exec %s ppid=%d\n", comm, task->real_parent->tgid);
    return 0;
}
"""

tracer = BPF(text=PROGRAM)
try:
    tracer.trace_print()
except KeyboardInterrupt:
    pass
