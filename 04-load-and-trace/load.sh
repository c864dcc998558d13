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

loader=${LOADER:-}
case "$loader" in
"")
	if bpftool_has_autoattach; then
		loader=bpftool
		echo "loader: bpftool — 'bpftool prog help' lists autoattach"
	else
		loader=skeleton
		echo "loader: skeleton ($BUILD/ppid) — this bpftool cannot autoattach (it needs bpftool 7.2 or newer)"
	fi
	;;
bpftool)
	bpftool_has_autoattach ||
		die "this bpftool cannot autoattach (bpftool 7.2 or newer can): use LOADER=skeleton, or run 'sudo make setup'"
	echo "loader: bpftool (LOADER=bpftool)"
	;;
skeleton) echo "loader: skeleton (LOADER=skeleton)" ;;
*) die "LOADER must be bpftool or skeleton, not '$loader'" ;;
esac

# Lab 05 compares against this: the kernel's program count before we load.
if [ ! -e "$PIN_DIR" ]; then
	"$BUILD/progcount" >"$BUILD/progcount.before"
fi

if [ "$loader" = bpftool ]; then
	step "Load and attach with bpftool; the pin keeps the program alive after bpftool exits"
	# mkdir is atomic: of two learners loading at once, one gets the directory.
	mkdir "$PIN_DIR" 2>/dev/null || die "already loaded at $PIN_DIR — run 'make lab-05' first"
	# Interrupted or failed, bpftool leaves at most the empty directory: remove it.
	trap 'rmdir "$PIN_DIR" 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
	run bpftool prog loadall "$BUILD/ppid.bpf.o" "$PIN_DIR" autoattach
	trap - EXIT INT TERM
else
	step "Load and attach with the skeleton loader; it pins the link the way autoattach does"
	run "$BUILD/ppid" --pin-dir "$PIN_DIR"
fi

step "What is pinned: one link, named after the program"
run ls -l "$PIN_DIR"
