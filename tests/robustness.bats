#!/usr/bin/env bats
# Bad input, missing mounts, interrupts and two learners at once: every tool
# says what is wrong in one line, exits non-zero, and leaves nothing behind.

load helpers

setup_file() {
	# Bad inputs, made once: each is a kind of file a learner might pass by mistake.
	bad=$BATS_FILE_TMPDIR/bad
	mkdir -p "$bad/a_directory"
	: >"$bad/empty"
	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$bad/text"
	head -c 4096 "$BTF_PATH" >"$bad/truncated.btf"
	head -c 2048 "$BUILD_DIR/ppid.bpf.o" >"$bad/truncated.bpf.o"
	cp "$BTF_PATH" "$bad/corrupt-header.btf"
	# Byte 4 is hdr_len: 0xff claims a header longer than BTF's own.
	printf '\xff' | dd of="$bad/corrupt-header.btf" bs=1 seek=4 conv=notrunc status=none
	cp "$(type -P true)" "$bad/x86.elf"
	export BAD=$bad
}

setup() {
	require_btf
	export PIN_DIR=/sys/fs/bpf/btf_core_labs_test_$$
}

teardown() {
	rm -rf "$PIN_DIR" "$PIN_DIR"_2
	rm -f "$BUILD_DIR/lab04-pins/${PIN_DIR//\//%}" "$BUILD_DIR/lab04-pins/${PIN_DIR//\//%}_2"
}

# Every file-reading tool, each given FILE where it expects BTF or an object.
# One line on stderr naming FILE, exit 1, no crash; prints the offenders.
assert_each_tool_rejects() {
	local file=$1 out=$BATS_TEST_TMPDIR/out.h
	local -a cmds=(
		"$BUILD_DIR/btf_inspect --btf $file"
		"$BUILD_DIR/btf_inspect --btf $file task_struct pid"
		"$BUILD_DIR/gen_vmlinux_h --btf $file -o $out"
		"$BUILD_DIR/core_relocs $file"
		"$BUILD_DIR/core_relocs $BUILD_DIR/ppid.bpf.o --btf $file"
	)
	local cmd failures=0
	for cmd in "${cmds[@]}"; do
		run --separate-stderr $cmd
		if [ "$status" -ne 1 ] || [ "${#stderr_lines[@]}" -ne 1 ] || [[ "$stderr" != *"$file"* ]] || [ -e "$out" ]; then
			echo "$cmd: exit $status, stderr: $stderr" >&2
			failures=$((failures + 1))
		fi
	done
	[ "$failures" -eq 0 ]
}

@test "a missing file" { assert_each_tool_rejects "$BAD/missing"; }
@test "a directory" { assert_each_tool_rejects "$BAD/a_directory"; }
@test "an empty file" { assert_each_tool_rejects "$BAD/empty"; }
@test "/dev/null" { assert_each_tool_rejects /dev/null; }
@test "a text file" { assert_each_tool_rejects "$BAD/text"; }
@test "a truncated copy of the kernel's BTF" { assert_each_tool_rejects "$BAD/truncated.btf"; }
@test "a truncated copy of the BPF object" { assert_each_tool_rejects "$BAD/truncated.bpf.o"; }
@test "BTF with a corrupted header" { assert_each_tool_rejects "$BAD/corrupt-header.btf"; }

@test "an x86 ELF where a BPF object belongs" {
	run --separate-stderr "$BUILD_DIR/core_relocs" "$BAD/x86.elf"
	assert_failure 1
	assert_equal "$stderr" "core_relocs: $BAD/x86.elf: an ELF file, but not a BPF object (machine 62, BPF is 247)"
}

@test "an x86 ELF without BTF where BTF belongs" {
	assert_each_tool_rejects "$BAD/x86.elf"
}

# Usage errors: one line naming the argument, exit 2.
assert_usage_error() {
	local expected=$1
	shift
	run --separate-stderr "$@"
	assert_failure 2
	assert_equal "$stderr" "$expected"
	assert_equal "$output" ""
}

@test "an option without its value: one line, exit 2, for every tool" {
	assert_usage_error "btf_inspect: option '--btf' needs a value; see 'btf_inspect --help'" "$BUILD_DIR/btf_inspect" --btf
	assert_usage_error "gen_vmlinux_h: option '-o' needs a value; see 'gen_vmlinux_h --help'" "$BUILD_DIR/gen_vmlinux_h" -o
	assert_usage_error "core_relocs: option '--btf' needs a value; see 'core_relocs --help'" "$BUILD_DIR/core_relocs" "$BUILD_DIR/ppid.bpf.o" --btf
	assert_usage_error "ppid: option '--pin-dir' needs a value; see 'ppid --help'" "$BUILD_DIR/ppid" --pin-dir
	assert_usage_error "progcount: option '--name' needs a value; see 'progcount --help'" "$BUILD_DIR/progcount" --name
}

@test "an unknown option: one line, exit 2, for every tool" {
	for tool in btf_inspect gen_vmlinux_h core_relocs ppid progcount; do
		assert_usage_error "$tool: unknown option '--bogus'; see '$tool --help'" "$BUILD_DIR/$tool" --bogus
	done
}

@test "a kernel without BTF (BTF_PATH points at nothing): the tools name CONFIG_DEBUG_INFO_BTF" {
	for tool in btf_inspect gen_vmlinux_h; do
		BTF_PATH=/nonexistent/vmlinux run --separate-stderr "$BUILD_DIR/$tool"
		assert_failure 1
		assert_equal "$stderr" "$tool: /nonexistent/vmlinux: missing: this kernel was built without CONFIG_DEBUG_INFO_BTF; boot a kernel that has BTF, or pass --btf FILE"
	done
	BTF_PATH=/nonexistent/vmlinux run --separate-stderr "$BUILD_DIR/core_relocs" "$BUILD_DIR/ppid.bpf.o"
	assert_failure 1
	assert_equal "$stderr" "core_relocs: /nonexistent/vmlinux: missing: this kernel was built without CONFIG_DEBUG_INFO_BTF; boot a kernel that has BTF, or pass --btf FILE"
}

@test "a kernel without BTF: doctor shows ✘ with the fix, and the labs stop with the reason" {
	BTF_PATH=/nonexistent/vmlinux run "$TOP/common/doctor.sh"
	assert_failure 1
	assert_line "✘ kernel BTF: /nonexistent/vmlinux missing (kernel built without CONFIG_DEBUG_INFO_BTF) -> use a distribution kernel built with CONFIG_DEBUG_INFO_BTF=y"
	BTF_PATH=/nonexistent/vmlinux run "$TOP/01-btf-inspect/inspect.sh"
	assert_failure 1
	assert_output --partial "error: no kernel BTF at /nonexistent/vmlinux: this kernel was built without CONFIG_DEBUG_INFO_BTF"
}

@test "bpffs not mounted: the loader says so and how to mount it; setup's helper mounts it" {
	require_root
	require_cmd unshare
	# In a private mount namespace, so the machine's own bpffs is untouched.
	run unshare -m --propagation private bash -c "umount /sys/fs/bpf; '$BUILD_DIR/ppid' --pin-dir /sys/fs/bpf/x"
	assert_failure 1
	assert_output "ppid: /sys/fs/bpf/x: No such file or directory; pins live on bpffs: run 'sudo make setup' (or: mount -t bpf bpf /sys/fs/bpf)"
	run unshare -m --propagation private bash -c "umount /sys/fs/bpf; . '$TOP/common/lib.sh'; mount_bpffs && mountpoint /sys/fs/bpf"
	assert_success
	assert_line "/sys/fs/bpf is a mountpoint"
}

@test "bpffs not mounted and mount not allowed: one clear line" {
	require_root
	# As nobody, from a world-readable copy of lib.sh: the checkout may be in a 0700 home.
	copy=$(mktemp -d /tmp/btf-core-labs-nobody.XXXXXX)
	chmod 755 "$copy"
	mkdir "$copy/common"
	cp "$TOP/common/lib.sh" "$copy/common/"
	run unshare -m --propagation private bash -c "umount /sys/fs/bpf
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all bash -c '. \"$copy/common/lib.sh\"; mount_bpffs'"
	rm -rf "$copy"
	assert_failure 1
	assert_line "error: cannot mount bpffs at /sys/fs/bpf: run as root, or ask the machine's admin to mount it"
}

@test "tracefs not mounted: the loader says so; setup's helper mounts it" {
	require_root
	unmount_tracing='umount /sys/kernel/tracing; umount /sys/kernel/debug/tracing 2>/dev/null; true'
	run unshare -m --propagation private bash -c "$unmount_tracing; '$BUILD_DIR/ppid' --follow --duration 1"
	assert_failure 1
	assert_output "ppid: tracefs is not mounted: run 'sudo make setup' (or: mount -t tracefs tracefs /sys/kernel/tracing)"
	run unshare -m --propagation private bash -c "$unmount_tracing; . '$TOP/common/lib.sh'; mount_tracefs && tracefs_dir"
	assert_success
	assert_line "/sys/kernel/tracing"
}

@test "SIGINT and SIGTERM during ppid --follow: no program, no link, no pin left" {
	require_root
	require_cmd jq
	before=$(bpftool_prog_count on_exec)
	# --follow is given no pin directory: any pin it left would be new under bpffs.
	find /sys/fs/bpf | sort >"$BATS_TEST_TMPDIR/bpffs.before"
	for sig in INT TERM; do
		# SIGINT and SIGTERM as in a terminal, even when this run inherited them
		# ignored (a background job); -k: a program that ignores them is killed.
		timeout --preserve-status -k 5 -s "$sig" 1 env --default-signal=INT,TERM "$BUILD_DIR/ppid" --follow \
			>/dev/null 2>"$BATS_TEST_TMPDIR/err" &
		follower=$!
		# The signal must land while the program is attached, not before.
		wait_prog_count on_exec "$((before + 1))"
		status=0
		wait "$follower" || status=$?
		assert_equal "$status" 0
		run grep -c '^ppid: following' "$BATS_TEST_TMPDIR/err"
		assert_output 1
		wait_prog_count on_exec "$before"
	done
	find /sys/fs/bpf | sort >"$BATS_TEST_TMPDIR/bpffs.after"
	run diff "$BATS_TEST_TMPDIR/bpffs.before" "$BATS_TEST_TMPDIR/bpffs.after"
	assert_success
}

@test "SIGINT during trace.sh: exit 130, bpf_stats_enabled restored, no probe, trace_pipe free" {
	require_root
	require_cmd jq
	"$BUILD_DIR/ppid" --pin-dir "$PIN_DIR"
	stats=$(sysctl -n kernel.bpf_stats_enabled)
	past_setup=0
	for delay in 0.2 0.5 0.8; do
		run timeout --preserve-status -k 10 -s INT "$delay" env --default-signal=INT "$TOP/04-load-and-trace/trace.sh"
		# 130 from its INT trap: the script was interrupted, it did not finish.
		[ "$status" -eq 130 ] || fail "INT at ${delay}s: exit $status: $output"
		# Once statistics are on, the restore on exit is what is tested.
		[[ $output != *"kernel.bpf_stats_enabled = 1"* ]] || past_setup=$((past_setup + 1))
		assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$stats"
		run compgen -G "$BUILD_DIR/lab04_*"
		assert_failure
		sleep 0.2
		run timeout 1 cat "$(dirname "$(ls /sys/kernel/tracing/trace_pipe 2>/dev/null || echo /sys/kernel/debug/tracing/trace_pipe)")/trace_pipe"
		refute_output --partial "Device or resource busy"
	done
	[ "$past_setup" -ge 1 ] || fail "no interrupt landed after trace.sh switched statistics on"
}

@test "SIGINT at any moment of 'make lab-04 LOADER=skeleton': all loaded and pinned, or nothing" {
	require_root
	require_cmd jq
	before=$(bpftool_prog_count on_exec)
	loaded=0 nothing=0
	# The loader starts some 30 ms in, here: the first delays land before it.
	for delay in 0.005 0.01 0.03 0.1 0.2 0.4 0.8; do
		status=0
		timeout --preserve-status -k 10 -s INT "$delay" env --default-signal=INT \
			make -s -C "$TOP" lab-04 LOADER=skeleton PIN_DIR="$PIN_DIR" \
			>"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
		# lab-04 runs trace.sh too, over a second: every delay interrupts it.
		[ "$status" -ne 0 ] || fail "INT at ${delay}s landed after the lab ended: $(cat "$BATS_TEST_TMPDIR/out")"
		sleep 0.3
		if [ -e "$PIN_DIR" ]; then
			[ -e "$PIN_DIR/on_exec" ] || fail "after INT at ${delay}s: $PIN_DIR exists without its pin"
			assert_equal "$(bpftool_prog_count on_exec)" "$((before + 1))"
			loaded=$((loaded + 1))
			rm -rf "$PIN_DIR"
		else
			nothing=$((nothing + 1))
		fi
		wait_prog_count on_exec "$before"
	done
	# Both outcomes seen: the interrupts landed before the load and after it.
	[ "$loaded" -ge 1 ] && [ "$nothing" -ge 1 ] || fail "$loaded runs left it loaded, $nothing left nothing"
}

# Two loads of LOADER started together with one PIN_DIR: exactly one wins;
# BEFORE programs called on_exec were loaded before.
assert_one_of_two_loads_wins() {
	local loader=$1 before=$2 a b wins=0
	LOADER=$loader "$TOP/04-load-and-trace/load.sh" >"$BATS_TEST_TMPDIR/a" 2>&1 &
	a=$!
	LOADER=$loader "$TOP/04-load-and-trace/load.sh" >"$BATS_TEST_TMPDIR/b" 2>&1 &
	b=$!
	wait "$a" && wins=$((wins + 1))
	wait "$b" && wins=$((wins + 1))
	assert_equal "$wins" 1
	run cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	assert_line --partial "already loaded at $PIN_DIR — run 'make lab-05"
	assert_equal "$(bpftool_prog_count on_exec)" "$((before + 1))"
	rm -rf "$PIN_DIR"
	wait_prog_count on_exec "$before"
}

@test "skeleton loader, two loads at once with one PIN_DIR: one wins, the other says 'already loaded'" {
	require_root
	require_cmd jq
	assert_one_of_two_loads_wins skeleton "$(bpftool_prog_count on_exec)"
}

@test "bpftool loader, two loads at once with one PIN_DIR: one wins, the other says 'already loaded'" {
	require_root
	require_cmd jq
	skip_unless "this bpftool cannot autoattach" bpftool_has_autoattach_here
	assert_one_of_two_loads_wins bpftool "$(bpftool_prog_count on_exec)"
}

@test "two learners, two PIN_DIRs: both load, side by side" {
	require_root
	require_cmd jq
	before=$(bpftool_prog_count on_exec)
	LOADER=skeleton run "$TOP/04-load-and-trace/load.sh"
	assert_success
	PIN_DIR=${PIN_DIR}_2 LOADER=skeleton run "$TOP/04-load-and-trace/load.sh"
	assert_success
	assert_equal "$(bpftool_prog_count on_exec)" "$((before + 2))"
	[ -e "$PIN_DIR/on_exec" ] && [ -e "${PIN_DIR}_2/on_exec" ]
}

@test "fuzz regressions: every input that once crashed a parser now passes" {
	for target in btf_ext btf_walk; do
		dir=$TOP/tests/fuzz/regressions/$target
		compgen -G "$dir/*" >/dev/null || fail "no regression input in $dir"
		FUZZ_BPF_OBJ=$BUILD_DIR/ppid.bpf.o run "$BUILD_DIR/fuzz/fuzz_$target" "$dir"/*
		assert_success
	done
}

@test "BTF whose anonymous unions double 30 times: an answer at once, not after 2^30 steps" {
	crafted=$TOP/tests/fuzz/regressions/btf_walk/anonymous-unions-doubling-30-times
	run timeout 5 "$BUILD_DIR/btf_inspect" --btf "$crafted" top leaf
	assert_success
	assert_output "top.leaf offset=0 size=4"
	run timeout 5 "$BUILD_DIR/btf_inspect" --btf "$crafted" top no_such_field
	assert_failure 1
	assert_output "btf_inspect: field 'no_such_field' not found in union top"
}

# valgrind needs the plain build: sanitized binaries cannot run under it.
valgrind_clean() {
	run valgrind -q --suppressions="$TOP/tests/valgrind.supp" --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite "$@"
	if [ "$status" -eq 99 ] || [ "$status" -ge 128 ]; then
		echo "$output" >&2
		fail "valgrind: errors or a crash in: $*"
	fi
}

@test "valgrind: btf_inspect, its happy path and two bad inputs" {
	valgrind_clean "$TOP/build/btf_inspect" task_struct real_parent se.vruntime
	assert_success
	valgrind_clean "$TOP/build/btf_inspect" --btf "$BAD/truncated.btf"
	assert_failure 1
	valgrind_clean "$TOP/build/btf_inspect" task_struct no_such_field
	assert_failure 1
}

@test "valgrind: gen_vmlinux_h, its happy path and two bad inputs" {
	valgrind_clean "$TOP/build/gen_vmlinux_h" --btf "$TOP/build/ppid.bpf.o" -o "$BATS_TEST_TMPDIR/small.h"
	assert_success
	valgrind_clean "$TOP/build/gen_vmlinux_h" --btf "$BAD/text" -o "$BATS_TEST_TMPDIR/bad.h"
	assert_failure 1
	valgrind_clean "$TOP/build/gen_vmlinux_h" --btf "$BAD/corrupt-header.btf" -o "$BATS_TEST_TMPDIR/bad.h"
	assert_failure 1
}

@test "valgrind: core_relocs, its happy path and two bad inputs" {
	valgrind_clean "$TOP/build/core_relocs" "$TOP/build/ppid.bpf.o"
	assert_success
	valgrind_clean "$TOP/build/core_relocs" "$BAD/x86.elf"
	assert_failure 1
	valgrind_clean "$TOP/build/core_relocs" "$BAD/truncated.bpf.o"
	assert_failure 1
}

@test "valgrind: ppid, its happy path and two bad inputs" {
	require_root
	valgrind_clean "$TOP/build/ppid" --follow --duration 1
	assert_success
	valgrind_clean "$TOP/build/ppid" --pin-dir "$BATS_TEST_TMPDIR/not-on-bpffs"
	assert_failure 1
	valgrind_clean "$TOP/build/ppid" --duration 1
	assert_failure 2
}

@test "valgrind: progcount, its happy path and two bad inputs" {
	require_root
	valgrind_clean "$TOP/build/progcount" --list
	assert_success
	valgrind_clean "$TOP/build/progcount" --name
	assert_failure 2
	valgrind_clean "$TOP/build/progcount" extra
	assert_failure 2
}
