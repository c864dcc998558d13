#!/usr/bin/env bats
# Lab 03: the relocation records in ppid.bpf.o, checked against bpftool's
# offsets, libbpf's own log, and a BTF with another layout.

load helpers

setup() {
	require_btf
	require_cmd bpftool
	require_cmd clang
	OBJ=$BUILD_DIR/ppid.bpf.o
	TOOL=$BUILD_DIR/core_relocs
}

# The target= value core_relocs prints for a field.
target_of() {
	"$TOOL" "$OBJ" "$@" | awk -v f="field=task_struct.$FIELD" '$4 == f { sub("target=", "", $7); print $7 }'
}

# core_relocs' records for the object, one per line, checked to be there.
records() {
	"$TOOL" "$OBJ" >"$BATS_TEST_TMPDIR/records"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/records")" -eq 2 ] || fail "core_relocs listed $(cat "$BATS_TEST_TMPDIR/records")"
}

@test "the object builds from vmlinux.h alone: no kernel or system headers" {
	only_bpf=$BATS_TEST_TMPDIR/include
	mkdir -p "$only_bpf"
	ln -s /usr/include/bpf "$only_bpf/bpf"
	run clang -O2 -g -target bpf "-D__TARGET_ARCH_$(bash -c ". $TOP/common/lib.sh && bpf_arch")" -nostdinc -I"$only_bpf" -I"$BUILD_DIR" \
		-c "$TOP/03-core-read/ppid.bpf.c" -o "$BATS_TEST_TMPDIR/ppid.bpf.o"
	assert_success
	run bash -o pipefail -c "llvm-objdump -h '$BATS_TEST_TMPDIR/ppid.bpf.o' | grep -c -E ' \.BTF(\.ext)? '"
	assert_output 2
}

@test "core_relocs lists a byte_off relocation for task_struct.real_parent and .tgid" {
	run "$TOOL" "$OBJ"
	assert_success
	assert_line --regexp '^on_exec insn=[0-9]+ kind=byte_off field=task_struct\.real_parent access=0:[0-9]+ local=[0-9]+ target=[0-9]+$'
	assert_line --regexp '^on_exec insn=[0-9]+ kind=byte_off field=task_struct\.tgid access=0:[0-9]+ local=[0-9]+ target=[0-9]+$'
	assert_equal "${#lines[@]}" 2
}

@test "the access string's member index is the field's position in bpftool's dump" {
	index=$(bpftool btf dump file "$BTF_PATH" | awk '$2 == "STRUCT" && $3 == "'"'task_struct'"'" { i = 1; n = 0; next }
		/^\[/ { i = 0 } i { if ($1 == "'"'real_parent'"'") print n; n++ }')
	[ -n "$index" ]
	run "$TOOL" "$OBJ"
	assert_line --regexp "field=task_struct\.real_parent access=0:$index "
}

@test "the local offset is the one clang wrote into the instruction" {
	insn=$("$TOOL" "$OBJ" | awk '$4 == "field=task_struct.real_parent" { sub("insn=", "", $2); print $2 }')
	local_off=$("$TOOL" "$OBJ" | awk '$4 == "field=task_struct.real_parent" { sub("local=", "", $6); print $6 }')
	[ -n "$insn" ] && [ -n "$local_off" ]
	run bash -o pipefail -c "llvm-objdump -d --no-show-raw-insn '$OBJ' | grep -E '^ +$insn:'"
	# llvm-objdump 19 prints the constant in hex.
	assert_output --regexp "= ($local_off|$(printf '0x%x' "$local_off"))$"
}

@test "targets equal bpftool's offsets for the running kernel" {
	for FIELD in real_parent tgid; do
		target=$(target_of)
		expected=$(bpftool_offset "$BTF_PATH" task_struct "$FIELD")
		[ -n "$expected" ] || fail "bpftool has no task_struct.$FIELD"
		assert_equal "$target" "$expected"
	done
}

@test "targets equal the offsets libbpf patches in when it loads the object" {
	require_root
	log=$BATS_TEST_TMPDIR/libbpf.log
	run bpftool -d prog load "$OBJ" "/sys/fs/bpf/btf_core_labs_test_$$"
	rm -f "/sys/fs/bpf/btf_core_labs_test_$$"
	assert_success
	printf '%s\n' "$output" >"$log"
	records
	checked=0
	while read -r _ insn _ field _ _ target; do
		patched=$(sed -n "s/.*prog 'on_exec': relo #[0-9]*: patched insn #${insn#insn=} .* -> \([0-9]*\)$/\1/p" "$log")
		[ -n "$patched" ] || fail "libbpf patched nothing at ${insn} for ${field}"
		assert_equal "$patched" "${target#target=}"
		checked=$((checked + 1))
	done <"$BATS_TEST_TMPDIR/records"
	assert_equal "$checked" 2
}

@test "against another layout, the same object resolves to that layout's offsets" {
	other=$BATS_TEST_TMPDIR/other.o
	printf '%s\n' 'struct task_struct { char comm[16]; int tgid; int pid; long pad[3];' \
		'struct task_struct *parent, *real_parent; } t;' | clang -g -target bpf -c -x c - -o "$other"
	for FIELD in real_parent tgid; do
		expected=$(bpftool_offset "$other" task_struct "$FIELD")
		here=$(bpftool_offset "$BTF_PATH" task_struct "$FIELD")
		[ -n "$expected" ] && [ -n "$here" ]
		target=$(target_of --btf "$other")
		assert_equal "$target" "$expected"
		refute [ "$expected" = "$here" ]
	done
}

@test "a field missing from the target BTF resolves to 'missing'" {
	other=$BATS_TEST_TMPDIR/no_tgid.o
	echo 'struct task_struct { int pid; struct task_struct *real_parent; } t;' | clang -g -target bpf -c -x c - -o "$other"
	run "$TOOL" "$OBJ" --btf "$other"
	assert_success
	assert_line --regexp 'field=task_struct\.tgid .* target=missing$'
}

@test "an object without CO-RE relocations says so, exit 0" {
	plain=$BATS_TEST_TMPDIR/plain.bpf.o
	printf '%s\n' '__attribute__((section("tracepoint/x"), used)) int f(void *ctx) { return 0; }' |
		clang -O2 -g -target bpf -c -x c - -o "$plain"
	run "$TOOL" "$plain"
	assert_success
	assert_output "$plain: no CO-RE relocation records"
}

@test "a text file: one line, exit 1" {
	run "$TOOL" /etc/passwd
	assert_failure 1
	assert_output "core_relocs: /etc/passwd: not an ELF file; give a BPF object built with clang -target bpf"
}

@test "an ELF that is not BPF: one line, exit 1" {
	run "$TOOL" /bin/true
	assert_failure 1
	assert_output --regexp "^core_relocs: /bin/true: an ELF file, but not a BPF object \(machine [0-9]+, BPF is 247\)$"
}

@test "a missing object: one line, exit 1" {
	run "$TOOL" "$BATS_TEST_TMPDIR/nope.o"
	assert_failure 1
	assert_output "core_relocs: $BATS_TEST_TMPDIR/nope.o: No such file or directory"
}

@test "build.sh shows the records and every cross-check is ✔" {
	require_root
	run "$TOP/03-core-read/build.sh"
	assert_success
	assert_line --partial '$ clang -O2 -g -Wall -Werror -target bpf'
	assert_line --partial "patched insn #"
	refute_line --partial "✘"
	ticks=$(printf '%s\n' "${lines[@]}" | grep -c '✔')
	assert_equal "$ticks" 2
}
