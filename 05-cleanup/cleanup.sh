#!/usr/bin/env bash
# Lab 05: remove lab 04's pin, wait for the kernel to free the program, and
# check that the kernel holds as many programs as before lab 04.
#   PURGE=1  also remove the generated files (vmlinux.h, ppid.bpf.o, skeleton)
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "listing and unloading BPF programs"

purge() {
	[ "${PURGE:-0}" = 1 ] || return 0
	step "PURGE=1: remove what the labs generated"
	run rm -f "$BUILD/vmlinux.h" "$BUILD/ppid.bpf.o" "$BUILD/ppid.skel.h"
}

if [ ! -e "$PIN_DIR" ]; then
	echo "nothing to clean: no pin at $PIN_DIR"
	purge
	exit 0
fi

step "Before: what is pinned, and what the kernel holds"
run find "$PIN_DIR"
run "$BUILD/progcount" --list
run "$BUILD/progcount" --name on_exec
on_exec_before=$("$BUILD/progcount" --name on_exec)

step "Remove the pin: it held the last reference to the link, and the link to the program"
run rm -rf "$PIN_DIR"

step "The kernel frees the program in the background: wait until it is gone (5 s at most)"
show "$BUILD/progcount --name on_exec   # every 0.1 s, until it drops"
for _ in $(seq 50); do
	[ "$("$BUILD/progcount" --name on_exec)" -lt "$on_exec_before" ] && break
	sleep 0.1
done
run "$BUILD/progcount" --name on_exec

step "After: the kernel's program count against the one lab 04 recorded before loading"
after=$("$BUILD/progcount")
if [ -r "$BUILD/progcount.before" ]; then
	before=$(cat "$BUILD/progcount.before")
	echo "programs: $before before, $after after"
	if [ "$before" = "$after" ]; then
		ok "the kernel holds as many programs as before lab 04"
	else
		bad "the kernel holds $after programs, $before before lab 04 (another program may have come or gone meanwhile: run '$BUILD/progcount --list')"
	fi
	rm -f "$BUILD/progcount.before"
else
	echo "programs: $after now (lab 04 did not record a count before loading)"
fi
purge
