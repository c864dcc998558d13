#!/usr/bin/env bash
# Preflight: one line per requirement, ✔ or ✘, and on ✘ the fix.
# Mounts bpffs and tracefs when they are missing and it can.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

failures=0
check() {
	local what=$1 fix=$2
	shift 2
	local detail
	if detail=$("$@" 2>&1); then
		ok "$what${detail:+: $detail}"
	else
		bad "$what${detail:+: $detail} -> $fix"
		failures=$((failures + 1))
	fi
}

privileged() {
	if [ "$(id -u)" -eq 0 ]; then echo root; return 0; fi
	local eff
	eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	# CAP_PERFMON is bit 38, CAP_BPF bit 39.
	if (( (0x$eff >> 38 & 3) == 3 )); then echo "CAP_BPF+CAP_PERFMON"; return 0; fi
	echo "neither root nor CAP_BPF+CAP_PERFMON"
	return 1
}

# Debian 12 and 13 are tested (make test, make test-trixie); others best effort.
release() {
	(. /etc/os-release && echo "${PRETTY_NAME:-${ID:-unknown}}")
}

kernel_version() {
	local v
	v=$(uname -r)
	echo "$v"
	# BTF in sysfs came with 5.4; CO-RE relocations of the kind used here need 5.5+.
	awk -F. '{ exit !($1 > 5 || ($1 == 5 && $2 >= 5)) }' <<<"$v"
}

kernel_btf() {
	[ -r "$BTF_PATH" ] || { echo "$BTF_PATH missing (kernel built without CONFIG_DEBUG_INFO_BTF)"; return 1; }
	echo "$BTF_PATH, $(stat -c %s "$BTF_PATH") bytes"
}

mounted() {
	local what=$1 dir
	if [ "$what" = bpffs ]; then
		mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || { echo "not mounted at /sys/fs/bpf"; return 1; }
		echo /sys/fs/bpf
	else
		dir=$( (mount_tracefs >/dev/null && tracefs_dir) 2>/dev/null) || { echo "not mounted at /sys/kernel/tracing"; return 1; }
		echo "$dir"
	fi
}

lockdown() {
	local f=/sys/kernel/security/lockdown mode
	[ -r "$f" ] || { echo "none (no lockdown LSM)"; return 0; }
	mode=$(sed 's/.*\[\(.*\)\].*/\1/' "$f")
	echo "$mode"
	# "confidentiality" forbids reading kernel memory, which bpf_probe_read_kernel does.
	[ "$mode" != confidentiality ]
}

unprivileged_bpf() {
	local v
	v=$(sysctl -n kernel.unprivileged_bpf_disabled 2>/dev/null) || { echo "unknown"; return 0; }
	case "$v" in
	0) echo "0 (anyone may load some programs)" ;;
	*) echo "$v (only root or CAP_BPF loads programs, which is what the labs do)" ;;
	esac
}

tool_version() {
	local cmd=$1
	command -v "$cmd" >/dev/null || { echo "not installed"; return 1; }
	case "$cmd" in
	clang) clang --version | sed -n 1p ;;
	bpftool) bpftool version | sed -n 1p ;;
	bats) bats --version ;;
	esac
}

libbpf_version() {
	pkg-config --modversion libbpf 2>/dev/null || { echo "libbpf-dev not installed"; return 1; }
}

autoattach() {
	if bpftool_has_autoattach; then
		echo "yes: lab 04 loads with 'bpftool prog loadall ... autoattach'"
	else
		echo "no: lab 04 uses its own libbpf loader instead"
	fi
}

echo "btf-core-labs doctor"
check "privileges" "run with sudo" privileged
check "release" "" release
check "kernel" "use a 5.5 or newer kernel" kernel_version
check "kernel BTF" "use a distribution kernel built with CONFIG_DEBUG_INFO_BTF=y" kernel_btf
check "bpffs" "sudo mount -t bpf bpf /sys/fs/bpf" mounted bpffs
check "tracefs" "sudo mount -t tracefs tracefs /sys/kernel/tracing" mounted tracefs
check "lockdown" "boot with lockdown=integrity or none" lockdown
check "kernel.unprivileged_bpf_disabled" "" unprivileged_bpf
check "clang" "sudo make setup" tool_version clang
check "libbpf" "sudo make setup" libbpf_version
check "bpftool" "sudo make setup" tool_version bpftool
check "bpftool autoattach" "" autoattach
check "bats" "sudo make setup" tool_version bats

if [ "$failures" -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
