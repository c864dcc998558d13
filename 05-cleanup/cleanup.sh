#!/usr/bin/env bash
# Lab 05: remove lab 04's pin, wait for the kernel to free lab 04's program,
# and check, by the program's id, that it is gone.
#   PURGE=1  also remove the generated files (vmlinux.h, ppid.bpf.o, skeleton)
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "listing and unloading BPF programs"
check_pin_dir

purge() {
	[ "${PURGE:-0}" = 1 ] || return 0
	step "PURGE=1: remove what the labs generated"
	run rm -f "$BUILD/vmlinux.h" "$BUILD/ppid.bpf.o" "$BUILD/ppid.skel.h"
}

if [ ! -e "$PIN_DIR" ]; then
	echo "nothing to clean: no pin at $PIN_DIR"
	forget_lab04_record
	purge
	exit 0
fi

step "Before: what is pinned, and what the kernel holds"
run find "$PIN_DIR"
run bpftool link show pinned "$PIN_DIR/on_exec" || true # bpftool 7.5 exits 255 even then
run "$BUILD/progcount" --list
recorded=$(lab04_recorded_prog_id)
id=${recorded:-$(pinned_prog_id)}
echo "  lab 04's program is id ${id:-unknown}${recorded:+ (lab 04 wrote it down when it loaded it)}"

step "Remove the pin: it held the last reference to the link, and the link to the program"
release_pin_dir "$recorded"

step "The kernel frees the program in the background: wait until program $id is gone (5 s at most)"
status=0
if wait_prog_gone "$id"; then
	ok "program $id, lab 04's on_exec, is gone: bpftool prog show id $id finds nothing"
else
	bad "program $id is still loaded 5 s after its pin went: something else holds it (bpftool prog show id $id; bpftool link show)"
	status=1
fi

step "After: the kernel's program count, next to the one lab 04 saw before loading"
after=$("$BUILD/progcount")
before=$(lab04_recorded programs_before)
if [ -n "$before" ]; then
	echo "programs: $before before, $after after"
	if [ "$before" = "$after" ]; then
		ok "the kernel holds as many programs as before lab 04"
	else
		echo "  the total moved: other software or another learner loaded or unloaded programs meanwhile;"
		echo "  the verdict above is about lab 04's own program, which is what lab 05 removes"
	fi
else
	echo "programs: $after now (lab 04 did not record a count before loading)"
fi
run ls "$(dirname "$PIN_DIR")"
echo "  maps.debug and progs.debug, if listed, are the kernel's own: BPF iterators bpffs makes at"
echo "  mount time (cat $(dirname "$PIN_DIR")/progs.debug lists programs); no lab made them"
forget_lab04_record
purge
say_next_step "$status" "make check-05 (this lab's tests); then the exercises (exercises/README.md), or the bonus labs: make lab-06, make lab-07"
exit "$status"
