#!/usr/bin/env bash
# make clang-matrix: lab 03's ppid.bpf.c built by every clang this machine's
# Debian release packages (clang-13 to -16 on Debian 12, -17 to -19 on 13:
# asked of apt, not written here). For each object:
#   relocations  core_relocs' records, next to those of build/ppid.bpf.o
#                (the default clang's): the same fields, kinds and offsets?
#   ppid         the object loaded by lab 04's loader, a program run from a
#                shell, and the ppid the program printed for it, next to that
#                shell's own $$
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common/lib.sh
. "$here/lib.sh"

require_root "clang-matrix loads each object into the kernel"
require_btf
# Its lines would be indistinguishable from the object under test's.
require_no_lab04_program
require_free_trace_pipe "$(tracefs_dir)/trace_pipe"

reference=$BUILD/ppid.bpf.o
out=$BUILD/clang-matrix
mapfile -t clangs < <(apt-cache pkgnames clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n)
[ "${#clangs[@]}" -gt 0 ] || die "apt knows no clang-N package: run 'apt-get update', then retry"

# The records without the instruction number: what libbpf is asked to patch.
records() {
	"$BUILD/core_relocs" "$1" | sed 's/ insn=[0-9]*//'
}
insns() {
	"$BUILD/core_relocs" "$1" | sed -n 's/.* insn=\([0-9]*\) .*/\1/p' | paste -sd, -
}

on_exec_programs() {
	bpftool -j prog show | jq '[.[] | select(.name == "on_exec")] | length'
}

# Load OBJ's loader, run a uniquely named program from a shell, and print
# "<ppid the program saw> <the shell's $$>".
traced_ppid() {
	local loader=$1 comm=$2 before follower parent seen
	before=$(on_exec_programs)
	"$loader" --follow --duration 2 >"$out/$comm.out" 2>"$out/$comm.err" &
	follower=$!
	for _ in $(seq 50); do [ "$(on_exec_programs)" -gt "$before" ] && break; sleep 0.1; done
	ln -sf "$(type -P true)" "$out/$comm"
	parent=$(bash -c 'echo $$; "$1"; :' _ "$out/$comm")
	wait "$follower" || { warn "$loader: $(sed -n 1p "$out/$comm.err")"; echo "- $parent"; return 0; }
	seen=$(sed -n "s/.*exec $comm ppid=\([0-9]*\)$/\1/p" "$out/$comm.out")
	echo "${seen:--} $parent"
}

mkdir -p "$out"
reference_records=$(records "$reference")
[ -n "$reference_records" ] || die "$reference has no CO-RE relocation: rebuild it with 'make $reference'"
failures=0 proved=() on_exec_before=$(on_exec_programs)
for clang in "${clangs[@]}"; do
	dir=$out/$clang
	mkdir -p "$dir"
	cp "$BUILD/vmlinux.h" "$dir/vmlinux.h"
	compiler=$clang
	# vmlinux.h tags kernel pointers with btf_type_tag, which clang learned in
	# 14: clang 13 warns that it ignores it (harmless: only BTF reads the tag).
	[ "${clang#clang-}" -ge 14 ] || compiler="$clang -Wno-unknown-attributes"
	# The project's own rules, with another compiler and another build dir.
	if ! run_sh "make --no-print-directory -s BUILD=$(shell_quote "$dir") CLANG=$(shell_quote "$compiler") $(shell_quote "$dir/ppid") > $(shell_quote "$dir/build.log") 2>&1"; then
		bad "$clang: the build failed (see $dir/build.log)"
		failures=$((failures + 1))
		continue
	fi
	version=$("$clang" --version | sed -n 's/.*clang version \([0-9.]*\).*/\1/p' | sed -n 1p)
	if [ "$(records "$dir/ppid.bpf.o")" != "$reference_records" ]; then
		relocations="✘ other records: $(records "$dir/ppid.bpf.o" | tr '\n' ';')"
		failures=$((failures + 1))
	elif [ "$(insns "$dir/ppid.bpf.o")" != "$(insns "$reference")" ]; then
		relocations="✔ identical but for the instructions patched ($(insns "$dir/ppid.bpf.o") vs $(insns "$reference"))"
	else
		relocations="✔ identical ($(records "$reference" | wc -l) records, insns $(insns "$reference"))"
	fi
	read -r seen parent < <(traced_ppid "$dir/ppid" "cm${clang#clang-}_$$")
	if [ -n "$parent" ] && [ "$seen" = "$parent" ]; then
		ppid="✔ $seen, the shell's \$\$ $parent"
		[[ $relocations == ✔* ]] && proved+=("$version")
	else
		ppid="✘ ${seen:-nothing}, the shell's \$\$ ${parent:-unknown}"
		failures=$((failures + 1))
	fi
	echo "$clang $version: relocations $relocations; ppid $ppid"
done
[ "$(on_exec_programs)" -eq "$on_exec_before" ] || warn "programs called on_exec: $(on_exec_programs) loaded, $on_exec_before before"
echo "clang versions proved: ${proved[*]:-none}"
[ "$failures" -eq 0 ]
