# Shell helpers shared by every lab script. Sourced, never run.
# shellcheck shell=bash

# Scripts run from the top of the checkout, so the commands they print are
# short and can be typed as shown.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 1
# Where everything that is built goes (make sets BUILD_DIR), as a path to type.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD=$(realpath -m --relative-to=. "${BUILD_DIR:-build}")
PIN_DIR=${PIN_DIR:-/sys/fs/bpf/ppid}
BTF_PATH=${BTF_PATH:-/sys/kernel/btf/vmlinux}

if [ -t 1 ]; then
	c_cmd=$'\e[1;36m' c_ok=$'\e[32m' c_bad=$'\e[31m' c_off=$'\e[0m'
else
	c_cmd='' c_ok='' c_bad='' c_off=''
fi

# The arch name libbpf's bpf_tracing.h expects in __TARGET_ARCH_<arch>.
bpf_arch() {
	uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
		-e 's/mips.*/mips/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/'
}

die() { echo "error: $*" >&2; exit 1; }
warn() { echo "warning: $*" >&2; }
step() { printf '\n%s== %s ==%s\n' "$c_cmd" "$*" "$c_off"; }
ok() { printf '%s✔%s %s\n' "$c_ok" "$c_off" "$*"; }
bad() { printf '%s✘%s %s\n' "$c_bad" "$c_off" "$*"; }

# Print a command the way a learner would type it.
show() {
	printf '%s$ %s%s\n' "$c_cmd" "$*" "$c_off"
}

# Print a command, then run it.
run() {
	show "$@"
	"$@"
}

# The same for a command line with pipes or redirections.
run_sh() {
	show "$1"
	bash -o pipefail -c "$1"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || die "$1 needs root: run it with sudo"
}

require_btf() {
	[ -r "$BTF_PATH" ] ||
		die "no kernel BTF at $BTF_PATH: this kernel was built without CONFIG_DEBUG_INFO_BTF; use a distribution kernel that has it (Debian 11+, Ubuntu 20.10+, Fedora 31+)"
}

bpftool_has_autoattach() {
	command -v bpftool >/dev/null 2>&1 && bpftool prog help 2>&1 | grep autoattach >/dev/null
}

mount_bpffs() {
	mountpoint -q /sys/fs/bpf && return 0
	run mount -t bpf bpf /sys/fs/bpf ||
		die "cannot mount bpffs at /sys/fs/bpf: run as root, or ask the machine's admin to mount it"
}

mount_tracefs() {
	[ -e /sys/kernel/tracing/trace_pipe ] && return 0
	[ -e /sys/kernel/debug/tracing/trace_pipe ] && return 0
	run mount -t tracefs tracefs /sys/kernel/tracing ||
		die "cannot mount tracefs at /sys/kernel/tracing: run as root, or ask the machine's admin to mount it"
}

# trace_pipe takes one reader at a time on recent kernels; say who to stop.
require_free_trace_pipe() {
	(exec 3<"$1") 2>/dev/null ||
		die "$1 is busy: another program reads it (cat, bpftool prog tracelog, ppid --follow); stop it and retry"
}

# Lab 04's program prints "exec <comm> ppid=<n>" into the same trace_pipe:
# a run that looks for such lines must not start while it is loaded.
require_no_lab04_program() {
	[ -z "$(bpftool prog show name on_exec 2>/dev/null)" ] ||
		die "a program called on_exec is still loaded (lab 04's, pinned under $PIN_DIR?) and its lines would mix with this run's: run 'sudo make lab-05' first"
}

# kernel.bpf_stats_enabled is one switch for the whole machine: one script
# at a time may turn it on and put it back. The lock goes when we exit.
own_bpf_stats() {
	exec 8>/run/btf-core-labs-bpf-stats.lock
	flock -n 8 ||
		die "another run is measuring with kernel.bpf_stats_enabled (lab 04's trace.sh or make bench): wait for it to finish, then retry"
}

# One ✔/✘ line per CO-RE relocation of OBJ: the offset core_relocs computes
# against BTF, next to the one libbpf's log LOG says it patched in. PREFIX
# names where the log comes from. Fails if any differ.
cross_check_relocations() {
	local obj=$1 btf=$2 log=$3 prefix=$4 prog insn field target patched status=0
	while read -r prog insn _ field _ _ target; do
		insn=${insn#insn=} target=${target#target=} field=${field#field=}
		patched=$(sed -n "s/.*prog '$prog': relo #[0-9]*: patched insn #$insn .* imm [0-9]* -> \([0-9]*\)$/\1/p" "$log")
		if [ "$patched" = "$target" ]; then
			ok "$prefix$field: core_relocs $target, libbpf patched insn #$insn to $patched"
		else
			bad "$prefix$field: core_relocs $target, libbpf patched insn #$insn to ${patched:-nothing}"
			status=1
		fi
	done < <("$BUILD/core_relocs" "$obj" --btf "$btf")
	return "$status"
}

# The directory that holds trace_pipe: the modern place first, debugfs second.
tracefs_dir() {
	local d
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -e "$d/trace_pipe" ] && { echo "$d"; return 0; }
	done
	die "tracefs is not mounted: run 'sudo make setup' (or: mount -t tracefs tracefs /sys/kernel/tracing)"
}
