#!/usr/bin/env bash
# Lab 03: build ppid.bpf.c from vmlinux.h alone, find the CO-RE relocation
# records clang wrote instead of offsets, and watch libbpf patch them.
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_btf
[ -s "$BUILD/vmlinux.h" ] || die "$BUILD/vmlinux.h is missing: run 'make lab-02' first"

obj=$BUILD/ppid.bpf.o

step "Compile: vmlinux.h is the only kernel header on the include path"
run clang -O2 -g -Wall -Werror -target bpf "-D__TARGET_ARCH_$(bpf_arch)" -I"$BUILD" \
	-c 03-core-read/ppid.bpf.c -o "$obj"

step "The object carries its own BTF (.BTF) and the relocation records (.BTF.ext)"
run_sh "llvm-objdump -h $obj | grep -E 'BTF|tracepoint'"

step "The instructions: clang wrote this build machine's offsets as placeholders"
run_sh "llvm-objdump -d --no-show-raw-insn $obj | grep -E '^ +[0-9]+:' | sed -n 1,16p"

step "The relocation records, resolved against this kernel's BTF"
run "$BUILD/core_relocs" "$obj" --btf "$BTF_PATH"

step "libbpf's own view: load with debug logging, detach and unload at once"
require_root "loading a BPF program"
mount_bpffs
mount_tracefs
libbpf_log=$BUILD/libbpf-core.log
run_sh "$BUILD/ppid --verbose --follow --duration 1 2>$libbpf_log >/dev/null; grep -E 'CO-RE relocating|relo #[0-9]+: patched' $libbpf_log"

step "Cross-check: the offsets core_relocs computed against the ones libbpf patched in"
status=0
cross_check_relocations "$obj" "$BTF_PATH" "$libbpf_log" "" || status=1

step "The same object against another layout: a made-up kernel with a smaller task_struct"
other=$BUILD/other_kernel
run_sh "printf 'struct task_struct { int state; int tgid; long pad[7]; struct task_struct *real_parent; } t;\\n' > $other.c"
run clang -g -target bpf -c "$other.c" -o "$other.o"
run "$BUILD/core_relocs" "$obj" --btf "$other.o"
exit "$status"
