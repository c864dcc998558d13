#!/usr/bin/env bash
# Preflight: one line per requirement, ✔ or ✘, and on ✘ the fix. The last
# line is one verdict a teacher can read across a room:
#   ready: labs 01–05 yes, lab 06 yes (TCG), exercises yes
# Mounts bpffs and tracefs when they are missing and it can.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Each check names the parts of the workshop it blocks when it fails.
declare -A blocked=([labs]='' [lab06]='' [exercises]='')
failures=0

# check WHAT BLOCKS FIX COMMAND...: COMMAND prints the detail; exit 0 is ✔,
# 1 is ✘ (then FIX is shown, and each part in BLOCKS is marked as not ready),
# 2 is "could not be checked" (·), which blocks nothing.
check() {
	local what=$1 blocks=$2 fix=$3 part detail status
	shift 3
	detail=$("$@" 2>&1)
	status=$?
	case "$status" in
	0) ok "$what${detail:+: $detail}" ;;
	2) echo "· $what${detail:+: $detail}" ;;
	*)
		bad "$what${detail:+: $detail}${fix:+ -> $fix}"
		failures=$((failures + 1))
		for part in $blocks; do
			blocked[$part]+="${blocked[$part]:+, }$what"
		done
		;;
	esac
}

# Where this runs: in a container or on WSL2 a failing check has another fix.
container_name() {
	local name
	name=$(systemd-detect-virt --container 2>/dev/null) && { echo "$name"; return 0; }
	[ -e /.dockerenv ] && { echo docker; return 0; }
	[ -e /run/.containerenv ] && { echo podman; return 0; }
	return 1
}
on_wsl() { grep -qi microsoft /proc/version 2>/dev/null; }

platform() {
	local where=host
	if on_wsl; then
		where="WSL2 (Windows' Linux VM; its kernel decides what works)"
	elif where=$(container_name); then
		where="a container ($where): it needs the rights to mount bpffs and tracefs and load BPF"
	else
		where="a host (not a container, not WSL2)"
	fi
	echo "$where"
}

privileged() {
	local eff
	eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	# CAP_SYS_ADMIN is bit 21; CAP_PERFMON bit 38, CAP_BPF bit 39.
	if (((0x$eff >> 38 & 3) == 3 || (0x$eff >> 21 & 1) == 1)); then
		if [ "$(id -u)" -eq 0 ]; then echo root; else echo "CAP_BPF+CAP_PERFMON"; fi
		return 0
	fi
	if [ "$(id -u)" -eq 0 ]; then
		echo "root, but without CAP_BPF+CAP_PERFMON or CAP_SYS_ADMIN"
	else
		echo "neither root nor CAP_BPF+CAP_PERFMON"
	fi
	return 1
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
		mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || { echo "not mounted at /sys/fs/bpf, and mounting it failed"; return 1; }
		echo /sys/fs/bpf
	else
		dir=$( (mount_tracefs >/dev/null && tracefs_dir) 2>/dev/null) || { echo "not mounted at /sys/kernel/tracing, and mounting it failed"; return 1; }
		echo "$dir"
	fi
}

# Lab 04's program attaches to this tracepoint. BPF can attach to tracepoints
# only in a kernel built with CONFIG_BPF_EVENTS; the event must exist too.
exec_tracepoint() {
	local dir config
	dir=$(tracefs_dir 2>/dev/null) || { echo "not checked: needs tracefs"; return 2; }
	[ -d "$dir/events" ] || { echo "no $dir/events: this kernel has no tracepoint events"; return 1; }
	[ -e "$dir/events/sched/sched_process_exec/id" ] ||
		{ echo "no sched/sched_process_exec in $dir/events"; return 1; }
	config=$(kernel_config) || { echo "sched/sched_process_exec (no kernel config here to confirm CONFIG_BPF_EVENTS)"; return 0; }
	grep -q '^CONFIG_BPF_EVENTS=y' <<<"$config" ||
		{ echo "kernel built without CONFIG_BPF_EVENTS: BPF programs cannot attach to tracepoints"; return 1; }
	echo "sched/sched_process_exec, CONFIG_BPF_EVENTS=y"
}

kernel_config() {
	if [ -r /proc/config.gz ]; then
		zcat /proc/config.gz
	elif [ -r "/boot/config-$(uname -r)" ]; then
		cat "/boot/config-$(uname -r)"
	else
		return 1
	fi
}

# vmlinux.h describes the kernel it was made from. make writes the sha256 of
# that kernel's BTF next to it; after a kernel upgrade the two differ.
vmlinux_h_matches_kernel() {
	local header=$BUILD/vmlinux.h stamp=$BUILD/vmlinux.h.stamp made_from running
	[ -e "$header" ] || { echo "$header not built yet: make builds it from this kernel's BTF"; return 0; }
	[ -r "$BTF_PATH" ] || { echo "not checked: no kernel BTF to compare with"; return 2; }
	[ -r "$stamp" ] || { echo "$header: not checked: no $stamp says which kernel it was made from (to be sure: rm $header)"; return 2; }
	read -r made_from _ <"$stamp"
	read -r running _ < <(sha256sum "$BTF_PATH")
	if [ "$made_from" != "$running" ]; then
		echo "$header was made from another kernel's BTF than the running one's (a kernel upgrade?)"
		return 1
	fi
	echo "$header, made from this kernel's BTF"
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

# Lab 06 boots other kernels in QEMU: with KVM where it works, else with TCG,
# QEMU's software CPU, slower but everywhere.
vm_accelerator() {
	if [ ! -w /dev/kvm ]; then
		echo TCG
	elif grep -qw hypervisor /proc/cpuinfo 2>/dev/null; then
		# KVM inside a VM is nested KVM, which often hangs: lab 06 tries it
		# for 8 s, then uses TCG. Promise only TCG.
		echo TCG
	else
		echo KVM
	fi
}

lab06_tools() {
	local qemu missing=() tool
	qemu=qemu-system-$(uname -m)
	for tool in "$qemu" busybox cpio xz; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	[ ${#missing[@]} -eq 0 ] || { echo "not installed: ${missing[*]}"; return 1; }
	[[ $(LC_ALL=C ldd "$(command -v busybox)" 2>&1) == *"not a dynamic executable"* ]] ||
		{ echo "busybox is not the static one (the VMs have no libraries): install busybox-static"; return 1; }
	echo "$($qemu --version | sed -n 1p), accelerator $(vm_accelerator)"
}

# labs 01–05 yes, lab 06 yes (TCG), exercises no (clang)
verdict() {
	local labs=yes lab06 exercises=yes
	[ -z "${blocked[labs]}" ] || labs="no (${blocked[labs]})"
	lab06="yes ($(vm_accelerator))"
	[ -z "${blocked[lab06]}" ] || lab06="no (${blocked[lab06]})"
	[ -z "${blocked[exercises]}" ] || exercises="no (${blocked[exercises]})"
	local ready="not ready"
	if [ "$labs" = yes ] && [ "$exercises" = yes ]; then
		if [ -z "${blocked[lab06]}" ]; then ready=ready; else ready="ready without lab 06"; fi
	fi
	echo "$ready: labs 01–05 $labs, lab 06 $lab06, exercises $exercises"
}

# The fixes depend on where this runs.
if on_wsl; then
	kernel_fix="WSL2's kernel lacks it: run 'wsl --update' in Windows for a newer one, or use a Linux VM"
fi
if container_name >/dev/null && ! on_wsl; then
	mount_fix="the container may not mount it: start it with --privileged, or run the labs on the host or in a VM"
	[ "$(id -u)" -ne 0 ] || privileges_fix="start the container with --privileged"
fi
all="labs lab06 exercises"

echo "btf-core-labs doctor"
check "platform" "" "" platform
check "privileges" "labs lab06" "${privileges_fix:-run with sudo}" privileged
check "kernel" "$all" "${kernel_fix:-use a 5.5 or newer kernel}" kernel_version
check "kernel BTF" "$all" "${kernel_fix:-use a distribution kernel built with CONFIG_DEBUG_INFO_BTF=y}" kernel_btf
check "bpffs" "labs lab06" "${mount_fix:-sudo mount -t bpf bpf /sys/fs/bpf}" mounted bpffs
check "tracefs" "labs lab06" "${mount_fix:-sudo mount -t tracefs tracefs /sys/kernel/tracing}" mounted tracefs
check "exec tracepoint" "labs lab06" "${kernel_fix:-use a distribution kernel (built with CONFIG_BPF_EVENTS=y)}" exec_tracepoint
check "lockdown" "labs lab06" "boot with lockdown=integrity or none" lockdown
check "kernel.unprivileged_bpf_disabled" "" "" unprivileged_bpf
check "vmlinux.h" "$all" "rm $BUILD/vmlinux.h (make remakes it, and all built from it, for this kernel)" vmlinux_h_matches_kernel
check "clang" "$all" "sudo make setup" tool_version clang
check "libbpf" "$all" "sudo make setup" libbpf_version
check "bpftool" "$all" "sudo make setup" tool_version bpftool
check "bpftool autoattach" "" "" autoattach
check "bats" "exercises" "sudo make setup" tool_version bats
check "lab 06 VMs" "lab06" "sudo make setup" lab06_tools

[ "$failures" -eq 0 ] || echo "$failures check(s) failed"
verdict
[ "$failures" -eq 0 ]
