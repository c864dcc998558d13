#!/usr/bin/env bats
# Lab 07: task_struct.state became __state. Every verdict against bpftool's
# reading of each kernel's BTF, /proc inside each VM, or libbpf's own log.

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	local status=0
	"$TOP/07-renamed-fields/run.sh" >"$BATS_FILE_TMPDIR/lab07.out" 2>&1 || status=$?
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
	LABELS=$(sed -n 's/.* label=\([^ ]*\) .*/\1/p' "$RESULTS")
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
	[ "$(cat "$BATS_FILE_TMPDIR/status")" -eq 0 ] || fail "$(tail -n 20 "$BATS_FILE_TMPDIR/lab07.out")"
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
	# Both sides of the rename are really there.
	[[ " $fields " == *" state "* ]] && [[ " $fields " == *" __state "* ]] || fail "fields:$fields"
}

@test "the kernel's version agrees: state before 5.14, __state from 5.14" {
	for label in $LABELS; do
		line=$(line_of "$label")
		version=$(value "$line" kernel)
		major=${version%%.*} minor=${version#*.} minor=${minor%%.*}
		if [ $((major * 100 + minor)) -lt 514 ]; then want=state; else want=__state; fi
		assert_equal "$(value "$line" field)" "$want"
	done
}

@test "guarded, and from the BTFGen file: the parent's state is what /proc/<ppid>/stat showed, on every kernel" {
	letter() { case $1 in 0) echo R ;; 1) echo S ;; 2) echo D ;; *) echo "?" ;; esac; }
	n=0
	for label in $LABELS; do
		for tag in guarded btfgen; do
			state=$(raw "$label" "${tag}_state") proc=$(raw "$label" "${tag}_proc")
			[ -n "$state" ] && [ "$state" != none ] || fail "$label $tag: nothing traced"
			# The parent shell sleeps in wait: TASK_INTERRUPTIBLE, 'S' in /proc.
			assert_equal "$proc" S
			assert_equal "$(letter "$state")" "$proc"
			assert_equal "$(raw "$label" "${tag}_ppid")" "$(raw "$label" "${tag}_expected")"
			n=$((n + 1))
		done
	done
	assert_equal "$n" 8
}

@test "the unguarded build is refused exactly where bpftool finds no __state, and right elsewhere" {
	refused=0
	for label in $LABELS; do
		console=$RUN/$label.console
		if [ -z "$(bpftool_offset "$(btf_of "$label")" task_struct __state)" ]; then
			assert_equal "$(raw "$label" unguarded_loaded)" no
			grep -q "^LOG libbpf: prog 'taskstate_exec': relo #[0-9]*: substituting insn #[0-9]* w/ invalid insn" "$console"
			grep -q "^LOG failed to resolve CO-RE relocation <byte_off> \[[0-9]*\] struct task_struct.__state" "$console"
			refused=$((refused + 1))
		else
			[ "$label" = running ] || assert_equal "$(raw "$label" unguarded_loaded)" yes
			assert_equal "$(raw "$label" unguarded_ppid)" "$(raw "$label" unguarded_expected)"
			assert_equal "$(raw "$label" unguarded_proc)" S
			assert_equal "$(raw "$label" unguarded_state)" 1
		fi
	done
	assert_equal "$refused" 1
}

@test "inside each VM libbpf patched bpftool's offsets, from the kernel's BTF and from the BTFGen file" {
	for label in $LABELS; do
		btf=$(btf_of "$label")
		field=$(bpftool_state_field "$btf")
		for tag in guarded btfgen; do
			for member in real_parent tgid "$field"; do
				off=$(bpftool_offset "$btf" task_struct "$member")
				[ -n "$off" ] || fail "$label: bpftool finds no $member"
				run grep -c "^RELO $tag libbpf: .*patched insn #[0-9]* (ALU/ALU64) imm [0-9]* -> $off$" "$RUN/$label.console"
				[ "$output" -ge 1 ] || fail "$label $tag: no instruction patched to $member's offset $off"
			done
		done
	done
}

@test "the BTFGen files hold bpftool's offsets of the full BTF, in a small fraction of its size" {
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
	done
}

@test "get_current_task_btf: used where bpftool's BTF has BPF_FUNC_get_current_task_btf, and 5.10's probe has no such helper" {
	for label in $LABELS; do
		if bpftool btf dump file "$(btf_of "$label")" | grep -q "'BPF_FUNC_get_current_task_btf' val="; then want=1; else want=0; fi
		assert_equal "$(value "$(line_of "$label")" task_btf)" "$want"
	done
	probe=$RUN/bullseye.probe
	grep -q '^eBPF helpers supported for program type tracepoint:' "$probe"
	grep -q '^	- bpf_get_current_task$' "$probe"
	run grep -c 'bpf_get_current_task_btf' "$probe"
	assert_output 0
	assert_equal "$(value "$(line_of bullseye)" task_btf)" 0
}

@test "the loader refuses a BTF file without task_struct, in one line, loading nothing" {
	echo 'int x;' | clang -g -target bpf -x c -c - -o "$BATS_TEST_TMPDIR/no_task_struct.o"
	run "$WORK/guarded/taskstate.static" --btf "$BATS_TEST_TMPDIR/no_task_struct.o" --duration 1
	assert_failure 1
	assert_output "taskstate: --btf $BATS_TEST_TMPDIR/no_task_struct.o: no struct task_struct in it, which this program reads; make the file from taskstate.bpf.o with 'bpftool gen min_core_btf'"
	assert_equal "$(bpftool_prog_count taskstate_exec)" 0
	run "$WORK/guarded/taskstate.static" --btf /etc/hostname
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "taskstate: --btf /etc/hostname: not a BTF file libbpf can read"
}

@test "with the kernels cached, no network is touched: FETCH_ONLY=1 in a namespace without one" {
	run unshare -n env FETCH_ONLY=1 "$TOP/07-renamed-fields/run.sh"
	assert_success
	assert_line --partial "FETCH_ONLY=1: kernels cached in"
	run grep -c '^cached: ' <<<"$output"
	assert_output 3
}

@test "the machine's apt sources are untouched: bullseye only in the lab's private list" {
	run grep -rls bullseye /etc/apt/sources.list /etc/apt/sources.list.d/
	assert_output ""
	grep -q ' bullseye main$' "$WORK/kernels/apt/bullseye/sources.list"
}

# VMs of this checkout's lab 07, whoever started them.
our_vms() {
	local pid
	for pid in $(pgrep -f "qemu-system-x86_64 .*-initrd $BUILD_REL/07/initramfs.cpio.gz"); do
		[ "$(readlink "/proc/$pid/cwd")" != "$TOP" ] || echo "$pid"
	done
}

# Start the lab in its own process group, wait until FILE exists and holds
# PATTERN, then Ctrl-C it and check it exits 130.
interrupt_lab_when() {
	local file=$1 pattern=$2
	setsid env --default-signal=INT "$TOP/07-renamed-fields/run.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	lab=$!
	for _ in $(seq 1200); do
		grep -q "$pattern" "$file" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "$pattern" "$file" || fail "never saw '$pattern' in $file: $(tail -n 5 "$BATS_TEST_TMPDIR/out")"
}

@test "Ctrl-C while a VM runs: exit 130, no VM, no temporary file left" {
	interrupt_lab_when "$BATS_TEST_TMPDIR/out" '^== Boot bullseye'
	for _ in $(seq 100); do
		[ -z "$(our_vms)" ] || break
		sleep 0.1
	done
	[ -n "$(our_vms)" ] || fail "no VM running to interrupt"
	kill -INT -- "-$lab"
	status=0
	wait "$lab" || status=$?
	assert_equal "$status" 130
	sleep 1
	assert_equal "$(our_vms)" ""
	[ ! -e "$WORK/initramfs" ]
	[ ! -e "$WORK/qemu.pid" ]
	run compgen -G "$WORK/kernels/*.tmp"
	assert_failure
}

@test "Ctrl-C while the program is attached here: exit 130, nothing loaded, no temporary file" {
	interrupt_lab_when "$WORK/host/guarded.log" '^taskstate: attached'
	# The interrupt lands on a loaded program: bpftool sees it first.
	[ "$(bpftool_prog_count taskstate_exec)" -ge 1 ] || fail "no taskstate_exec loaded when interrupting"
	kill -INT -- "-$lab"
	status=0
	wait "$lab" || status=$?
	assert_equal "$status" 130
	wait_prog_count taskstate_exec 0
	[ ! -e "$WORK/host" ]
	[ ! -e "$WORK/initramfs" ]
}
