#!/usr/bin/env bash
# Lab 03: build ppid.bpf.c from vmlinux.h alone, find the CO-RE relocation
# records clang wrote instead of offsets, and watch libbpf patch them.
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_btf
[ -s "$BUILD/vmlinux.h" ] || die "$BUILD/vmlinux.h is missing: run 'make lab-02' first"
obj=$BUILD/ppid.bpf.o src=03-core-read/ppid.bpf.c

step "Compile: vmlinux.h is the only kernel header on the include path"
compile=(clang -O2 -g -Wall -Werror -target bpf "-D__TARGET_ARCH_$(bpf_arch)" -I"$BUILD" -c "$src" -o "$obj")
if [ "$obj" -nt "$src" ] && [ "$obj" -nt "$BUILD/vmlinux.h" ]; then
	show "${compile[@]}"
	echo "(not run again: $obj is newer than $src and $BUILD/vmlinux.h)"
else
	run "${compile[@]}"
fi

step "The object carries its own BTF (.BTF) and the relocation records (.BTF.ext)"
run_sh "llvm-objdump -h $obj | grep -E 'BTF|tracepoint|rodata'"
cat <<'EXPLAIN'
  tracepoint/...      on_exec's instructions; the section name tells libbpf where to attach
  .reltracepoint/...  ELF relocations of those instructions: one, at the bpf_printk call, for
                      the address of its format string in .rodata
  .rodata             the format string, "exec %s ppid=%d"; libbpf makes it a map
  .BTF                the object's own types: task_struct as vmlinux.h declared it
  .BTF.ext            per-instruction records: line numbers and the CO-RE relocations
  .rel.BTF(.ext)      ELF relocations inside those two, for a linker; libbpf does not use them
EXPLAIN

step "The instructions: clang wrote this build machine's offsets as placeholders"
run_sh "llvm-objdump -dr --no-show-raw-insn $obj | grep -E '^ +[0-9]+:|R_BPF'"
cat <<'EXPLAIN'
  The constant added before each call 113 (bpf_probe_read_kernel) is real_parent's, then tgid's
  offset in this vmlinux.h; the CO-RE records below name these two instructions.
  r1 = 0 ll with R_BPF_64_64 .rodata under it: bpf_printk's format string, whose address nobody
  knows yet; libbpf writes there the fd of the .rodata map it creates, the kernel that map's address.
EXPLAIN

step "The relocation records, resolved against this kernel's BTF"
run "$BUILD/core_relocs" "$obj" --btf "$BTF_PATH"

step "libbpf's own view: bpftool -d loads the object (loaded, not attached) with libbpf's debug log"
require_root "loading a BPF program"
mount_bpffs
pin=/sys/fs/bpf/lab03_$$ log=$BUILD/libbpf-core.log
trap 'rm -f "$pin"' EXIT
run_sh "bpftool -d prog load $obj $pin 2> $log" || die "bpftool could not load $obj: its log is $log"
run bpftool prog show pinned "$pin"
id=$(bpftool prog show pinned "$pin" | sed -n 's/^\([0-9]*\): .*/\1/p')
run rm "$pin"
# The kernel frees the program a moment later; lab 04 counts programs, so wait for it.
for _ in $(seq 50); do bpftool prog show id "$id" >/dev/null 2>&1 || break; sleep 0.1; done
run_sh "grep -E \"against '.rodata'|CO-RE relocating|relo #[0-9]+: patched|map=ppid.rodata\" $log"
cat <<'EXPLAIN'
  patched insn #N ... imm A -> B    a CO-RE relocation: the offset clang wrote (A), this kernel's (B);
                                    equal here, because vmlinux.h came from this very kernel
  against '.rodata'                 the ELF relocation at bpf_printk: libbpf points the instruction
                                    at the .rodata map it created
  map_value(map=ppid.rodata)        the verifier's view of that instruction: the map's address
EXPLAIN

step "Cross-check: the offsets core_relocs computed against the ones libbpf patched in"
status=0
cross_check_relocations "$obj" "$BTF_PATH" "$log" "" || status=1

step "The same object against another layout: a made-up kernel with a smaller task_struct"
other=$BUILD/other_kernel
run_sh "printf 'struct task_struct { int state; int tgid; long pad[7]; struct task_struct *real_parent; } t;\\n' > $other.c"
run clang -g -target bpf -c "$other.c" -o "$other.o"
run "$BUILD/core_relocs" "$obj" --btf "$other.o"
say_next_step "$status" "make check-03 (this lab's tests), then make lab-04"
exit "$status"
