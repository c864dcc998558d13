#!/usr/bin/env bats
# The workshop kit: make labs' timing table, TEACHING.md's copy of it, and
# make doctor's verdict line in the environments that fail in a room.

load helpers

setup() {
	export PIN_DIR=/sys/fs/bpf/btf_core_labs_test_$$
}

teardown() {
	local pin
	rm -rf "$PIN_DIR"
	for pin in "${LEARNER_PINS[@]}"; do
		rm -f "$pin/on_exec"
		rmdir "$pin" 2>/dev/null || true
	done
}
LEARNER_PINS=()

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

# TEACHING.md's table of labs 01-05 from a clean or a warm build/, as rows
# "lab-NN tenths" and "total tenths".
guide_rows() {
	awk -v start="$1" '/^labs 01 02 03 04 05 · / { on = ($0 ~ ("build/ " start " at start$")) ; next }
		on && /^(lab-[0-9][0-9]|total) +[0-9]+\.[0-9]$/ { split($2, s, "."); print $1, s[1] * 10 + s[2] }
		on && /^total / { on = 0 }' "$TOP/TEACHING.md"
}

# Each row and the total of a fresh table (stdin) against the guide's, with
# the tolerance TEACHING.md states: within 3 seconds, or within a factor of 3.
assert_close_to_guide() {
	local start=$1 guide fresh name g f checked=0
	guide=$(guide_rows "$start")
	fresh=$(awk '/^(lab-[0-9][0-9]|total) +[0-9]+\.[0-9]$/ { split($2, s, "."); print $1, s[1] * 10 + s[2] }')
	[ -n "$guide" ] && [ -n "$fresh" ] || fail "no $start table: guide '$guide', fresh '$fresh'"
	while read -r name g; do
		f=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$fresh")
		[ -n "$f" ] || fail "$name: in TEACHING.md's $start table, not in make labs'"
		if [ $((f > g ? f - g : g - f)) -gt 30 ] && { [ $((f)) -gt $((3 * g)) ] || [ $((3 * f)) -lt $((g)) ]; }; then
			fail "$name ($start): TEACHING.md says $((g / 10)).$((g % 10)) s, make labs took $((f / 10)).$((f % 10)) s: refresh the guide's table"
		fi
		checked=$((checked + 1))
	done <<<"$guide"
	assert_equal "$checked" "$(wc -l <<<"$fresh")"
}

@test "make labs ends with each lab's time, as make's own clock saw it, writes it to labs-timings.txt, agrees with TEACHING.md, and doctor then says ready" {
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
	assert_close_to_guide clean <<<"$table"

	# Straight after, warm: the guide's second table.
	run make -s -C "$TOP" labs BUILD="$build"
	assert_success
	table=$(cat "$build/labs-timings.txt")
	assert_timing_table <<<"$table"
	assert_equal "$(sed -n 1p <<<"$table" | grep -c 'build/ warm at start$')" 1
	assert_close_to_guide warm <<<"$table"

	# This machine has just run every lab: doctor must call it ready.
	doctor_in_namespace ""
	assert_success
	assert_equal "$(grep -c '^✘' <<<"$output")" 0
	assert_line --index -1 --regexp '^ready: labs 01–05 yes, lab 06 yes \((TCG|KVM), needs ~310 MB download\), exercises yes$'
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
	labs=$(cd "$TOP" && ls -d [0-9][0-9]-*/ | cut -c1-2 | paste -sd' ')
	[ -n "$labs" ] || fail "no lab directories in $TOP"
	run "$TOP/common/labs.sh" 01 7
	assert_failure 1
	assert_output "error: no lab '7': name labs by their number ($labs)"
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

# Doctor in a private mount namespace, so that what it mounts stays there,
# with BUILD pointing at an empty directory so that no build state changes the
# verdict. SCRIPT runs first, as root, inside the namespace; the rest of the
# arguments run doctor (setpriv, env ...); doctor's own output is last.
doctor_in_namespace() {
	local script=$1
	shift
	mkdir -p "$BATS_TEST_TMPDIR/build"
	run unshare -m --propagation private bash -c "$script
		exec $* env BUILD_DIR='$BATS_TEST_TMPDIR/build' '$TOP/common/doctor.sh'"
}

# A directory for PATH with every command of PATH but those matching PATTERN.
path_without() {
	local pattern=$1 dir cmd bin=$BATS_TEST_TMPDIR/path
	mkdir -p "$bin"
	for dir in ${PATH//:/ }; do
		for cmd in "$dir"/*; do
			[ -x "$cmd" ] && [ ! -e "$bin/${cmd##*/}" ] || continue
			# shellcheck disable=SC2254  # PATTERN is a glob
			case ${cmd##*/} in $pattern) ;; *) ln -s "$cmd" "$bin/${cmd##*/}" ;; esac
		done
	done
	echo "$bin"
}

# A systemd-detect-virt that says this is (or is not) a container.
fake_container() {
	local name=$1 bin=$BATS_TEST_TMPDIR/fake
	mkdir -p "$bin"
	if [ "$name" = none ]; then
		printf '#!/bin/sh\necho none\nexit 1\n' >"$bin/systemd-detect-virt"
	else
		printf '#!/bin/sh\necho %s\n' "$name" >"$bin/systemd-detect-virt"
	fi
	chmod +x "$bin/systemd-detect-virt"
	echo "$bin"
}

no_mounts='for m in /sys/kernel/debug /sys/kernel/tracing /sys/fs/bpf; do
		while mountpoint -q $m; do umount -l $m || exit 9; done
	done
	# The mounts are gone, and without CAP_SYS_ADMIN they cannot come back.
	! setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || exit 9
	! setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin mount -t bpf bpf /sys/fs/bpf 2>/dev/null || exit 9
	[ ! -e /sys/kernel/tracing/trace_pipe ] || exit 9
	echo "precondition: no bpffs, no tracefs, mounting refused"'
no_sys_admin="setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin"

@test "doctor in a container where bpffs and tracefs are gone and cannot be mounted: not ready, and the container's fixes" {
	require_root
	require_cmd unshare
	require_cmd setpriv
	doctor_in_namespace "$no_mounts" "$no_sys_admin" env PATH="$(fake_container docker):$PATH"
	assert_failure 1
	assert_line "precondition: no bpffs, no tracefs, mounting refused"
	fix="the container may not mount it: start it with --privileged, or run the labs on the host or in a VM"
	assert_line "✘ bpffs: not mounted at /sys/fs/bpf, and mounting it failed -> $fix"
	assert_line "✘ tracefs: not mounted at /sys/kernel/tracing, and mounting it failed -> $fix"
	assert_line "✔ platform: a container (docker): the fixes above are a container's"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (bpffs, tracefs), lab 06 no (bpffs, tracefs), exercises yes"
	# The machine's own mounts are untouched.
	mountpoint -q /sys/fs/bpf
	mountpoint -q /sys/kernel/tracing
}

@test "doctor on a host where bpffs and tracefs cannot be mounted: the host's fixes" {
	require_root
	require_cmd unshare
	require_cmd setpriv
	doctor_in_namespace "$no_mounts" "$no_sys_admin" env PATH="$(fake_container none):$PATH"
	assert_failure 1
	assert_line "precondition: no bpffs, no tracefs, mounting refused"
	assert_line "✘ bpffs: not mounted at /sys/fs/bpf, and mounting it failed -> sudo mount -t bpf bpf /sys/fs/bpf"
	assert_line "✘ tracefs: not mounted at /sys/kernel/tracing, and mounting it failed -> sudo mount -t tracefs tracefs /sys/kernel/tracing"
	assert_line "✔ platform: a host (not a container, not WSL2)"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (bpffs, tracefs), lab 06 no (bpffs, tracefs), exercises yes"
}

@test "doctor in a container where BPF works: says so, and gives no container fix" {
	require_root
	require_btf
	require_cmd unshare
	doctor_in_namespace "" env PATH="$(fake_container docker):$PATH"
	assert_success
	assert_line "✔ platform: a container (docker), BPF works here"
	refute_line --partial "✘"
	assert_line --index -1 --regexp '^ready: '
}

@test "doctor with the kernel's BTF hidden: nothing is ready, and the line says why" {
	require_root
	require_cmd unshare
	doctor_in_namespace "" env BTF_PATH=/nonexistent
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
	assert_line "✔ platform: WSL2 (Windows' Linux VM; its kernel decides what works)"
	assert_line "✘ kernel BTF: /nonexistent missing (kernel built without CONFIG_DEBUG_INFO_BTF) -> WSL2's kernel lacks it: run 'wsl --update' in Windows for a newer one, or use a Linux VM"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (kernel BTF), lab 06 no (kernel BTF), exercises no (kernel BTF)"
}

@test "doctor without the exec tracepoint in tracefs (no tracepoint events): labs not ready" {
	require_root
	require_cmd unshare
	mkdir -p "$BATS_TEST_TMPDIR/no-events"
	events=/sys/kernel/tracing/events
	doctor_in_namespace "mount --bind '$BATS_TEST_TMPDIR/no-events' $events || exit 9
		[ ! -e $events/sched/sched_process_exec ] || exit 9" env PATH="$(fake_container none):$PATH"
	assert_failure 1
	assert_line "✘ exec tracepoint: no sched/sched_process_exec in /sys/kernel/tracing/events -> use a distribution kernel (built with CONFIG_BPF_EVENTS=y)"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (exec tracepoint), lab 06 no (exec tracepoint), exercises yes"
}

@test "doctor with no kernel config to read judges the exec tracepoint by tracefs and the kernel's answer" {
	require_root
	require_cmd unshare
	: >"$BATS_TEST_TMPDIR/no-config"
	config=/boot/config-$(uname -r)
	doctor_in_namespace "for f in /proc/config.gz $config; do
			[ ! -e \$f ] || mount --bind '$BATS_TEST_TMPDIR/no-config' \$f || exit 9
		done
		! zcat /proc/config.gz >/dev/null 2>&1 || exit 9
		[ ! -s $config ] || exit 9"
	assert_success
	assert_line "✔ exec tracepoint: sched/sched_process_exec, tracepoint programs accepted (bpftool feature probe kernel)"
	# The independent source: the kernel loads a tracepoint program.
	run bpftool feature probe kernel
	assert_success
	assert_line --partial "program_type tracepoint is available"
}

@test "doctor on a kernel that refuses tracepoint programs (no CONFIG_BPF_EVENTS): labs not ready" {
	require_root
	require_cmd unshare
	fake=$(fake_container none)
	cat >"$fake/bpftool" <<-EOF
		#!/bin/sh
		[ "\$*" = "feature probe kernel" ] || exec $(type -P bpftool) "\$@"
		echo "eBPF program_type tracepoint is NOT available"
	EOF
	chmod +x "$fake/bpftool"
	doctor_in_namespace "" env PATH="$fake:$PATH"
	assert_failure 1
	assert_line --regexp "^✘ exec tracepoint: the kernel refuses tracepoint programs \(bpftool feature probe kernel\)(, [^>]*)? -> use a distribution kernel \(built with CONFIG_BPF_EVENTS=y\)$"
	assert_equal "${lines[-1]}" "not ready: labs 01–05 no (exec tracepoint), lab 06 no (exec tracepoint), exercises yes"
}

@test "doctor while another program reads trace_pipe: labs not ready, and who to stop" {
	require_root
	require_cmd unshare
	pipe=/sys/kernel/tracing/trace_pipe
	[ -e $pipe ] || fail "no $pipe"
	cat $pipe >/dev/null &
	holder=$!
	# The reader holds it once its open succeeded: wait for the descriptor.
	for _ in $(seq 50); do
		[ "$(readlink /proc/$holder/fd/* 2>/dev/null | grep -c "^$pipe$")" = 1 ] && break
		sleep 0.1
	done
	[ "$(readlink /proc/$holder/fd/* | grep -c "^$pipe$")" = 1 ] || fail "the reader never opened $pipe"
	doctor_in_namespace ""
	kill "$holder"
	wait "$holder" || true
	assert_failure 1
	assert_line "✘ trace_pipe: $pipe is busy: another program reads it -> close it; sudo fuser -v $pipe shows which process holds it"
	assert_line --index -1 --regexp '^not ready: labs 01–05 no \(trace_pipe\), lab 06 yes .*, exercises yes$'
}

@test "doctor without QEMU on PATH: ready without lab 06" {
	require_root
	require_btf
	require_cmd unshare
	doctor_in_namespace "" env PATH="$(path_without 'qemu-system-*')"
	assert_failure 1
	assert_line "✘ lab 06 VMs: not installed: qemu-system-$(uname -m) -> sudo make setup-vm"
	assert_equal "${lines[-1]}" "ready without lab 06: labs 01–05 yes, lab 06 no (lab 06 VMs), exercises yes"
}

@test "doctor warns about a vmlinux.h made for another kernel (build/kernel-btf.id differs), and accepts this kernel's" {
	require_root
	require_btf
	require_cmd unshare
	build=$BATS_TEST_TMPDIR/build
	mkdir -p "$build"
	: >"$build/vmlinux.h"
	# What make records, the way common/common.mk writes it: size, then sha256sum's line.
	this_kernel="$(stat -L -c %s "$BTF_PATH") $(sha256sum <"$BTF_PATH")"
	[[ $this_kernel =~ ^[0-9]+\ [0-9a-f]{64}\ \ -$ ]] || fail "cannot hash $BTF_PATH: '$this_kernel'"
	echo "1234 $(sha256sum </etc/os-release)" >"$build/kernel-btf.id"
	doctor_in_namespace ""
	assert_line --regexp "^⚠ vmlinux.h: .*/vmlinux.h was made for another kernel \(a kernel upgrade\?\): the next 'make' remakes it$"
	refute_line --partial "✘ vmlinux.h"
	[[ ${lines[-1]} != *vmlinux.h* ]] || fail "a warning is in the verdict: ${lines[-1]}"

	echo "$this_kernel" >"$build/kernel-btf.id"
	doctor_in_namespace ""
	assert_line --regexp "^✔ vmlinux.h: .*/vmlinux.h, made from this kernel's BTF$"
	refute_line --partial "vmlinux.h was made"
}

@test "two learners, two clones, make labs at the same time with their own PIN_DIRs: both pass, each lab 05 ✔ about its own program" {
	require_root
	require_btf
	local who pids=()
	for who in ann bob; do
		mkdir -p "$BATS_TEST_TMPDIR/$who"
		tar -C "$TOP" --exclude=./build --exclude='./build-*' --exclude=./.git -c . | tar -x -C "$BATS_TEST_TMPDIR/$who"
		LEARNER_PINS+=("/sys/fs/bpf/btf_core_labs_${who}_$$")
	done
	for who in ann bob; do
		make -s -C "$BATS_TEST_TMPDIR/$who" labs PIN_DIR="/sys/fs/bpf/btf_core_labs_${who}_$$" \
			>"$BATS_TEST_TMPDIR/$who.log" 2>&1 &
		pids+=($!)
	done
	wait "${pids[0]}" || fail "ann's make labs failed: $(tail -n 5 "$BATS_TEST_TMPDIR/ann.log")"
	wait "${pids[1]}" || fail "bob's make labs failed: $(tail -n 5 "$BATS_TEST_TMPDIR/bob.log")"
	for who in ann bob; do
		log=$BATS_TEST_TMPDIR/$who.log
		# Each lab 05 judged the id its own lab 04 wrote down, and bpftool no longer finds it.
		id=$(sed -n "s/^✔ program \([0-9]*\), lab 04's on_exec, is gone.*/\1/p" "$log")
		[ -n "$id" ] || fail "$who: no ✔ from lab 05: $(grep -E '✘|error' "$log" | head -n 3)"
		run bpftool prog show id "$id"
		assert_failure
		[ "$(grep -c '✘' "$log")" -eq 0 ] || fail "$who: $(grep '✘' "$log")"
		[ ! -e "/sys/fs/bpf/btf_core_labs_${who}_$$" ] || fail "$who's pin is still there"
	done
	# Each lab 04 checked one traced ppid of its own.
	traced=$(cat "$BATS_TEST_TMPDIR/ann.log" "$BATS_TEST_TMPDIR/bob.log" | grep -c '^✔ traced ppid=')
	assert_equal "$traced" 2
}
