#!/usr/bin/env bats
# Lab 01: btf_inspect against bpftool's dump and stat, never against itself.

load helpers

setup() {
	require_btf
	require_cmd bpftool
	require_cmd jq
	TOOL=$BUILD_DIR/btf_inspect
}

@test "size equals stat's size of the BTF file" {
	run "$TOOL"
	assert_success
	assert_line "path: $BTF_PATH"
	assert_line "size: $(stat -c %s "$BTF_PATH") bytes"
}

@test "type count equals bpftool's" {
	types=$(bpftool btf dump file "$BTF_PATH" | grep -c '^\[')
	[ "$types" -gt 0 ]
	run "$TOOL"
	assert_success
	assert_line "types: $types"
}

@test "per-kind counts add up to bpftool's count per kind" {
	run "$TOOL"
	assert_success
	expected=$(bpftool btf dump file "$BTF_PATH" | awk '/^\[/ { n[$2]++ } END { for (k in n) print k, n[k] }' | sort)
	actual=$(printf '%s\n' "${lines[@]}" | awk 'NR > 3 { print $1, $2 }' | sort)
	[ "$(wc -l <<<"$expected")" -ge 5 ]
	assert_equal "$actual" "$expected"
}

@test "task_struct pid, tgid and real_parent offsets equal bpftool's bits_offset/8" {
	run "$TOOL" task_struct pid tgid real_parent
	assert_success
	for field in pid tgid real_parent; do
		expected=$(bpftool_offset "$BTF_PATH" task_struct "$field")
		[ -n "$expected" ]
		assert_line --regexp "^task_struct\.$field offset=$expected size=[0-9]+$"
	done
}

@test "real_parent is a pointer: its size is the machine's pointer size" {
	run "$TOOL" task_struct real_parent
	assert_success
	pointer_size=$(($(getconf LONG_BIT) / 8))
	assert_output --regexp "size=$pointer_size$"
}

@test "a field inside anonymous struct/union members has bpftool's summed offset" {
	# Find, in bpftool's JSON, a field two anonymous levels deep at a non-zero offset.
	bpftool -j btf dump file "$BTF_PATH" >"$BATS_TEST_TMPDIR/btf.json"
	read -r struct field offset < <(jq -r '.types as $t
		| def anon_fields($id; $off; $depth):
			$t[$id - 1] | select(.kind == "STRUCT" or .kind == "UNION") | .members[]
			| if .name == "(anon)" then anon_fields(.type_id; $off + .bits_offset; $depth + 1)
			  elif $depth > 0 and (.bitfield_size // 0) == 0 then {name, bits: ($off + .bits_offset), $depth}
			  else empty end;
		first($t[] | select(.kind == "STRUCT" and .name != "(anon)") as $s
			| anon_fields($s.id; 0; 0) | select(.depth >= 2 and .bits > 0)
			| "\($s.name) \(.name) \(.bits / 8)")' "$BATS_TEST_TMPDIR/btf.json")
	[ -n "$field" ]
	run "$TOOL" "$struct" "$field"
	assert_success
	assert_output --regexp "^$struct\.$field offset=$offset size=[0-9]+$"
}

@test "a dotted path walks into a nested struct: se.vruntime" {
	se=$(bpftool_offset "$BTF_PATH" task_struct se)
	vruntime=$(bpftool_offset "$BTF_PATH" sched_entity vruntime)
	[ -n "$se" ] && [ -n "$vruntime" ]
	run "$TOOL" task_struct se.vruntime
	assert_success
	assert_output --regexp "^task_struct\.se\.vruntime offset=$((se + vruntime)) size=8$"
}

@test "a bitfield reports bpftool's bit offset and width" {
	line=$(bpftool btf dump file "$BTF_PATH" | awk '$2 == "STRUCT" && $3 == "'"'task_struct'"'" { i = 1; next }
		/^\[/ { i = 0 } i && /bitfield_size=/ && !found { print; found = 1 }')
	[ -n "$line" ]
	field=$(echo "$line" | sed "s/^\s*'\([^']*\)'.*/\1/")
	bits=$(echo "$line" | sed 's/.*bits_offset=\([0-9]*\).*/\1/')
	width=$(echo "$line" | sed 's/.*bitfield_size=\([0-9]*\).*/\1/')
	run "$TOOL" task_struct "$field"
	assert_success
	assert_output --regexp "^task_struct\.$field offset=$((bits / 8)) size=[0-9]+ bit_offset=$bits bits=$width$"
}

@test "@BYTE names the member bpftool places at that byte" {
	real_parent=$(bpftool_offset "$BTF_PATH" task_struct real_parent)
	[ -n "$real_parent" ]
	for at in 0 "$real_parent" $((real_parent + 7)) $((real_parent - 1)); do
		run "$TOOL" task_struct "@$at"
		assert_success
		assert_output --regexp "^task_struct@$at in $(bpftool_member_at "$BTF_PATH" task_struct "$at") offset=[0-9]+ size=[0-9]+$"
	done
}

@test "@BYTE that is not a number, or past the struct: one line, exit 1" {
	run "$TOOL" task_struct @x
	assert_failure 1
	assert_output "btf_inspect: '@x' is not @BYTE (a byte offset such as @1280)"
	run "$TOOL" task_struct @10000000
	assert_failure 1
	assert_output --regexp "^btf_inspect: no member of task_struct holds byte 10000000 \(padding, or past its [0-9]+ bytes\)$"
}

@test "an ELF with a .BTF section works as --btf" {
	obj=$BATS_TEST_TMPDIR/pair.o
	printf 'struct pair { int first; long second; } p;\n' | clang -g -target bpf -c -x c - -o "$obj"
	run "$TOOL" --btf "$obj" pair second
	assert_success
	assert_output "pair.second offset=8 size=8"
}

@test "unknown struct: one line naming it, exit 1" {
	run "$TOOL" no_such_struct pid
	assert_failure 1
	assert_output "btf_inspect: struct 'no_such_struct' not found in $BTF_PATH"
}

@test "unknown field: one line naming it, exit 1" {
	run "$TOOL" task_struct no_such_field
	assert_failure 1
	assert_output "btf_inspect: field 'no_such_field' not found in struct task_struct"
}

@test "a file that is not BTF: one line naming it, exit 1" {
	run "$TOOL" --btf /etc/passwd
	assert_failure 1
	assert_output --regexp "^btf_inspect: /etc/passwd: not BTF"
	assert_equal "${#lines[@]}" 1
}

@test "a missing file: one line naming it, exit 1" {
	run "$TOOL" --btf "$BATS_TEST_TMPDIR/missing"
	assert_failure 1
	assert_output "btf_inspect: $BATS_TEST_TMPDIR/missing: No such file or directory"
}

@test "an unreadable file: one line naming it, exit 1" {
	require_cmd setpriv
	unreadable=$(mktemp /tmp/btf-core-labs.XXXXXX)
	cp "$BTF_PATH" "$unreadable"
	chmod 000 "$unreadable"
	run_as_nobody build/btf_inspect -- build/btf_inspect --btf "$unreadable"
	rm -f "$unreadable"
	assert_failure 1
	assert_output "btf_inspect: $unreadable: Permission denied"
}

@test "inspect.sh prints each command, then the cross-check all ✔" {
	run "$TOP/01-btf-inspect/inspect.sh"
	assert_success
	assert_line "\$ ls -la $BTF_PATH"
	assert_line --partial "btf_inspect --btf $BTF_PATH task_struct pid tgid real_parent"
	refute_line --partial "✘"
	ticks=$(printf '%s\n' "${lines[@]}" | grep -c '✔')
	assert_equal "$ticks" 3
}
