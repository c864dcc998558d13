#!/usr/bin/env bats
# Lab 07: task_struct.state became __state. Every verdict against bpftool's
# reading of each kernel's BTF, /proc inside each VM, or libbpf's own log.

load helpers

# sha256 of each of the machine's apt source files.
apt_sources_sums() {
	find /etc/apt -maxdepth 2 \( -path /etc/apt/sources.list -o -path '/etc/apt/sources.list.d/*' \) -type f -print0 |
		sort -z | xargs -0r sha256sum
}

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	local status=0
	apt_sources_sums >"$BATS_FILE_TMPDIR/apt-sources.before"
	# Results of an earlier run must not stand in for this one's.
	rm -f "$BUILD_DIR/07/results.txt" "$BUILD_DIR"/07/*.console "$BUILD_DIR"/07/*.probe
	# Fill the kernel cache (this may use the network), then run the whole
	# lab in a network namespace that has none: with the cache warm it needs none.
	FETCH_ONLY=1 "$TOP/07-renamed-fields/run.sh" >"$BATS_FILE_TMPDIR/fetch.out" 2>&1 || status=$?
	[ "$status" -ne 0 ] || unshare -n "$TOP/07-renamed-fields/run.sh" >"$BATS_FILE_TMPDIR/lab07.out" 2>&1 || status=$?
	echo "$status" >"$BATS_FILE_TMPDIR/status"
	# A snapshot: the Ctrl-C tests run the lab again, which clears these.
	mkdir -p "$BATS_FILE_TMPDIR/run"
	cp "$BUILD_DIR/07/results.txt" "$BUILD_DIR"/07/*.console "$BUILD_DIR"/07/*.probe "$BATS_FILE_TMPDIR/run/" 2>/dev/null || true
	cp -r "$BUILD_DIR/07/btfgen" "$BATS_FILE_TMPDIR/run/" 2>/dev/null || true
}

setup() {
	require_root
	require_cmd qemu-system-x86_64
	require_cmd bpftool
	WORK=$BUILD_DIR/07
	RUN=$BATS_FILE_TMPDIR/run
	RESULTS=$RUN/results.txt
	[ -s "$RESULTS" ] || fail "lab 07 wrote no results: $(tail -n 5 "$BATS_FILE_TMPDIR/lab07.out")"
	# kernel=<uname -r> label=<running|suite> field=<state|__state> offset= size=
	#   guarded=ok|WRONG btfgen=ok|WRONG unguarded=ok|WRONG|refused task_btf=0|1
	LABELS=$(sed -n 's/.* label=\([^ ]*\) .*/\1/p' "$RESULTS" | tr '\n' ' ')
	# Every loop over LABELS runs exactly four times, in this order.
	assert_equal "$LABELS" "running bullseye bookworm bookworm-backports "
}

value() { field_of kernel= "$2" <<<"$1"; }
line_of() { grep " label=$1 " "$RESULTS"; }
btf_of() { if [ "$1" = running ]; then echo "$BTF_PATH"; else echo "$WORK/kernels/$1.btf"; fi; }
# KEY's value in the RESULT line a kernel printed (in its VM, or here).
raw() { sed -n "s/^RESULT .* $2=\([^ ]*\).*/\1/p" "$RUN/$1.console"; }
# The state member bpftool finds in a BTF: __state, else state.
bpftool_state_field() {
	if [ -n "$(bpftool_offset "$1" task_struct __state)" ]; then echo __state
	elif [ -n "$(bpftool_offset "$1" task_struct state)" ]; then echo state; fi
}

@test "the lab exits 0" {
	[ "$(cat "$BATS_FILE_TMPDIR/status")" -eq 0 ] || fail "$(tail -n 20 "$BATS_FILE_TMPDIR/fetch.out" "$BATS_FILE_TMPDIR/lab07.out")"
}

@test "four kernels reported, each line of the documented form" {
	run grep -cvE '^kernel=[^ ]+ label=[a-z-]+ field=(state|__state) offset=[0-9]+ size=[0-9]+ guarded=(ok|WRONG) btfgen=(ok|WRONG) unguarded=(ok|WRONG|refused) task_btf=[01]$' "$RESULTS"
	assert_output 0
	assert_equal "$(wc -l <"$RESULTS")" 4
}

@test "state or __state, offset and kernel per line: bpftool's reading of each BTF" {
	fields=
	for label in $LABELS; do
		line=$(line_of "$label")
		btf=$(btf_of "$label")
		field=$(bpftool_state_field "$btf")
		[ -n "$field" ] || fail "$label: bpftool finds neither state nor __state"
		assert_equal "$(value "$line" field)" "$field"
		assert_equal "$(value "$line" offset)" "$(bpftool_offset "$btf" task_struct "$field")"
		fields="$fields $field"
	done
	assert_equal "$(wc -w <<<"$fields")" 4
	# Both sides of the rename are really there.
	[[ " $fields " == *" state "* ]] && [[ " $fields " == *" __state "* ]] || fail "fields:$fields"
}

# The size in bytes of STRUCT's member FIELD in BTF, from bpftool's raw dump:
# its type, through volatile, const and typedefs, to one with a size.
bpftool_member_size() {
	bpftool btf dump file "$1" | awk -v s="'$2'" -v f="'$3'" '
		/^\[/ { id = substr($1, 2, length($1) - 2); inside = $2 == "STRUCT" && $3 == s
			if ($2 == "PTR") size[id] = 8
			for (i = 3; i <= NF; i++) { if ($i ~ /^size=/) size[id] = substr($i, 6); if ($i ~ /^type_id=/) next_of[id] = substr($i, 9) }
			next }
		inside && $1 == f { want = substr($2, 9) }
		END { for (n = 0; want != "" && !(want in size) && n < 10; n++) want = next_of[want]; if (want in size) print size[want] }'
}

@test "the size of the state member per line: bpftool's reading of each BTF (a long before 5.14, an int from it)" {
	sizes=
	for label in $LABELS; do
		btf=$(btf_of "$label")
		want=$(bpftool_member_size "$btf" task_struct "$(bpftool_state_field "$btf")")
		[ -n "$want" ] || fail "$label: bpftool gives no size for the state member"
		assert_equal "$(value "$(line_of "$label")" size)" "$want"
		sizes="$sizes $want"
	done
	assert_equal "$sizes" " 4 8 4 4"
}

@test "the kernel's version agrees: state before 5.14, __state from 5.14" {
	n=0
	for label in $LABELS; do
		line=$(line_of "$label")
		version=$(value "$line" kernel)
		major=${version%%.*} minor=${version#*.} minor=${minor%%.*}
		if [ $((major * 100 + minor)) -lt 514 ]; then want=state; else want=__state; fi
		assert_equal "$(value "$line" field)" "$want"
		n=$((n + 1))
	done
	assert_equal "$n" 4
}

# What the run TAG traced on kernel LABEL for its two parents, against /proc:
# one sleeps in wait (TASK_INTERRUPTIBLE, 1, 'S'), one is stopped by SIGSTOP
# (TASK_STOPPED: TASK_WAKEKILL 0x100 | __TASK_STOPPED 0x4, 'T'), a value of
# two bytes that a read of the wrong size or place would not give.
parent_states_are_right() {
	local label=$1 tag=$2
	[ -n "$(raw "$label" "${tag}_state")" ] || fail "$label $tag: no RESULT line"
	assert_equal "$(raw "$label" "${tag}_proc")" S
	assert_equal "$(raw "$label" "${tag}_state")" 1
	assert_equal "$(raw "$label" "${tag}_stopped_proc")" T
	assert_equal "$(raw "$label" "${tag}_stopped_state")" $((0x104))
	assert_equal "$(raw "$label" "${tag}_ppid")" "$(raw "$label" "${tag}_expected")"
}

@test "guarded, and from the BTFGen file: the parent's state is what /proc/<ppid>/stat showed, on every kernel" {
	n=0
	for label in $LABELS; do
		for tag in guarded btfgen; do
			parent_states_are_right "$label" "$tag"
			n=$((n + 1))
		done
	done
	assert_equal "$n" 8
}

@test "the unguarded build is refused exactly where bpftool finds no __state, and right elsewhere" {
	refused=0 right=0
	for label in $LABELS; do
		console=$RUN/$label.console
		if [ -z "$(bpftool_offset "$(btf_of "$label")" task_struct __state)" ]; then
			assert_equal "$(raw "$label" unguarded_loaded)" no
			grep -q "^LOG libbpf: prog 'taskstate_exec': relo #[0-9]*: substituting insn #[0-9]* w/ invalid insn" "$console"
			grep -q "^LOG failed to resolve CO-RE relocation <byte_off> \[[0-9]*\] struct task_struct.__state" "$console"
			refused=$((refused + 1))
		else
			[ "$label" = running ] || assert_equal "$(raw "$label" unguarded_loaded)" yes
			parent_states_are_right "$label" unguarded
			right=$((right + 1))
		fi
	done
	assert_equal "$refused" 1
	assert_equal "$right" 3
}

@test "inside each VM libbpf patched bpftool's offsets, from the kernel's BTF and from the BTFGen file" {
	n=0
	for label in $LABELS; do
		btf=$(btf_of "$label")
		field=$(bpftool_state_field "$btf")
		for tag in guarded btfgen; do
			for member in real_parent tgid "$field"; do
				off=$(bpftool_offset "$btf" task_struct "$member")
				[ -n "$off" ] || fail "$label: bpftool finds no $member"
				run grep -c "^RELO $tag libbpf: .*patched insn #[0-9]* (ALU/ALU64) imm [0-9]* -> $off$" "$RUN/$label.console"
				[ "$output" -ge 1 ] || fail "$label $tag: no instruction patched to $member's offset $off"
				n=$((n + 1))
			done
		done
	done
	assert_equal "$n" 24
}

@test "the BTFGen files hold bpftool's offsets of the full BTF, in a small fraction of its size" {
	n=0
	for label in $LABELS; do
		full=$(btf_of "$label") min=$RUN/btfgen/$label.min.btf
		[ -s "$min" ] || fail "no BTFGen file for $label"
		field=$(bpftool_state_field "$full")
		for member in real_parent tgid "$field"; do
			want=$(bpftool_offset "$full" task_struct "$member")
			[ -n "$want" ] || fail "$label: no $member"
			assert_equal "$(bpftool_offset "$min" task_struct "$member")" "$want"
		done
		[ $(($(stat -c %s "$min") * 100)) -lt "$(stat -L -c %s "$full")" ]
		n=$((n + 1))
	done
	assert_equal "$n" 4
}

@test "get_current_task_btf: used where bpftool's BTF has BPF_FUNC_get_current_task_btf, and 5.10's probe has no such helper" {
	n=0
	for label in $LABELS; do
		dump=$(bpftool btf dump file "$(btf_of "$label")") || fail "$label: bpftool cannot read its BTF"
		if grep -q "'BPF_FUNC_get_current_task_btf' val=" <<<"$dump"; then want=1; else want=0; fi
		assert_equal "$(value "$(line_of "$label")" task_btf)" "$want"
		n=$((n + 1))
	done
	assert_equal "$n" 4
	probe=$RUN/bullseye.probe
	grep -q '^eBPF helpers supported for program type tracepoint:' "$probe"
	grep -q '^	- bpf_get_current_task$' "$probe"
	run grep -c 'bpf_get_current_task_btf' "$probe"
	assert_output 0
	assert_equal "$(value "$(line_of bullseye)" task_btf)" 0
}

@test "the loader refuses a BTF file without the task's state, in one line, loading nothing" {
	# Lab 03's program reads task_struct too, but not its state: its BTFGen
	# file has a task_struct with real_parent and tgid only.
	no_state=$BATS_TEST_TMPDIR/ppid.min.btf
	bpftool gen min_core_btf "$BTF_PATH" "$no_state" "$BUILD_DIR/ppid.bpf.o"
	[ -n "$(bpftool_offset "$no_state" task_struct real_parent)" ] || fail "no task_struct.real_parent in $no_state"
	[ -z "$(bpftool_offset "$no_state" task_struct __state)$(bpftool_offset "$no_state" task_struct state)" ]
	# --duration 1: a loader that wrongly accepts the file cannot hang the test.
	run "$WORK/guarded/taskstate.static" --btf "$no_state" --duration 1
	assert_failure 1
	assert_output "taskstate: --btf $no_state: no struct task_struct with __state or state in it, which this program reads; make the file from taskstate.bpf.o with 'bpftool gen min_core_btf'"
	assert_equal "$(bpftool_prog_count taskstate_exec)" 0
	echo 'int x;' | clang -g -target bpf -x c -c - -o "$BATS_TEST_TMPDIR/no_task_struct.o"
	run "$WORK/guarded/taskstate.static" --btf "$BATS_TEST_TMPDIR/no_task_struct.o" --duration 1
	assert_failure 1
	assert_output "taskstate: --btf $BATS_TEST_TMPDIR/no_task_struct.o: no struct task_struct with __state or state in it, which this program reads; make the file from taskstate.bpf.o with 'bpftool gen min_core_btf'"
	run "$WORK/guarded/taskstate.static" --btf /etc/hostname --duration 1
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "taskstate: --btf /etc/hostname: not a BTF file libbpf can read"
}

@test "with the kernels cached, the whole lab ran in a network namespace with no network" {
	# setup_file ran it under unshare -n: it exited 0 and used the three cached kernels.
	assert_equal "$(cat "$BATS_FILE_TMPDIR/status")" 0
	run grep -c '^cached: ' "$BATS_FILE_TMPDIR/lab07.out"
	assert_output 3
	# That namespace really has no way out: only a loopback device, and it is down.
	run unshare -n ip -o link show up
	assert_success
	assert_output ""
}

# A process of ours that nothing should kill, in $victim (teardown ends it).
start_victim() {
	sleep 60 3>&- &
	victim=$!
}

@test "a qemu.pid left by a killed run names no VM of this run: its pid is not killed" {
	start_victim
	echo "$victim" >"$WORK/qemu.pid"
	run unshare -n env FETCH_ONLY=1 "$TOP/07-renamed-fields/run.sh"
	assert_success
	kill -0 "$victim" || fail "the lab killed pid $victim, named only by a stale qemu.pid"
}

@test "the machine's apt sources are untouched: the same sha256 after the lab; bullseye only in the lab's private list" {
	before=$(cat "$BATS_FILE_TMPDIR/apt-sources.before")
	[ -n "$before" ] || fail "no apt source file was hashed before the lab"
	assert_equal "$(apt_sources_sums)" "$before"
	grep -q ' bullseye main$' "$WORK/kernels/apt/bullseye/sources.list"
}

# VMs of this checkout's lab 07, whoever started them.
our_vms() {
	local pid
	for pid in $(pgrep -f "qemu-system-x86_64 .*-initrd $BUILD_REL/07/initramfs.cpio.gz"); do
		[ "$(readlink "/proc/$pid/cwd")" != "$TOP" ] || echo "$pid"
	done
}

# The longest the lab can take to reach any point with a warm cache: each of
# its VMs runs at most run.sh's vm_limit seconds, plus a minute for the rest.
lab_limit() {
	local vm
	vm=$(sed -n 's/^vm_limit=\([0-9]*\)$/\1/p' "$TOP/07-renamed-fields/run.sh")
	[ -n "$vm" ] || fail "no vm_limit=SECONDS line in run.sh"
	echo $((3 * vm + 60))
}

# Start the lab in its own process group and wait (at most lab_limit seconds,
# and only while the lab runs) until the command CONDITION... succeeds.
interrupt_lab_when() {
	local limit start=$SECONDS
	limit=$(lab_limit)
	setsid env --default-signal=INT "$TOP/07-renamed-fields/run.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	lab=$!
	until "$@" 2>/dev/null; do
		kill -0 "$lab" 2>/dev/null || fail "the lab ended before '$*': $(tail -n 5 "$BATS_TEST_TMPDIR/out")"
		[ $((SECONDS - start)) -lt "$limit" ] || fail "no '$*' within $limit s: $(tail -n 5 "$BATS_TEST_TMPDIR/out")"
		sleep 0.05
	done
}

# Ctrl-C the lab and check that it exits 130.
interrupt_lab() {
	kill -INT -- "-$lab"
	status=0
	wait "$lab" || status=$?
	assert_equal "$status" 130
}

# A test that failed half-way leaves nothing it started running.
teardown() {
	[ -z "${victim:-}" ] || { kill "$victim" 2>/dev/null; wait "$victim" 2>/dev/null; } || true
	[ -n "${lab:-}" ] || return 0
	kill -TERM -- "-$lab" 2>/dev/null || true
	wait "$lab" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 -- "-$lab" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$lab" 2>/dev/null || true
}

@test "Ctrl-C while a VM runs: exit 130, no VM, no temporary file left" {
	interrupt_lab_when grep -q '^== Boot bullseye' "$BATS_TEST_TMPDIR/out"
	for _ in $(seq 100); do
		[ -z "$(our_vms)" ] || break
		sleep 0.1
	done
	[ -n "$(our_vms)" ] || fail "no VM running to interrupt"
	interrupt_lab
	sleep 1
	assert_equal "$(our_vms)" ""
	[ ! -e "$WORK/initramfs" ]
	[ ! -e "$WORK/qemu.pid" ]
}

@test "Ctrl-C while the program is attached here: exit 130, nothing loaded, no temporary file" {
	interrupt_lab_when grep -q '^taskstate: attached' "$WORK/host/guarded.log"
	# The interrupt lands on a loaded program: bpftool sees it first.
	[ "$(bpftool_prog_count taskstate_exec)" -ge 1 ] || fail "no taskstate_exec loaded when interrupting"
	interrupt_lab
	wait_prog_count taskstate_exec 0
	[ ! -e "$WORK/host" ]
	[ ! -e "$WORK/initramfs" ]
}

@test "Ctrl-C while a kernel's BTF is extracted: exit 130, no BTF cached, no temporary file" {
	mv "$WORK/kernels/bullseye.btf" "$BATS_TEST_TMPDIR/"
	# Lab 06's extract-btf.sh decompresses the kernel to OUT.vmlinux first:
	# this file exists only while the lab extracts into bullseye.btf.tmp.
	interrupt_lab_when test -e "$WORK/kernels/bullseye.btf.tmp.vmlinux"
	interrupt_lab
	# It landed before the extraction ended: the lab never gave that BTF's size.
	run grep -c '^bullseye: .* BTF [0-9]* bytes$' "$BATS_TEST_TMPDIR/out"
	assert_output 0
	[ ! -e "$WORK/kernels/bullseye.btf" ]
	run compgen -G "$WORK/kernels/*.tmp*"
	assert_failure
	mv "$BATS_TEST_TMPDIR/bullseye.btf" "$WORK/kernels/"
}
