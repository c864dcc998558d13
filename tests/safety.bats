#!/usr/bin/env bats
# Safe as root: every step that removes, mounts, kills or switches something
# machine-wide gets hostile values (/, the bpffs mount point, a home, empty,
# spaces, '..', a symlink pointing elsewhere) and must touch nothing but its
# own. Each test compares the victim's files before and after, never the
# script's own words alone.

load helpers

setup() {
	require_root
	require_cmd bpftool
	require_cmd jq
	# A stand-in for a learner's home, with something precious in it.
	VICTIM=$BATS_TEST_TMPDIR/home/victim
	mkdir -p "$VICTIM/important"
	echo precious >"$VICTIM/important/file"
	OUR_PIN=/sys/fs/bpf/btf_core_labs_safety_$$
	LINK=/sys/fs/bpf/btf_core_labs_safety_link_$$
	BPFFS_BEFORE=$(ls -A /sys/fs/bpf)
	BEFORE=$(bpftool_prog_count on_exec)
}

teardown() {
	rm -f "$LINK" "$OUR_PIN/on_exec" "$OUR_PIN/other" "${OUR_PIN}_2/on_exec"
	rmdir "$OUR_PIN" "${OUR_PIN}_2" 2>/dev/null || true
	rm -f "$BUILD_DIR/lab04-pins/${OUR_PIN//\//%}"
	[ -z "${BEFORE:-}" ] || wait_prog_count on_exec "$BEFORE"
}

# A listing of every file under DIR with its content hash, to compare.
tree_state() {
	find "$1" -printf '%p %y %m\n' | sort
	find "$1" -type f -exec sha256sum {} + | sort
}

# The hostile PIN_DIR values, one per line.
hostile_pin_dirs() {
	printf '%s\n' / /sys/fs/bpf /sys/fs/bpf/ "$HOME" "$VICTIM" "" "/sys/fs/bpf/a b" \
		"/sys/fs/bpf/x/../.." "/sys/fs/bpf/.." "$LINK" "$LINK/sub" relative/dir
}

# SCRIPT with each hostile PIN_DIR: exit 2, one line naming PIN_DIR, and
# the victim, the home and bpffs exactly as they were.
# shellcheck disable=SC2154  # bats's run sets stderr and stderr_lines
assert_refuses_hostile_pin_dirs() {
	local script=$1 dir count=0 victim_before
	ln -s "$VICTIM" "$LINK"
	victim_before=$(tree_state "$VICTIM")
	while IFS= read -r dir; do
		PIN_DIR=$dir run --separate-stderr "$TOP/$script"
		[ "$status" -eq 2 ] || fail "$script PIN_DIR='$dir': exit $status, expected 2; $stderr"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$script PIN_DIR='$dir': ${#stderr_lines[@]} lines: $stderr"
		[[ $stderr == "error: PIN_DIR="* ]] || fail "$script PIN_DIR='$dir': $stderr"
		assert_equal "$(tree_state "$VICTIM")" "$victim_before"
		count=$((count + 1))
	done < <(hostile_pin_dirs)
	assert_equal "$count" 12
	rm "$LINK"
	assert_equal "$(ls -A /sys/fs/bpf)" "$BPFFS_BEFORE"
}

@test "the ~/victim case: make lab-05 PIN_DIR=~/victim refuses in one line, the directory untouched" {
	before=$(tree_state "$VICTIM")
	run --separate-stderr make -s -C "$TOP" lab-05 PIN_DIR="$VICTIM"
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "Makefile:"*" *** PIN_DIR=$VICTIM: $(dirname "$VICTIM") is not in a mounted bpffs. PIN_DIR takes a directory for lab 04's pin inside a mounted bpffs, below its mount point, e.g. /sys/fs/bpf/ppid_$(id -un).  Stop." ]] ||
		fail "$stderr"
	assert_equal "$(tree_state "$VICTIM")" "$before"
	# The script itself refuses too, when run without make.
	PIN_DIR=$VICTIM run --separate-stderr "$TOP/05-cleanup/cleanup.sh"
	assert_failure 2
	assert_equal "$stderr" "error: PIN_DIR=$VICTIM: $(dirname "$VICTIM") is not in a mounted bpffs. PIN_DIR takes a directory for lab 04's pin inside a mounted bpffs, below its mount point, e.g. /sys/fs/bpf/ppid_$(id -un)"
	assert_equal "$(tree_state "$VICTIM")" "$before"
}

@test "lab 05 (rm of the pin, rmdir): every hostile PIN_DIR refused, nothing touched" {
	assert_refuses_hostile_pin_dirs 05-cleanup/cleanup.sh
}

@test "lab 04 (mkdir, pin, undo on Ctrl-C): every hostile PIN_DIR refused, nothing loaded" {
	assert_refuses_hostile_pin_dirs 04-load-and-trace/load.sh
	assert_equal "$(bpftool_prog_count on_exec)" "$BEFORE"
}

@test "trace.sh (kill of its reader, sysctl): every hostile PIN_DIR refused, the sysctl untouched" {
	stats=$(sysctl -n kernel.bpf_stats_enabled)
	assert_refuses_hostile_pin_dirs 04-load-and-trace/trace.sh
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$stats"
}

@test "lab 05 removes only on_exec, by name: another pin in PIN_DIR stays, and so does the directory" {
	PIN_DIR=$OUR_PIN run "$TOP/04-load-and-trace/load.sh"
	assert_success
	bpftool map create "$OUR_PIN/other" type array key 4 value 4 entries 1 name safety_other
	map_id=$(bpftool -j map show pinned "$OUR_PIN/other" | jq .id)
	PIN_DIR=$OUR_PIN run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	assert_line "warning: left $OUR_PIN in place: it also holds other, which lab 04 did not pin"
	[ ! -e "$OUR_PIN/on_exec" ] || fail "on_exec is still pinned"
	run bpftool -j map show pinned "$OUR_PIN/other"
	assert_output --partial "\"id\":$map_id"
	wait_prog_count on_exec "$BEFORE"
}

@test "lab 05 leaves a link that leads to another program than lab 04 recorded" {
	PIN_DIR=$OUR_PIN run "$TOP/04-load-and-trace/load.sh"
	assert_success
	# The record names another live program: a second copy, pinned elsewhere.
	"$BUILD_DIR/ppid" --pin-dir "${OUR_PIN}_2" >/dev/null
	other=$(link_prog_id "${OUR_PIN}_2/on_exec")
	record=$BUILD_DIR/lab04-pins/${OUR_PIN//\//%}
	sed -i "s/prog_id=[0-9]*/prog_id=$other/" "$record"
	PIN_DIR=$OUR_PIN run "$TOP/05-cleanup/cleanup.sh"
	assert_failure 1
	assert_line --partial "is not a link to lab 04's program $other: left it alone"
	[ -e "$OUR_PIN/on_exec" ] || fail "the pin was removed"
	assert_equal "$(bpftool_prog_count on_exec)" "$((BEFORE + 2))"
}

# A copy of the checkout, where make clean may do its worst; a fake rm that
# logs and refuses, so that a broken guard cannot remove anything.
clean_in_copy() {
	COPY=$BATS_TEST_TMPDIR/clone
	mkdir -p "$COPY"
	tar -C "$TOP" --exclude=./build --exclude='./build-*' --exclude=./.git -c . | tar -x -C "$COPY"
	FAKE=$BATS_TEST_TMPDIR/bin
	mkdir -p "$FAKE"
	printf '#!/bin/sh\necho "$*" >>%s/rm.calls\nexit 1\n' "$BATS_TEST_TMPDIR" >"$FAKE/rm"
	chmod +x "$FAKE/rm"
}

@test "make clean: hostile BUILD values are refused in one line, rm is never called" {
	clean_in_copy
	ln -s "$VICTIM" "$COPY/build-link"
	mkdir "$COPY/build-elsewhere-marked"
	before=$(tree_state "$VICTIM")
	count=0
	for value in / "$HOME" "$VICTIM" . .. build/../.. "" "a b" build-link tests common; do
		PATH=$FAKE:$PATH run --separate-stderr make -s -C "$COPY" clean BUILD="$value"
		[ "$status" -eq 2 ] || fail "BUILD='$value': exit $status, expected 2; $output $stderr"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "BUILD='$value': $stderr"
		[[ $stderr == *"BUILD"* ]] || fail "BUILD='$value': $stderr"
		count=$((count + 1))
	done
	assert_equal "$count" 11
	[ ! -e "$BATS_TEST_TMPDIR/rm.calls" ] || fail "rm was called: $(cat "$BATS_TEST_TMPDIR/rm.calls")"
	assert_equal "$(tree_state "$VICTIM")" "$before"
	[ -f "$COPY/common/lib.sh" ] && [ -f "$COPY/tests/helpers.bash" ]
}

@test "make clean outside the checkout: only when told plainly, and only a build dir make made" {
	clean_in_copy
	out=$BATS_TEST_TMPDIR/outside-build
	mkdir "$out"
	run --separate-stderr make -s -C "$COPY" clean BUILD="$out" CLEAN_OUTSIDE_CHECKOUT=yes
	assert_failure 2
	[[ $stderr == *"*** BUILD=$out has no .btf-core-labs-build: this project's make did not create it, so make clean leaves it alone.  Stop." ]] || fail "$stderr"
	rmdir "$out"
	make -s -C "$COPY" "$out" BUILD="$out" >/dev/null
	[ -e "$out/.btf-core-labs-build" ] || fail "make did not mark $out"
	run --separate-stderr make -s -C "$COPY" clean BUILD="$out"
	assert_failure 2
	[[ $stderr == *"*** BUILD=$out is outside this checkout: to remove it, say so: make clean BUILD=$out CLEAN_OUTSIDE_CHECKOUT=yes.  Stop." ]] || fail "$stderr"
	[ -d "$out" ]
	run make -s -C "$COPY" clean BUILD="$out" CLEAN_OUTSIDE_CHECKOUT=yes
	assert_success
	[ ! -e "$out" ]
}

@test "BUILD in the environment is ignored: make clean removes the checkout's build/, not \$BUILD" {
	clean_in_copy
	mkdir "$COPY/build"
	touch "$COPY/build/ppid.o"
	before=$(tree_state "$VICTIM")
	BUILD=$VICTIM run make --no-print-directory -C "$COPY" clean
	assert_success
	assert_line "rm -rf build"
	[ ! -e "$COPY/build" ]
	assert_equal "$(tree_state "$VICTIM")" "$before"
}

@test "learner variables of the wrong kind: one line naming the variable, exit 2, before any work" {
	count=0
	while read -r assignment expected; do
		run --separate-stderr env "$assignment" "$TOP/05-cleanup/cleanup.sh"
		[ "$status" -eq 2 ] || fail "$assignment: exit $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$assignment: $stderr"
		[[ $stderr == "error: $expected"* ]] || fail "$assignment: $stderr"
		count=$((count + 1))
	done <<'CASES'
RUNS=abc RUNS='abc': RUNS takes a positive whole number
BURST=-1 BURST='-1': BURST takes a positive whole number
FUZZ_SECONDS=1.5 FUZZ_SECONDS='1.5': FUZZ_SECONDS takes a positive whole number
LOADER=bcc LOADER='bcc': LOADER takes bpftool or skeleton
SOLUTION=yes SOLUTION='yes': SOLUTION takes 1 (yes) or 0 (no)
PURGE=all PURGE='all': PURGE takes 1 (yes) or 0 (no)
KERNELS=/boot KERNELS: '/boot' is a directory: KERNELS takes kernel images
KERNEL_PACKAGES=bash KERNEL_PACKAGES: 'bash' is not a kernel package name
BTF_PATH=/sys BTF_PATH='/sys': BTF_PATH takes one file path
RESULTS=/tmp RESULTS='/tmp': RESULTS takes one file path
CASES
	assert_equal "$count" 10
	# A list where one path is wanted.
	run --separate-stderr env "RESULTS=a.md b.md" "$TOP/05-cleanup/cleanup.sh"
	assert_failure 2
	assert_equal "$stderr" "error: RESULTS='a.md b.md': RESULTS takes one file path (no spaces, not a directory)"
	# Before any work: nothing was removed from bpffs, no program unloaded.
	assert_equal "$(ls -A /sys/fs/bpf)" "$BPFFS_BEFORE"
}

@test "make with a bad variable stops before building anything" {
	clean_in_copy
	run --separate-stderr make -s -C "$COPY" lab-01 BURST=-1
	assert_failure 2
	[[ $stderr == "Makefile:"*" *** BURST='-1': BURST takes a positive whole number, e.g. BURST=5.  Stop." ]] || fail "$stderr"
	[ ! -e "$COPY/build" ] || fail "make built something: $(ls "$COPY/build")"
}

@test "bpffs not mounted: a PIN_DIR elsewhere is refused, nothing mounted or made there" {
	dir=$BATS_TEST_TMPDIR/pins
	mkdir "$dir"
	run unshare -m --propagation private bash -c "umount /sys/fs/bpf; PIN_DIR='$dir/ppid' '$TOP/04-load-and-trace/load.sh'; echo status=\$?; findmnt -n -o TARGET -T '$dir'"
	assert_line "status=2"
	assert_line --partial "error: PIN_DIR=$dir/ppid: $dir is not in a mounted bpffs."
	refute_line "$dir"
	assert_equal "$(ls -A "$dir")" ""
}
