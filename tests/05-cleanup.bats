#!/usr/bin/env bats
# Lab 05: progcount against bpftool's program list, and cleanup.sh against
# bpftool's view of what is loaded and pinned.

load helpers

setup() {
	require_root
	require_cmd bpftool
	require_cmd jq
	export PIN_DIR=/sys/fs/bpf/btf_core_labs_test_$$
	OTHER_PIN=/sys/fs/bpf/btf_core_labs_other_$$
	BEFORE=$(bpftool_prog_count on_exec)
}

teardown() {
	rm -rf "$PIN_DIR" "$OTHER_PIN"
	rm -f "$BUILD_DIR/lab04-pins/${PIN_DIR//\//%}" "$BUILD_DIR/lab04-pins/${OTHER_PIN//\//%}"
	[ -z "${BEFORE:-}" ] || wait_prog_count on_exec "$BEFORE"
}

# Run CMD and bpftool back to back until they agree (programs may come and
# go in between); fail with both answers after three tries.
agrees_with_bpftool() {
	local jq_filter=$1 ours theirs
	shift
	for _ in 1 2 3; do
		ours=$("$@")
		theirs=$(bpftool -j prog show | jq -r "$jq_filter")
		[ -n "$theirs" ] || fail "bpftool listed nothing"
		[ "$ours" = "$theirs" ] && return 0
	done
	fail "progcount said '$ours', bpftool '$theirs'"
}

@test "progcount's total equals the number of ids bpftool lists" {
	"$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	agrees_with_bpftool 'length' "$BUILD_DIR/progcount"
}

@test "progcount --name on_exec equals bpftool's count of that name" {
	"$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	# A program of another name too (loaded, never attached): counting by
	# name must not be the same as counting every program.
	printf '%s\n' '__attribute__((section("tracepoint/x"), used)) int not_on_exec(void *ctx) { return 0; }' \
		'char LICENSE[] __attribute__((section("license"), used)) = "GPL";' |
		clang -O2 -target bpf -c -x c - -o "$BATS_TEST_TMPDIR/other.bpf.o"
	bpftool prog load "$BATS_TEST_TMPDIR/other.bpf.o" "$OTHER_PIN"
	[ "$(bpftool -j prog show | jq length)" -gt "$(bpftool_prog_count on_exec)" ]
	agrees_with_bpftool '[.[] | select(.name == "on_exec")] | length' "$BUILD_DIR/progcount" --name on_exec
}

@test "progcount --list gives bpftool's ids, types and names" {
	"$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	agrees_with_bpftool '.[] | "\(.id) \(.type) \(.name)"' "$BUILD_DIR/progcount" --list
}

@test "lab 04 then lab 05: on_exec goes up by one and back, the total returns, the pin is gone" {
	total=$(bpftool -j prog show | jq length)
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	assert_equal "$(bpftool_prog_count on_exec)" "$((BEFORE + 1))"
	run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	assert_line "programs: $total before, $total after"
	assert_line --partial "✔ the kernel holds as many programs as before lab 04"
	[ ! -e "$PIN_DIR" ]
	assert_equal "$(bpftool_prog_count on_exec)" "$BEFORE"
	total_after=$(bpftool -j prog show | jq length)
	assert_equal "$total_after" "$total"
}

@test "a second cleanup says there is nothing to clean, exit 0" {
	"$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	[ -e "$PIN_DIR/on_exec" ]
	run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	[ ! -e "$PIN_DIR" ]
	wait_prog_count on_exec "$BEFORE"
	run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	assert_output "nothing to clean: no pin at $PIN_DIR"
}

@test "a pin outside the lab's directory survives cleanup" {
	"$BUILD_DIR/ppid" --pin-dir "$OTHER_PIN"
	other_id=$(link_prog_id "$OTHER_PIN/on_exec")
	[ -n "$other_id" ]
	"$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	[ ! -e "$PIN_DIR" ]
	[ -e "$OTHER_PIN/on_exec" ]
	run bpftool prog show id "$other_id"
	assert_success
	assert_output --partial "name on_exec"
}

@test "PURGE=1 removes the generated files, and only those" {
	build=$BATS_TEST_TMPDIR/build
	mkdir "$build"
	cp "$BUILD_DIR/progcount" "$BUILD_DIR/ppid" "$build/"
	touch "$build/vmlinux.h" "$build/ppid.bpf.o" "$build/ppid.skel.h"
	BUILD_DIR=$build PURGE=1 run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	run ls "$build"
	assert_output "$(printf 'ppid\nprogcount')"
}

@test "progcount as a user without privileges: one line, exit 1" {
	run_as_nobody build/progcount -- build/progcount
	assert_failure 1
	assert_output "progcount: needs root or CAP_BPF+CAP_PERFMON to list programs: run it with sudo"
}

@test "progcount with an unknown option: one line, exit 2" {
	run "$BUILD_DIR/progcount" --bogus
	assert_failure 2
	assert_output "progcount: unknown option '--bogus'; see 'progcount --help'"
}
