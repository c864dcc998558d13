#!/usr/bin/env bash
# Lab 02: turn the kernel's BTF into vmlinux.h, with bpftool and with a small
# generator on libbpf's btf_dump API, and measure how the two differ.
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_btf
h=$BUILD/vmlinux.h gen=$BUILD/vmlinux.gen.h unsorted=$BUILD/vmlinux.unsorted.h

step "bpftool writes every type of the kernel as C"
dump="bpftool btf dump file $BTF_PATH format c > $h"
# Rewritten with the same types, vmlinux.h would look new to everything built from it.
if [ -s "$h" ] && [ "$h" -nt "$BUILD/kernel-btf.id" ]; then
	show_sh "$dump"
	echo "(not run again: $h is newer than $BUILD/kernel-btf.id, the stamp of this kernel's BTF; make renews the stamp when the kernel changes)"
else
	run_sh "$dump"
fi
run wc -l "$h"
run grep -c 'struct task_struct {' "$h"

step "Its first lines: a guard, and the pragma that makes every struct CO-RE"
run head -n 6 "$h"

step "The same from libbpf's btf_dump API: 02-vmlinux-h/gen_vmlinux_h.c"
run "$BUILD/gen_vmlinux_h" --btf "$BTF_PATH" -o "$gen"
run wc -l "$gen"
run head -n 6 "$gen"

names() {
	grep -oE '^(struct|union|enum) [A-Za-z0-9_]+ \{|^typedef .*[ *]\(?\*?[A-Za-z0-9_]+\)?[;([]|^\} [A-Za-z0-9_]+;' "$1" | sort -u
}
# Names in A but not in B, and in B but not in A, as "N and M".
name_difference() {
	echo "$(comm -23 <(names "$1") <(names "$2") | wc -l) and $(comm -13 <(names "$1") <(names "$2") | wc -l)"
}

step "Compare: first, bpftool in type-id order, as gen_vmlinux_h writes"
if bpftool btf help 2>&1 | grep unsorted >/dev/null; then
	run_sh "bpftool btf dump file $BTF_PATH format c unsorted > $unsorted"
	echo "sorted against unsorted, declarations only in one of them: $(name_difference "$h" "$unsorted")"
	echo "(the same types; but where two types share a name, which one becomes name___2 depends on the order)"
else
	echo "this bpftool has no 'unsorted': it writes types in id order already"
	run cp "$h" "$unsorted"
fi

step "The same declarations? struct, union, enum and typedef names only in one header"
only=$(name_difference "$unsorted" "$gen")
echo "only in bpftool's, and only in gen_vmlinux_h's: $only"

step "What differs, line by line"
run_sh "diff $unsorted $gen | grep -c '^[<>]' || true"
only_bpftool=$(diff "$unsorted" "$gen" | grep '^<' || true)
ksym=$(grep -c '__ksym;$' <<<"$only_bpftool" || true)
void_params=$(grep -v '__ksym;$' <<<"$only_bpftool" | grep -c '(void)' || true)
macros=$(grep -v -e '__ksym;$' -e '(void)' <<<"$only_bpftool" | grep -c . || true)
bpftool_version=$(bpftool version | sed -n 1p)
bpftool_libbpf=$(bpftool version | sed -n 's/^using libbpf //p')
echo "  $ksym lines, only in bpftool's (<): $bpftool_version declares the kernel's kfuncs as 'extern ... __weak __ksym;'"
echo "  $macros lines, only in bpftool's (<): the __ksym and __weak macros they use, with their guards and blank lines;"
echo "    btf_dump prints types only"
echo "  $void_params lines, each seen twice in the diff (< and >): an empty parameter list is '(void)' from bpftool's own libbpf ($bpftool_libbpf),"
echo "    '()' from this machine's libbpf $(pkg-config --modversion libbpf), which gen_vmlinux_h uses"
echo "  $ksym + $macros + 2 x $void_params = $((ksym + macros + 2 * void_params)) lines"

step "Without those, nothing is left"
run_sh "02-vmlinux-h/normalise.sh $unsorted > $unsorted.normalised"
run_sh "02-vmlinux-h/normalise.sh $gen > $gen.normalised"
run wc -l "$unsorted.normalised" "$gen.normalised"
run_sh "diff $unsorted.normalised $gen.normalised | wc -l || true"
# diff exits 1 when the files differ, 2 when it cannot compare them.
left=$( { diff "$unsorted.normalised" "$gen.normalised" || [ $? -eq 1 ]; } | wc -l)
# Two empty files agree too: a header is tens of thousands of lines.
kept=$(cat "$unsorted.normalised" "$gen.normalised" | grep -c 'struct task_struct {' || true)
if [ "$kept" -ne 2 ]; then
	bad "the normalised headers hold $kept definitions of task_struct, not one each: nothing to compare"
	exit 1
elif [ "$left" -eq 0 ] && [ "$only" = "0 and 0" ]; then
	ok "the two generators agree on every type"
else
	bad "$left lines differ beyond the known differences"
	exit 1
fi
say_next_step 0 "make check-02 (this lab's tests), then make lab-03"
