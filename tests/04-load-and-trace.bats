#!/usr/bin/env bats
# Lab 04: both loaders, checked with bpftool's view of the kernel, /proc and
# the shell's own $$, never with the loader's own words.

load helpers

setup() {
	require_root
	require_btf
	require_cmd bpftool
	require_cmd jq
	export PIN_DIR=/sys/fs/bpf/btf_core_labs_test_$$
	BEFORE=$(bpftool_prog_count on_exec)
}

teardown() {
	rm -rf "$PIN_DIR"
	rm -f "$BUILD_DIR/lab04-pins/${PIN_DIR//\//%}"
	[ -z "${BEFORE:-}" ] || wait_prog_count on_exec "$BEFORE"
}

load_with() {
	LOADER=$1 run "$TOP/04-load-and-trace/load.sh"
}

# The id of the program behind the pinned link, from bpftool.
pinned_prog_id() { link_prog_id "$PIN_DIR/on_exec"; }

assert_loaded_once() {
	assert_success
	[ -e "$PIN_DIR/on_exec" ] || fail "no pin at $PIN_DIR/on_exec"
	assert_equal "$(bpftool_prog_count on_exec)" "$((BEFORE + 1))"
	id=$(pinned_prog_id)
	[ -n "$id" ]
	what=$(bpftool -j prog show id "$id" | jq -r '.type + " " + .name')
	assert_equal "$what" "tracepoint on_exec"
}

# Start a uniquely named child from a shell whose pid we know, and check the
# ppid on_exec printed for it.
assert_traces_right_ppid() {
	probe=$BATS_TEST_TMPDIR/t04_$$
	ln -s "$(type -P true)" "$probe"
	start_trace_reader "exec t04_$$ " 1 "$BATS_TEST_TMPDIR/trace"
	parent=$(bash -c 'echo $$; "$1"; :' _ "$probe")
	wait "$TRACE_READER" || true
	run cat "$BATS_TEST_TMPDIR/trace"
	assert_output --regexp "bpf_trace_printk: exec t04_$$ ppid=$parent$"
}

@test "bpftool loader: one tracepoint program named on_exec, behind the pinned link" {
	skip_unless "this bpftool cannot autoattach" bpftool_has_autoattach_here
	load_with bpftool
	assert_loaded_once
	assert_line "\$ bpftool prog loadall $BUILD_REL/ppid.bpf.o $PIN_DIR autoattach"
}

@test "skeleton loader: one tracepoint program named on_exec, behind the pinned link" {
	load_with skeleton
	assert_loaded_once
	assert_line "\$ $BUILD_REL/ppid --pin-dir $PIN_DIR"
}

@test "bpftool loader: a uniquely named process shows up with its real parent's pid" {
	skip_unless "this bpftool cannot autoattach" bpftool_has_autoattach_here
	load_with bpftool
	assert_success
	assert_traces_right_ppid
}

@test "skeleton loader: a uniquely named process shows up with its real parent's pid" {
	load_with skeleton
	assert_success
	assert_traces_right_ppid
}

# Load with the skeleton, then again with LOADER: the second load must fail
# with the stated message and leave the first one alone.
assert_second_load_refused() {
	load_with skeleton
	assert_success
	first=$(pinned_prog_id)
	[ -n "$first" ]
	load_with "$1"
	assert_failure 1
	assert_line --partial "already loaded at $PIN_DIR — run 'make lab-05"
	assert_equal "$(pinned_prog_id)" "$first"
	assert_equal "$(bpftool_prog_count on_exec)" "$((BEFORE + 1))"
}

@test "skeleton loader, loading twice: the stated message, the first load left alone" {
	assert_second_load_refused skeleton
}

@test "bpftool loader, loading twice: the stated message, the first load left alone" {
	skip_unless "this bpftool cannot autoattach" bpftool_has_autoattach_here
	assert_second_load_refused bpftool
}

@test "without autoattach in bpftool, load.sh picks the skeleton and says why" {
	fake=$BATS_TEST_TMPDIR/bin
	mkdir -p "$fake"
	# An old bpftool: the same program, but its help does not list autoattach.
	printf '#!/bin/sh\n[ "$1 $2" = "prog help" ] && { echo "Usage: bpftool prog load OBJ PATH"; exit 0; }\nexec %s "$@"\n' \
		"$(command -v bpftool)" >"$fake/bpftool"
	chmod +x "$fake/bpftool"
	PATH=$fake:$PATH run "$TOP/04-load-and-trace/load.sh"
	assert_loaded_once
	assert_line --partial "loader: skeleton ($BUILD_REL/ppid) — this bpftool cannot autoattach"
	rm -rf "$PIN_DIR"
	wait_prog_count on_exec "$BEFORE"
	PATH=$fake:$PATH LOADER=bpftool run "$TOP/04-load-and-trace/load.sh"
	assert_failure 1
	assert_output --partial "this bpftool cannot autoattach"
	[ ! -e "$PIN_DIR" ]
}

# Every path under bpffs, to compare before and after: ppid --follow is not
# given a pin directory, so no single path would show a pin it left.
bpffs_paths() { find /sys/fs/bpf | sort; }

@test "--follow --duration 2 prints our lines, then leaves no program and no pin" {
	probe=$BATS_TEST_TMPDIR/f04_$$
	ln -s "$(type -P true)" "$probe"
	bpffs_paths >"$BATS_TEST_TMPDIR/bpffs.before"
	"$BUILD_DIR/ppid" --follow --duration 2 >"$BATS_TEST_TMPDIR/out" 2>/dev/null &
	follower=$!
	wait_prog_count on_exec "$((BEFORE + 1))"
	parent=$(bash -c 'echo $$; "$1"; :' _ "$probe")
	wait "$follower"
	run grep "exec f04_$$ " "$BATS_TEST_TMPDIR/out"
	assert_output --regexp "ppid=$parent$"
	wait_prog_count on_exec "$BEFORE"
	bpffs_paths >"$BATS_TEST_TMPDIR/bpffs.after"
	run diff "$BATS_TEST_TMPDIR/bpffs.before" "$BATS_TEST_TMPDIR/bpffs.after"
	assert_success
}

@test "a child forked by a second thread: the ppid is its process's pid (tgid), not the thread's" {
	load_with skeleton
	assert_success
	probe=$BATS_TEST_TMPDIR/th04_$$
	ln -s "$(type -P true)" "$probe"
	start_trace_reader "exec th04_$$ " 1 "$BATS_TEST_TMPDIR/trace"
	python3 -c 'import os, subprocess, sys, threading
def fork_the_probe():
    print(os.getpid(), threading.get_native_id(), flush=True)
    subprocess.run([sys.argv[1]], check=True)
thread = threading.Thread(target=fork_the_probe)
thread.start()
thread.join()' "$probe" >"$BATS_TEST_TMPDIR/ids"
	wait "$TRACE_READER" || true
	read -r pid tid <"$BATS_TEST_TMPDIR/ids"
	[ -n "$pid" ] && [ -n "$tid" ] && [ "$pid" != "$tid" ]
	run cat "$BATS_TEST_TMPDIR/trace"
	assert_output --regexp "bpf_trace_printk: exec th04_$$ ppid=$pid$"
}

@test "not root: the loader says what it needs, exit 1" {
	run_as_nobody build/ppid -- build/ppid
	assert_failure 1
	assert_output "ppid: needs root or CAP_BPF+CAP_PERFMON: run it with sudo"
	assert_equal "$(bpftool_prog_count on_exec)" "$BEFORE"
}

@test "root with every capability dropped: the same message, exit 1" {
	run setpriv --bounding-set=-all --inh-caps=-all "$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	assert_failure 1
	assert_output "ppid: needs root or CAP_BPF+CAP_PERFMON: run it with sudo"
	[ ! -e "$PIN_DIR" ]
}

@test "not root: load.sh says so, exit 1" {
	run_as_nobody 04-load-and-trace/load.sh common/lib.sh -- 04-load-and-trace/load.sh
	assert_failure 1
	assert_output "error: loading a BPF program needs root: run it with sudo"
}

@test "trace.sh: the ppid it traced is its known parent's pid, found in the process table" {
	load_with skeleton
	assert_success
	stats=$(sysctl -n kernel.bpf_stats_enabled)
	"$TOP/04-load-and-trace/trace.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	script=$!
	# The known parent is trace.sh's child while it runs (at least 0.6 s).
	parent=
	for _ in $(seq 200); do
		parent=$(pgrep -P "$script" -f known_parent.sh) && break
		sleep 0.02
	done
	status=0
	wait "$script" || status=$?
	run cat "$BATS_TEST_TMPDIR/out"
	[ -n "$parent" ] || fail "known_parent.sh never ran"
	assert_equal "$status" 0
	traced=$(grep -c 'bpf_trace_printk: exec lab04_[0-9]* ppid=' "$BATS_TEST_TMPDIR/out")
	[ "$traced" -ge 1 ]
	assert_equal "$(grep -c "bpf_trace_printk: exec lab04_[0-9]* ppid=$parent$" "$BATS_TEST_TMPDIR/out")" "$traced"
	assert_line --regexp "^✔ traced ppid=$parent;"
	assert_line --regexp '^run_cnt=[0-9]+ run_time_ns=[0-9]+: [0-9]+ ns per exec$'
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$stats"
	# The last line: what stays, by the id bpftool finds behind the pin, and the next step.
	id=$(pinned_prog_id)
	[ -n "$id" ] || fail "nothing pinned at $PIN_DIR after trace.sh"
	assert_equal "${lines[-1]}" "on_exec (program $id) stays loaded and pinned at $PIN_DIR, as lab 04 leaves it. Next: make lab-05 PIN_DIR=$PIN_DIR"
}
