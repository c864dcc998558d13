#!/usr/bin/env bats
# The workshop kit: make labs' timing table, TEACHING.md's copy of it, and
# make doctor's verdict line in the environments that fail in a room.

load helpers

setup() {
	export PIN_DIR=/sys/fs/bpf/btf_core_labs_test_$$
}

teardown() {
	rm -rf "$PIN_DIR"
}

# A make that notes how long each call took, by its own clock, in $MAKE_LOG:
# the independent source for the times make labs prints.
timed_make_on_path() {
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	export MAKE_LOG=$BATS_TEST_TMPDIR/make.log REAL_MAKE
	REAL_MAKE=$(type -P make)
	cat >"$bin/make" <<-'EOF'
		#!/usr/bin/env bash
		start=$(date +%s%N)
		"$REAL_MAKE" "$@"
		status=$?
		echo "$* $((($(date +%s%N) - start) / 1000000))" >>"$MAKE_LOG"
		exit "$status"
	EOF
	chmod +x "$bin/make"
	PATH=$bin:$PATH
}

# Check one table as common/labs.sh writes it (on stdin): the header names the
# labs that have a row, in order; the total is the sum of the rows.
assert_timing_table() {
	local table header labs rows sum total format
	table=$(cat)
	header=$(sed -n 1p <<<"$table")
	format='^labs ([0-9 ]+) · [0-9-]+ [0-9:]+ UTC · kernel [^ ]+ · [0-9]+ CPUs · build/ (clean|warm) at start$'
	[[ $header =~ $format ]] ||
		fail "not a labs.sh header: '$header'"
	labs=${BASH_REMATCH[1]}
	assert_equal "$(sed -n 2p <<<"$table")" "lab      seconds"
	rows=$(sed -n '3,$p' <<<"$table" | grep -E '^lab-[0-9]{2} +[0-9]+\.[0-9]$')
	assert_equal "$(awk '{ printf "%s%s", sep, substr($1, 5); sep = " " }' <<<"$rows")" "$labs"
	sum=$(awk '{ split($2, s, "."); t += s[1] * 10 + s[2] } END { print t }' <<<"$rows")
	total=$(sed -n '$p' <<<"$table")
	[[ $total =~ ^total\ +([0-9]+)\.([0-9])$ ]] || fail "no total line: '$total'"
	assert_equal "$((BASH_REMATCH[1] * 10 + BASH_REMATCH[2]))" "$sum"
	assert_equal "$(wc -l <<<"$table")" "$(($(wc -w <<<"$labs") + 3))"
}

@test "make labs ends with each lab's time, as make's own clock saw it, and writes the same table to labs-timings.txt" {
	require_root
	require_btf
	timed_make_on_path
	build=$BATS_TEST_TMPDIR/build
	run make -s -C "$TOP" labs BUILD="$build"
	assert_success
	table=$(cat "$build/labs-timings.txt")
	assert_timing_table <<<"$table"
	# What was printed at the end is the file, line for line.
	assert_equal "$(tail -n "$(wc -l <<<"$table")" <<<"$output")" "$table"
	assert_equal "$(sed -n 1p <<<"$table" | grep -c 'build/ clean at start$')" 1
	# Each row within 0.2 s of what the make wrapper measured for that lab.
	for n in 01 02 03 04 05; do
		printed=$(awk -v l="lab-$n" '$1 == l { split($2, s, "."); print s[1] * 1000 + s[2] * 100 }' <<<"$table")
		measured=$(awk -v l="lab-$n" '$NF ~ /^[0-9]+$/ && $(NF - 1) == l { print $NF }' "$MAKE_LOG")
		[ -n "$printed" ] && [ -n "$measured" ] || fail "lab-$n: printed '$printed' ms, measured '$measured' ms"
		diff=$((printed - measured))
		[ "${diff#-}" -le 200 ] || fail "lab-$n: printed $printed ms, make took $measured ms"
	done
	assert_equal "$(grep -c ' lab-0[1-5] ' "$MAKE_LOG")" 5
}

@test "make labs stops at the first lab that fails, names it, and runs no later lab" {
	require_root
	timed_make_on_path
	build=$BATS_TEST_TMPDIR/build
	BTF_PATH=/nonexistent/vmlinux run make -s -C "$TOP" labs BUILD="$build"
	assert_failure
	assert_output --partial "error: no kernel BTF at /nonexistent/vmlinux"
	assert_line "error: lab-01 failed (its output above says why); fix that, then run 'sudo make lab-01' and 'sudo make labs' again"
	assert_line --regexp '^lab-01 +[0-9]+\.[0-9]  FAILED$'
	assert_equal "$(grep -c ' lab-0[1-5] ' "$MAKE_LOG")" 1
	refute_line --regexp '^lab-02 '
}

@test "labs.sh refuses a lab that does not exist, before running any" {
	timed_make_on_path
	run "$TOP/common/labs.sh" 01 7
	assert_failure 1
	assert_output "error: no lab '7': name labs by their number (01 02 03 04 05 06)"
	[ ! -e "$MAKE_LOG" ]
}

@test "TEACHING.md quotes make labs' tables verbatim: labs 01-05 from a clean and a warm build/, and lab 06 twice" {
	guide=$TOP/TEACHING.md
	# Each table starts at a labs.sh header and ends at its total: one file each.
	awk -v dir="$BATS_TEST_TMPDIR" '/^labs [0-9 ]+ · / { n++; on = 1 }
		on { print > (dir "/table." n) } on && /^total / { on = 0 }' "$guide"
	count=0
	for table in "$BATS_TEST_TMPDIR"/table.*; do
		[ -e "$table" ] || continue
		assert_timing_table <"$table"
		count=$((count + 1))
	done
	assert_equal "$count" 4
	assert_equal "$(grep -cE '^labs 01 02 03 04 05 · .* · build/ clean at start$' "$guide")" 1
	assert_equal "$(grep -cE '^labs 01 02 03 04 05 · .* · build/ warm at start$' "$guide")" 1
	assert_equal "$(grep -cE '^labs 06 · ' "$guide")" 2
}

# Doctor in a private mount namespace, with BUILD pointing at an empty
# directory so that no build state changes the verdict. SCRIPT runs first, as
# root, inside the namespace; doctor's own output is last.
doctor_in_namespace() {
	local script=$1
	shift
	mkdir -p "$BATS_TEST_TMPDIR/build"
	run unshare -m --propagation private bash -c "$script
		exec $* env BUILD_DIR='$BATS_TEST_TMPDIR/build' '$TOP/common/doctor.sh'"
}

@test "doctor where bpffs and tracefs are gone and cannot be mounted (a container without rights): not ready, why" {
	require_root
	require_cmd unshare
	require_cmd setpriv
	no_sys_admin="setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin"
	doctor_in_namespace "for m in /sys/kernel/debug /sys/kernel/tracing /sys/fs/bpf; do
			while mountpoint -q \$m; do umount -l \$m || exit 9; done
		done
		# The mounts are gone, and without CAP_SYS_ADMIN they cannot come back.
		! $no_sys_admin mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || exit 9
		! $no_sys_admin mount -t bpf bpf /sys/fs/bpf 2>/dev/null || exit 9
		[ ! -e /sys/kernel/tracing/trace_pipe ] || exit 9
		echo 'precondition: no bpffs, no tracefs, mounting refused'" "$no_sys_admin"
	assert_failure 1
	assert_line "precondition: no bpffs, no tracefs, mounting refused"
	assert_line --regexp '^✘ bpffs: not mounted at /sys/fs/bpf, and mounting it failed -> .+'
	assert_line --regexp '^✘ tracefs: not mounted at /sys/kernel/tracing, and mounting it failed -> .+'
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (bpffs, tracefs), lab 06 no (bpffs, tracefs), exercises yes"
	# The machine's own mounts are untouched.
	mountpoint -q /sys/fs/bpf
	mountpoint -q /sys/kernel/tracing
}

@test "doctor with the kernel's BTF hidden: nothing is ready, and the line says why" {
	require_root
	mkdir -p "$BATS_TEST_TMPDIR/build"
	BTF_PATH=/nonexistent BUILD_DIR=$BATS_TEST_TMPDIR/build run "$TOP/common/doctor.sh"
	assert_failure 1
	assert_line "✘ kernel BTF: /nonexistent missing (kernel built without CONFIG_DEBUG_INFO_BTF) -> use a distribution kernel built with CONFIG_DEBUG_INFO_BTF=y"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (kernel BTF), lab 06 no (kernel BTF), exercises no (kernel BTF)"
}

@test "doctor on WSL2 (/proc/version says Microsoft) without BTF: the fix is WSL's" {
	require_root
	require_cmd unshare
	printf 'Linux version 5.10.16.3-microsoft-standard-WSL2 (oe-user@oe-host) #1 SMP\n' >"$BATS_TEST_TMPDIR/version"
	doctor_in_namespace "mount --bind '$BATS_TEST_TMPDIR/version' /proc/version || exit 9
		grep -q microsoft /proc/version || exit 9" env BTF_PATH=/nonexistent
	assert_failure 1
	assert_line --regexp '^✔ platform: WSL2 '
	assert_line --partial "✘ kernel BTF: /nonexistent missing (kernel built without CONFIG_DEBUG_INFO_BTF) -> WSL2's kernel lacks it: run 'wsl --update' in Windows"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (kernel BTF), lab 06 no (kernel BTF), exercises no (kernel BTF)"
}

@test "doctor without the exec tracepoint in tracefs (no tracepoint events): labs not ready" {
	require_root
	require_cmd unshare
	mkdir -p "$BATS_TEST_TMPDIR/no-events"
	events=/sys/kernel/tracing/events
	doctor_in_namespace "mount --bind '$BATS_TEST_TMPDIR/no-events' $events || exit 9
		[ ! -e $events/sched/sched_process_exec ] || exit 9"
	assert_failure 1
	assert_line --regexp "^✘ exec tracepoint: no sched/sched_process_exec in /sys/kernel/tracing/events -> .+"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (exec tracepoint), lab 06 no (exec tracepoint), exercises yes"
}

@test "doctor on a kernel whose config has no CONFIG_BPF_EVENTS: labs not ready" {
	require_root
	require_cmd unshare
	skip_unless "this kernel exposes no /proc/config.gz" test -r /proc/config.gz
	zcat /proc/config.gz | grep -v '^CONFIG_BPF_EVENTS=' | gzip >"$BATS_TEST_TMPDIR/config.gz"
	[ "${PIPESTATUS[0]}" -eq 0 ] || fail "cannot read /proc/config.gz"
	doctor_in_namespace "mount --bind '$BATS_TEST_TMPDIR/config.gz' /proc/config.gz || exit 9
		! zgrep -q BPF_EVENTS=y /proc/config.gz || exit 9"
	assert_failure 1
	assert_line --regexp "^✘ exec tracepoint: kernel built without CONFIG_BPF_EVENTS: BPF programs cannot attach to tracepoints -> .+"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (exec tracepoint), lab 06 no (exec tracepoint), exercises yes"
}

@test "doctor reports a vmlinux.h made from another kernel's BTF (stale stamp), and accepts this kernel's" {
	require_root
	require_btf
	build=$BATS_TEST_TMPDIR/build
	mkdir -p "$build"
	: >"$build/vmlinux.h"
	sha256sum /etc/os-release >"$build/vmlinux.h.stamp"
	BUILD_DIR=$build run "$TOP/common/doctor.sh"
	assert_failure 1
	assert_line --regexp "^✘ vmlinux.h: .*/vmlinux.h was made from another kernel's BTF than the running one's \(a kernel upgrade\?\) -> rm .*/vmlinux.h "
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (vmlinux.h), lab 06 no (vmlinux.h), exercises no (vmlinux.h)"

	sha256sum "$BTF_PATH" >"$build/vmlinux.h.stamp"
	BUILD_DIR=$build run "$TOP/common/doctor.sh"
	assert_line --regexp "^✔ vmlinux.h: .*/vmlinux.h, made from this kernel's BTF$"
	refute_line --partial "✘"
}

@test "the stamp make writes next to vmlinux.h is the one doctor reads" {
	require_root
	require_btf
	build=$BATS_TEST_TMPDIR/build
	run make -s -C "$TOP" BUILD="$build" "$build/vmlinux.h"
	assert_success
	skip_unless "make wrote no $build/vmlinux.h.stamp (the stamp rule is on another branch)" test -e "$build/vmlinux.h.stamp"
	BUILD_DIR=$build run "$TOP/common/doctor.sh"
	assert_line --regexp "^✔ vmlinux.h: .*/vmlinux.h, made from this kernel's BTF$"
}
