#!/usr/bin/env bats
# Lab 02: gen_vmlinux_h's header against bpftool's, and both against clang.

load helpers

setup_file() {
	bpftool btf dump file "$BTF_PATH" format c >"$BATS_FILE_TMPDIR/bpftool.h"
	bpftool btf dump file "$BTF_PATH" format c unsorted >"$BATS_FILE_TMPDIR/unsorted.h" 2>/dev/null ||
		cp "$BATS_FILE_TMPDIR/bpftool.h" "$BATS_FILE_TMPDIR/unsorted.h"
	"$BUILD_DIR/gen_vmlinux_h" -o "$BATS_FILE_TMPDIR/gen.h"
}

setup() {
	require_btf
	require_cmd bpftool
	BPFTOOL_H=$BATS_FILE_TMPDIR/bpftool.h
	UNSORTED_H=$BATS_FILE_TMPDIR/unsorted.h
	GEN_H=$BATS_FILE_TMPDIR/gen.h
}

# A C file that uses every named struct, union, enum and typedef of the
# kernel's BTF, read from bpftool's raw dump: it compiles after a header
# only if the header declares them all, complete. A struct sharing its name
# with an enum is written NAME___2, as both generators name it.
uses_of_every_btf_name() {
	bpftool btf dump file "$BTF_PATH" | awk -v q="'" '
		$3 == q "(anon)" q { next }
		{ name = $3; gsub(q, "", name) }
		$2 == "TYPEDEF" && !typedef[name]++ { print name " *t" NR ";" }
		$2 == "ENUM64" { $2 = "ENUM" }
		$2 == "STRUCT" || $2 == "UNION" || $2 == "ENUM" {
			if (!(name in kind)) kind[name] = $2
			else if (kind[name] == $2) next
			else name = name "___2"
			if (!tag[name]++) print "char k" NR "[sizeof(" tolower($2) " " name ")];"
		}'
}

# The body of struct NAME, with "(void)" parameter lists written "()".
struct_body() {
	awk -v start="struct $2 {" '$0 == start { inside = 1 } inside { print } inside && /^};/ { inside = 0 }' "$1" |
		sed 's/(void)/()/g'
}

@test "bpftool's header has over 10,000 lines and defines struct task_struct once" {
	[ "$(wc -l <"$BPFTOOL_H")" -gt 10000 ]
	assert_equal "$(grep -c 'struct task_struct {' "$BPFTOOL_H")" 1
}

@test "both headers declare every named struct, union, enum and typedef of the kernel's BTF" {
	uses_of_every_btf_name >"$BATS_TEST_TMPDIR/uses.c"
	[ "$(grep -c ' \*t' "$BATS_TEST_TMPDIR/uses.c")" -gt 1000 ]
	[ "$(grep -c 'sizeof(struct ' "$BATS_TEST_TMPDIR/uses.c")" -gt 1000 ]
	for h in "$UNSORTED_H" "$GEN_H"; do
		{ echo "#include \"$h\""; cat "$BATS_TEST_TMPDIR/uses.c"; } >"$BATS_TEST_TMPDIR/all.c"
		run clang -target bpf -fsyntax-only "$BATS_TEST_TMPDIR/all.c"
		assert_success
	done
}

@test "beyond bpftool's kfunc declarations and its '(void)', the two headers are the same lines" {
	[ "$(wc -l <"$UNSORTED_H")" -gt 10000 ]
	[ "$(wc -l <"$GEN_H")" -gt 10000 ]
	# diff exits 1 when the files differ: only 2 and up is trouble.
	diff <(sed 's/(void)/()/g' "$UNSORTED_H") <(sed 's/(void)/()/g' "$GEN_H") >"$BATS_TEST_TMPDIR/diff" || [ $? -eq 1 ]
	run grep '^>' "$BATS_TEST_TMPDIR/diff"
	assert_failure 1
	run grep -vE '^< (.*__ksym;|#ifndef (__ksym|__weak|BPF_NO_KFUNC_PROTOTYPES)|#define (__ksym|__weak|BPF_NO_KFUNC_PROTOTYPES)( .*)?|#endif|/\* BPF kfuncs \*/|)$' \
		<(grep '^<' "$BATS_TEST_TMPDIR/diff")
	assert_failure 1
}

@test "struct task_struct has the same body in both headers" {
	expected=$(struct_body "$UNSORTED_H" task_struct)
	[ "$(wc -l <<<"$expected")" -gt 100 ]
	assert_equal "$(struct_body "$GEN_H" task_struct)" "$expected"
}

@test "both headers open with the guard and the preserve_access_index pragma" {
	for h in "$BPFTOOL_H" "$GEN_H"; do
		run head -n 5 "$h"
		assert_line --index 0 "#ifndef __VMLINUX_H__"
		assert_line --index 3 "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)"
		run tail -n 5 "$h"
		assert_line "#pragma clang attribute pop"
		assert_line "#endif /* __VMLINUX_H__ */"
	done
}

@test "both headers compile: a BPF program reading task_struct.tgid builds against each" {
	for h in "$BPFTOOL_H" "$GEN_H"; do
		dir=$BATS_TEST_TMPDIR/$(basename "$h" .h)
		mkdir -p "$dir"
		cp "$h" "$dir/vmlinux.h"
		printf '%s\n' '#include "vmlinux.h"' \
			'int read_tgid(struct task_struct *task) { return task->tgid; }' >"$dir/prog.bpf.c"
		run clang -O2 -g -target bpf -I"$dir" -c "$dir/prog.bpf.c" -o "$dir/prog.bpf.o"
		assert_success
	done
}

@test "the pragma turns a plain field access into a CO-RE relocation" {
	dir=$BATS_TEST_TMPDIR/pragma
	mkdir -p "$dir"
	cp "$GEN_H" "$dir/vmlinux.h"
	printf '%s\n' '#include "vmlinux.h"' \
		'__attribute__((section("tp/x"), used)) int f(struct task_struct *task) { return task->tgid; }' >"$dir/prog.bpf.c"
	clang -O2 -g -target bpf -I"$dir" -c "$dir/prog.bpf.c" -o "$dir/with.o"
	clang -O2 -g -target bpf -DBPF_NO_PRESERVE_ACCESS_INDEX -I"$dir" -c "$dir/prog.bpf.c" -o "$dir/without.o"
	run "$BUILD_DIR/core_relocs" "$dir/with.o"
	assert_output --regexp "kind=byte_off field=task_struct\.tgid access=0:[0-9]+ local=$(bpftool_offset "$BTF_PATH" task_struct tgid) "
	run "$BUILD_DIR/core_relocs" "$dir/without.o"
	assert_output "$dir/without.o: no CO-RE relocation records"
}

@test "--btf on another BTF writes that BTF's types" {
	printf 'struct pair { int first; long second; } p;\n' | clang -g -target bpf -c -x c - -o "$BATS_TEST_TMPDIR/pair.o"
	run "$BUILD_DIR/gen_vmlinux_h" --btf "$BATS_TEST_TMPDIR/pair.o"
	assert_success
	assert_line "struct pair {"
	assert_line --regexp "^	long( int)? second;$"
}

@test "a file that is not BTF: one line, exit 1, no output file left" {
	out=$BATS_TEST_TMPDIR/out.h
	run --separate-stderr "$BUILD_DIR/gen_vmlinux_h" --btf /etc/passwd -o "$out"
	assert_failure 1
	assert_equal "$stderr" "gen_vmlinux_h: /etc/passwd: not BTF, nor an ELF with a valid .BTF section (btf__parse: BPF object format invalid)"
	run ls -A "$BATS_TEST_TMPDIR"
	refute_output --partial "out.h"
}

@test "a missing file: one line, exit 1, no output file left" {
	out=$BATS_TEST_TMPDIR/out.h
	run --separate-stderr "$BUILD_DIR/gen_vmlinux_h" --btf "$BATS_TEST_TMPDIR/missing" -o "$out"
	assert_failure 1
	assert_equal "$stderr" "gen_vmlinux_h: $BATS_TEST_TMPDIR/missing: No such file or directory"
	[ ! -e "$out" ]
}

@test "an output that cannot be written: one line, exit 1, the old file untouched" {
	out=$BATS_TEST_TMPDIR/no-such-dir/out.h
	run --separate-stderr "$BUILD_DIR/gen_vmlinux_h" -o "$out"
	assert_failure 1
	assert_equal "$stderr" "gen_vmlinux_h: cannot write next to $out: No such file or directory"
}

@test "gen.sh again on the same kernel leaves vmlinux.h alone; a new BTF stamp has it written again" {
	build=$BATS_TEST_TMPDIR/build
	mkdir "$build"
	cp "$BUILD_DIR/gen_vmlinux_h" "$build/"
	echo "a kernel" >"$build/kernel-btf.id"
	BUILD_DIR=$build run "$TOP/02-vmlinux-h/gen.sh"
	assert_success
	refute_line --partial "(not run again"
	first=$(stat -c %Y.%N "$build/vmlinux.h")
	BUILD_DIR=$build run "$TOP/02-vmlinux-h/gen.sh"
	assert_success
	assert_line --regexp "^\(not run again: .*/vmlinux.h is newer than .*/kernel-btf.id"
	[ -n "$first" ] && [ "$(stat -c %Y.%N "$build/vmlinux.h")" = "$first" ] || fail "vmlinux.h was written again"
	# make renews the stamp after a kernel change: the header must follow.
	touch -d '-1 minute' "$build/vmlinux.h"
	echo "another kernel" >"$build/kernel-btf.id"
	BUILD_DIR=$build run "$TOP/02-vmlinux-h/gen.sh"
	assert_success
	refute_line --partial "(not run again"
	[ "$build/vmlinux.h" -nt "$build/kernel-btf.id" ] || fail "vmlinux.h was not written after the stamp changed"
	grep -q 'struct task_struct {' "$build/vmlinux.h"
}

@test "gen.sh prints its commands and ends with ✔" {
	run "$TOP/02-vmlinux-h/gen.sh"
	assert_success
	assert_line "\$ bpftool btf dump file $BTF_PATH format c > $BUILD_REL/vmlinux.h"
	assert_line "\$ $BUILD_REL/gen_vmlinux_h --btf $BTF_PATH -o $BUILD_REL/vmlinux.gen.h"
	assert_line --partial "✔ the two generators agree on every type"
}
