/* SPDX-License-Identifier: MIT */
/* Exercise 06: what the BPF program sends to user space for each exec. */
#ifndef EVENT_H
#define EVENT_H

struct event {
	int ppid;
	char comm[16];
};

#endif
