#!/usr/bin/env bash
# Lab 04, step 1: load ppid.bpf.o into the running kernel, attach it to its
# tracepoint, and pin it so it stays after the loader exits.
#   LOADER=bpftool   bpftool prog loadall ... autoattach (bpftool 7.2 or newer)
#   LOADER=skeleton  the lab's own libbpf loader, build/ppid
#   unset            bpftool when it can autoattach, the skeleton otherwise
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "loading a BPF program"
require_btf
mount_bpffs
mount_tracefs
loader=$(choose_loader)
claim_pin_dir "$loader"
programs_before=$("$BUILD/progcount")

if [ "$loader" = bpftool ]; then
	step "Load and attach with bpftool; the pin keeps the program alive after bpftool exits"
	run bpftool prog loadall "$BUILD/ppid.bpf.o" "$PIN_DIR" autoattach
else
	step "Load and attach with the skeleton loader; it pins the link the way autoattach does"
	run "$BUILD/ppid" --pin-dir "$PIN_DIR"
fi
lab04_loaded "$programs_before"

step "What is pinned: one link, named after the program"
run ls -l "$PIN_DIR"
run bpftool link show pinned "$PIN_DIR/on_exec" || true # bpftool 7.5 exits 255 even then
echo "  the link leads to program $lab04_prog_id: lab 05 checks that this id, and only this one, is gone"
