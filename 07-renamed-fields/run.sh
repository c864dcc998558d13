#!/usr/bin/env bash
# Lab 07: Linux 5.14 renamed task_struct.state to __state. Offline, see the
# rename in the BTFs; live, in QEMU, watch a program that reads __state only
# fail on 5.10, a guarded one (a ___old flavor and bpf_core_field_exists)
# report the right state everywhere, and the same from a tiny BTFGen file.
#   FETCH_ONLY=1  only download the kernels into build/07/kernels, then stop
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
. 07-renamed-fields/kernels.sh
require_root "fetching kernels and loading BPF programs on this machine"

work=$BUILD/07
cache=$work/kernels
# Debian 11's kernel (5.10: state), Debian 12's and its backports' (6.1, 6.12: __state).
suites=(bullseye bookworm bookworm-backports)
MACHINE_CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mkdir -p "$cache"
# A qemu.pid left by a run that was SIGKILLed names no VM of ours (its pid
# may belong to anything now): only a pid this run records is killed.
rm -f "$work/qemu.pid"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	[ ! -s "$work/qemu.pid" ] || kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
	rm -rf "$work/host" "$work/initramfs" "$work/qemu.pid" "$cache"/*.deb "$cache"/*.tmp "$cache"/*.tmp.vmlinux "$cache"/apt/*/cache/archives/partial/*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Kernels: Debian 11's 5.10 (bullseye), Debian 12's 6.1 (bookworm) and 6.12 (bookworm-backports)"
for suite in "${suites[@]}"; do
	fetch_suite_kernel "$suite" "$cache"
done
[ "${FETCH_ONLY:-0}" != 1 ] || { echo "FETCH_ONLY=1: kernels cached in $cache"; exit 0; }

require_btf
mount_bpffs
rm -f "$work/results.txt" "$work"/*.console "$work"/*.probe

step "Offline: each kernel's BTF, cut out of its bzImage by lab 06's script"
for suite in "${suites[@]}"; do
	# Only a complete BTF enters the cache: an interrupt leaves a .tmp behind, which cleanup removes.
	if [ ! -s "$cache/$suite.btf" ]; then
		run 06-run-everywhere/extract-btf.sh "$cache/vmlinuz-$suite" "$cache/$suite.btf.tmp"
		run mv "$cache/$suite.btf.tmp" "$cache/$suite.btf"
	fi
	echo "$suite: $(cat "$cache/vmlinuz-$suite.package"), BTF $(stat -c %s "$cache/$suite.btf") bytes"
done

labels=(running "${suites[@]}")
btf_of() { if [ "$1" = running ]; then echo "$BTF_PATH"; else echo "$cache/$1.btf"; fi; }
# The member of task_struct that holds the state in BTF: __state or state.
state_field() { "$BUILD/btf_inspect" --btf "$1" task_struct __state >/dev/null 2>&1 && echo __state || echo state; }
inspect() { "$BUILD/btf_inspect" --btf "$1" task_struct "$2" | sed -n "s/.* $3=\([0-9]*\).*/\1/p"; }

step "state or __state? Lab 01's btf_inspect asks each kernel's BTF"
for label in "${labels[@]}"; do
	run "$BUILD/btf_inspect" --btf "$(btf_of "$label")" task_struct __state state 2>&1 || true
done

step "What else changed in task_struct between 5.10 and this kernel"
run_sh "07-renamed-fields/members.sh $cache/bullseye.btf task_struct > $work/task_struct.5.10"
run_sh "07-renamed-fields/members.sh $BTF_PATH task_struct > $work/task_struct.running"
# Names only in one of the two lists, sorted, on one line.
names_only_in() { comm -23 <(cut -d' ' -f1 "$1" | sort -u) <(cut -d' ' -f1 "$2" | sort -u) | tr '\n' ' '; }
echo "removed since 5.10: $(names_only_in "$work/task_struct.5.10" "$work/task_struct.running")" | fold -s -w 100
echo "added since 5.10: $(names_only_in "$work/task_struct.running" "$work/task_struct.5.10")" | fold -s -w 100
join <(sort "$work/task_struct.5.10") <(sort "$work/task_struct.running") |
	awk '$1 != "(anon)" { shared++; if ($2 != $3) moved++ } $1 == "real_parent" { rp = $2 " -> " $3 }
		END { printf "moved: %d of the %d named members both have (real_parent: %s)\n", moved, shared, rp }'

step "Unguarded: the program reads __state only; what libbpf will find on each kernel, offline"
for label in "${labels[@]}"; do
	run "$BUILD/core_relocs" "$work/unguarded/taskstate.bpf.o" --btf "$(btf_of "$label")"
done

step "Guarded: a task_struct___old flavor and bpf_core_field_exists(); the new relocation kinds"
for label in "${labels[@]}"; do
	run "$BUILD/core_relocs" "$work/guarded/taskstate.bpf.o" --btf "$(btf_of "$label")"
done

step "One more CO-RE check, found by comparing the BTFs: the helper bpf_get_current_task_btf()"
for label in "${labels[@]}"; do
	run_sh "bpftool btf dump file $(btf_of "$label") | grep -o \"'BPF_FUNC_get_current_task_btf' val=[0-9]*\" || echo '(not in enum bpf_func_id)'"
done

step "BTFGen: each kernel's BTF cut down to what taskstate.bpf.o needs"
mkdir -p "$work/btfgen"
for label in "${labels[@]}"; do
	run bpftool gen min_core_btf "$(btf_of "$label")" "$work/btfgen/$label.min.btf" "$work/guarded/taskstate.bpf.o"
done
printf '%-20s %12s %10s\n' kernel "full BTF" BTFGen
for label in "${labels[@]}"; do
	printf '%-20s %12s %10s\n' "$label" "$(stat -L -c %s "$(btf_of "$label")")" "$(stat -c %s "$work/btfgen/$label.min.btf")"
done
run "$BUILD/btf_inspect" --btf "$work/btfgen/bullseye.min.btf" task_struct real_parent tgid state
run bpftool btf dump file "$work/btfgen/bullseye.min.btf"

step "Live: an initramfs with busybox, both loaders, the BTFGen files and bpftool"
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/btf"
run cp "$(command -v busybox)" "$root/bin/busybox"
run cp 07-renamed-fields/init.sh "$root/init"
run cp 07-renamed-fields/check.sh "$root/check.sh"
run cp "$work/guarded/taskstate.static" "$root/taskstate"
run cp "$work/unguarded/taskstate.static" "$root/taskstate_unguarded"
for suite in "${suites[@]}"; do
	run cp "$work/btfgen/$suite.min.btf" "$root/btf/"
done
# bpftool is linked dynamically: its libraries come along.
run cp "$(command -v bpftool)" "$root/bin/bpftool"
run_sh "for lib in \$(ldd $(command -v bpftool) | grep -oE '/[^ ]+'); do mkdir -p $root\$(dirname \$lib) && cp -L \$lib $root\$lib; done"
run_sh "(cd $root && find . | cpio -o -H newc --quiet | gzip -1) > $work/initramfs.cpio.gz"

# Each VM runs at most this long (tests/07-renamed-fields.bats waits as long).
vm_limit=150
accel=${ACCEL:-tcg}
# Run the command ARGV... in the background, recording its pid for cleanup.
run_recorded() {
	"$@" &
	echo $! >"$work/qemu.pid"
	wait $! || true
	rm -f "$work/qemu.pid"
}
echo "accelerator: $accel (TCG: software emulation, works everywhere; ACCEL=kvm where KVM works)"
for suite in "${suites[@]}"; do
	extra="lab07_kernel=$suite"
	[ "$suite" != bullseye ] || extra="$extra lab07_probe"
	step "Boot $suite"
	qemu=(timeout --foreground -k 2 "$vm_limit" qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 1024
		-nographic -no-reboot -kernel "$cache/vmlinuz-$suite" -initrd "$work/initramfs.cpio.gz"
		-append "console=ttyS0 panic=-1 quiet $extra")
	show_sh "$(shell_quote "${qemu[@]}") </dev/null 2>&1 | tr -d '\\r' | grep -oE '(RESULT|RELO|LOG|PROBE) .*' > $work/$suite.console"
	started=$SECONDS
	run_recorded "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' | grep -oE '(RESULT|RELO|LOG|PROBE) .*' >"$work/$suite.console" || true
	grep -v '^PROBE ' "$work/$suite.console" || true
	sed -n 's/^PROBE //p' "$work/$suite.console" >"$work/$suite.probe"
	echo "(booted, ran three loaders, powered off: $((SECONDS - started)) s)"
done

step "This machine, natively: the same three runs, no VM"
mkdir -p "$work/host"
line="RESULT kernel=$(uname -r)"
for run_args in "guarded $work/guarded/taskstate.static" "btfgen $work/guarded/taskstate.static --btf $work/btfgen/running.min.btf" \
	"unguarded $work/unguarded/taskstate.static"; do
	read -r tag loader options <<<"$run_args"
	# shellcheck disable=SC2086  # options are words
	line="$line $(run_for_output 07-renamed-fields/check.sh "$loader" "$tag" "$work/host" $options)"
done
echo "$line" | tee "$work/running.console"
for tag in guarded btfgen; do
	grep -E "relo #[0-9]+: (patched insn|substituting insn)" "$work/host/$tag.log" | sed "s/^/RELO $tag /" >>"$work/running.console"
done
run_sh "bpftool feature probe kernel > $work/running.probe"

# The value of KEY=VALUE in a RESULT line.
value_of() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
# The letter /proc/PID/stat shows for a task state: the kernel's
# task_state_array, indexed by the highest bit of state & TASK_REPORT (0x7f).
letter_of() {
	local report=$(($1 & 0x7f)) bits=0
	while [ "$report" -gt 0 ]; do report=$((report >> 1)) bits=$((bits + 1)); done
	echo "RSDTtXZP" | cut -c $((bits + 1))
}
# A stopped task's whole state: TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED
# (include/linux/sched.h, 5.10 to 6.18). Its two bytes catch a read of one.
task_stopped=$((0x104))
# "ok (1=S, 260=T)", "WRONG (0=R, /proc says S; ...)" or "refused": what the
# run TAG of a RESULT line traced for the two parents, against /proc and the
# waiting parent's own $$.
judge() {
	local line=$1 tag=$2 state proc stopped stopped_proc
	[ "$(value_of "$line" "${tag}_loaded")" = yes ] || { echo refused; return; }
	state=$(value_of "$line" "${tag}_state") proc=$(value_of "$line" "${tag}_proc")
	stopped=$(value_of "$line" "${tag}_stopped_state") stopped_proc=$(value_of "$line" "${tag}_stopped_proc")
	if [ "$state" != none ] && [ "$(letter_of "$state")" = "$proc" ] &&
		[ "$stopped" = "$task_stopped" ] && [ "$(letter_of "$stopped")" = "$stopped_proc" ] &&
		[ "$(value_of "$line" "${tag}_ppid")" = "$(value_of "$line" "${tag}_expected")" ]; then
		echo "ok ($state=$proc, $stopped=$stopped_proc)"
	else
		echo "WRONG ($state, /proc says $proc; $stopped, /proc says $stopped_proc)"
	fi
}

step "Result: the parent's state, judged against /proc/<ppid>/stat on each kernel"
row() { printf '%-22s %-8s %6s %4s  %-18s %-18s %-18s %s\n' "$@"; }
row kernel field offset size guarded "from BTFGen" unguarded get_current_task_btf
status=0
machine_lines=()
for label in "${labels[@]}"; do
	btf=$(btf_of "$label")
	field=$(state_field "$btf")
	offset=$(inspect "$btf" "$field" offset) size=$(inspect "$btf" "$field" size)
	result=$(grep '^RESULT ' "$work/$label.console" || true)
	if [ -z "$result" ]; then
		row "$label" "$field" "$offset" "$size" "no result" - - -
		status=1
		continue
	fi
	kernel=$(value_of "$result" kernel)
	guarded=$(judge "$result" guarded) btfgen=$(judge "$result" btfgen) unguarded=$(judge "$result" unguarded)
	task_btf=$(value_of "$result" guarded_task_btf)
	row "$kernel" "$field" "$offset" "$size" "$guarded" "$btfgen" "$unguarded" "$([ "$task_btf" = 1 ] && echo used || echo "not on this kernel")"
	machine_lines+=("kernel=$kernel label=$label field=$field offset=$offset size=$size guarded=${guarded%% *} btfgen=${btfgen%% *} unguarded=${unguarded%% *} task_btf=$task_btf")
	[ "${guarded%% *}" = ok ] && [ "${btfgen%% *}" = ok ] || status=1
	# The unguarded build must fail exactly where there is no __state.
	if [ "$field" = __state ]; then [ "${unguarded%% *}" = ok ] || status=1; else [ "$unguarded" = refused ] || status=1; fi
done
printf '%s\n' "${machine_lines[@]}" | tee "$work/results.txt"

# One ✔/✘ line per relocation of OBJ: core_relocs' answer against BTF next to
# what libbpf did inside the VM (LOG, lines "RELO TAG libbpf: ..."). A field
# or enum value the kernel lacks: an *_exists check becomes 0, any other
# instruction is replaced by an invalid one.
cross_check() {
	local obj=$1 btf=$2 log=$3 tag=$4 label=$5 relocs prog insn kind field target did want status=0
	relocs=$("$BUILD/core_relocs" "$obj" --btf "$btf") || { bad "$label $tag: core_relocs failed on $obj"; return 1; }
	# No line would mean no check at all, not a passed one.
	[ -n "$relocs" ] || { bad "$label $tag: core_relocs lists no relocation of $obj"; return 1; }
	while read -r prog insn kind field _ _ target; do
		insn=${insn#insn=} kind=${kind#kind=} field=${field#field=} target=${target#target=}
		did=$(sed -n "s/^RELO $tag libbpf: prog '$prog': relo #[0-9]*: patched insn #$insn .* -> \([0-9]*\)$/\1/p; s/^RELO $tag libbpf: prog '$prog': relo #[0-9]*: substituting insn #$insn .*/invalid insn/p" "$log")
		want=$target
		if [ "$target" = missing ]; then case $kind in *_exists) want=0 ;; *) want="invalid insn" ;; esac; fi
		if [ -n "$did" ] && [ "$did" = "$want" ]; then
			ok "$label $tag $kind $field: core_relocs $target, libbpf: $did"
		else
			bad "$label $tag $kind $field: core_relocs $target, libbpf: ${did:-nothing}"
			status=1
		fi
	done <<<"$relocs"
	return "$status"
}

step "Cross-check: core_relocs offline against libbpf's log, from the kernel's BTF and from the BTFGen file"
for label in "${labels[@]}"; do
	for tag in guarded btfgen; do
		cross_check "$work/guarded/taskstate.bpf.o" "$(btf_of "$label")" "$work/$label.console" "$tag" "$label" || status=1
	done
done

step "What libbpf said on 5.10 about the unguarded build (the key lines of its log)"
sed -n 's/^LOG //p' "$work/bullseye.console" |
	grep -E "relo #[0-9]+: (<byte_off>.*__state|no matching|substituting)|load failed|BEGIN PROG LOAD LOG|invalid CO-RE|failed to resolve|failed to load|^taskstate:" || true
echo "(0xbad2310 = $((0xbad2310)): the 'call' libbpf writes over an instruction it could not relocate)"

step "What else differs on 5.10: bpftool feature probe inside the VM, against this machine's"
# "prog_type X", "map_type X", "helper X" for what a probe output says is there.
available() {
	awk '/^eBPF (program_type|map_type) .* is available/ { print $2, $3 }
		/^eBPF helpers supported for program type tracepoint:/ { tp = 1; next }
		tp && /^\t- / { print "tracepoint_helper", $2; next }
		{ tp = 0 }' "$1" | sort
}
available "$work/bullseye.probe" >"$work/bullseye.available"
available "$work/running.probe" >"$work/running.available"
[ -s "$work/bullseye.available" ] || { bad "no probe output from the 5.10 VM"; status=1; }
echo "here, not on 5.10:"
comm -13 "$work/bullseye.available" "$work/running.available" | awk '{ a[$1] = a[$1] " " $2 } END { for (k in a) print "  " k ":" a[k] }' | sort | fold -s -w 100
echo "on 5.10, not here:"
comm -23 "$work/bullseye.available" "$work/running.available" | sed 's/^/  /'
echo "(lab 07 took $SECONDS s)"
exit "$status"
