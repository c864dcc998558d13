#!/usr/bin/env bash
# Preflight: one line per requirement, ✔ or ✘, and on ✘ the fix. The last
# line is one verdict a teacher can read across a room:
#   ready: labs 01–05 yes, lab 06 yes (TCG, kernels cached), exercises yes
# Mounts bpffs and tracefs when they are missing and it can.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Each check names the parts of the workshop it blocks when it fails.
declare -A blocked=([labs]='' [lab06]='' [exercises]='')
failures=0

# check WHAT BLOCKS FIX COMMAND...: COMMAND prints the detail; exit 0 is ✔,
# 1 is ✘ (then FIX is shown, and each part in BLOCKS is marked as not ready),
# 2 is "could not be checked" (·) and 3 a warning (⚠): neither blocks anything.
check() {
	local what=$1 blocks=$2 fix=$3 part detail status
	shift 3
	detail=$("$@" 2>&1)
	status=$?
	case "$status" in
	0) ok "$what${detail:+: $detail}" ;;
	2) echo "· $what${detail:+: $detail}" ;;
	3) echo "⚠ $what${detail:+: $detail}" ;;
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
# systemd-detect-virt knows more kinds of container than the two files below.
container_name() {
	if command -v systemd-detect-virt >/dev/null; then
		systemd-detect-virt --container 2>/dev/null
	elif [ -e /.dockerenv ]; then
		echo docker
	elif [ -e /run/.containerenv ]; then
		echo podman
	else
		return 1
	fi
}
on_wsl() { grep -qi microsoft /proc/version 2>/dev/null; }

# Said after the other checks: a container where they all pass is no problem.
platform() {
	local name
	if on_wsl; then
		echo "WSL2 (Windows' Linux VM; its kernel decides what works)"
	elif ! name=$(container_name); then
		echo "a host (not a container, not WSL2)"
	elif [ "$failures" -eq 0 ]; then
		echo "a container ($name), BPF works here"
	else
		echo "a container ($name): the fixes above are a container's"
	fi
}

privileged() {
	local eff bpf_perfmon sys_admin
	eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	# CAP_SYS_ADMIN is bit 21; CAP_PERFMON bit 38, CAP_BPF bit 39.
	bpf_perfmon=$(((0x$eff >> 38 & 3) == 3)) sys_admin=$(((0x$eff >> 21 & 1) == 1))
	if [ "$(id -u)" -eq 0 ] && ((bpf_perfmon || sys_admin)); then
		echo root
	elif ((bpf_perfmon)); then
		echo "CAP_BPF+CAP_PERFMON"
	elif ((sys_admin)); then
		echo "CAP_SYS_ADMIN"
	elif [ "$(id -u)" -eq 0 ]; then
		echo "root, but without CAP_BPF+CAP_PERFMON or CAP_SYS_ADMIN"
		return 1
	else
		echo "neither root nor CAP_BPF+CAP_PERFMON"
		return 1
	fi
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
		mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || { echo "not mounted at /sys/fs/bpf, and mounting it failed"; return 1; }
		echo /sys/fs/bpf
	else
		dir=$( (mount_tracefs >/dev/null && tracefs_dir) 2>/dev/null) || { echo "not mounted at /sys/kernel/tracing, and mounting it failed"; return 1; }
		echo "$dir"
	fi
}

# Lab 04's program attaches to this tracepoint. The event must exist, and the
# kernel must accept BPF programs for tracepoints (CONFIG_BPF_EVENTS): ask it.
exec_tracepoint() {
	local dir probe
	dir=$(tracefs_dir 2>/dev/null) || { echo "not checked: needs tracefs"; return 2; }
	[ -d "$dir/events" ] || { echo "no $dir/events: this kernel has no tracepoint events"; return 1; }
	[ -e "$dir/events/sched/sched_process_exec/id" ] ||
		{ echo "no sched/sched_process_exec in $dir/events"; return 1; }
	probe=$(bpftool feature probe kernel 2>/dev/null) ||
		{ echo "sched/sched_process_exec; not checked whether BPF may attach to it: 'bpftool feature probe kernel' failed"; return 2; }
	grep -q 'program_type tracepoint is available' <<<"$probe" ||
		{ echo "the kernel refuses tracepoint programs (bpftool feature probe kernel)$(bpf_events_in_config)"; return 1; }
	echo "sched/sched_process_exec, tracepoint programs accepted (bpftool feature probe kernel)$(bpf_events_in_config)"
}

# Detail only: what the kernel's config says, when there is one to read.
bpf_events_in_config() {
	local config
	config=$(kernel_config 2>/dev/null) || return 0
	if grep -q '^CONFIG_BPF_EVENTS=y' <<<"$config"; then
		echo ", CONFIG_BPF_EVENTS=y"
	else
		echo ", kernel config without CONFIG_BPF_EVENTS"
	fi
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

# Lab 04 reads trace_pipe, which takes one reader at a time.
trace_pipe_free() {
	local dir error
	dir=$(tracefs_dir 2>/dev/null) || { echo "not checked: needs tracefs"; return 2; }
	error=$(LC_ALL=C bash -c 'exec 3<"$1"' open "$dir/trace_pipe" 2>&1) &&
		{ echo "$dir/trace_pipe, no other reader"; return 0; }
	case "$error" in
	*"resource busy"*) echo "$dir/trace_pipe is busy: another program reads it"; return 1 ;;
	*) echo "not checked: ${error##*: }"; return 2 ;;
	esac
}

# vmlinux.h describes the kernel it was made from. make records that kernel's
# BTF, as its size and sha256, in kernel-btf.id, and remakes vmlinux.h when
# the running kernel's differs: after an upgrade it is stale until then.
kernel_btf_id() {
	local size hash
	size=$(stat -L -c %s "$BTF_PATH") && hash=$(sha256sum <"$BTF_PATH") && echo "$size $hash"
}

vmlinux_h_matches_kernel() {
	local header=$BUILD/vmlinux.h made_for=$BUILD/kernel-btf.id running
	[ -e "$header" ] || { echo "$header not built yet: make builds it from this kernel's BTF"; return 0; }
	running=$(kernel_btf_id 2>/dev/null) || { echo "not checked: no kernel BTF to compare with"; return 2; }
	[ -r "$made_for" ] || { echo "$header: not checked: no $made_for says which kernel it was made for (to be sure: rm $header)"; return 2; }
	if [ "$(cat "$made_for")" != "$running" ]; then
		echo "$header was made for another kernel (a kernel upgrade?): the next 'make' remakes it"
		return 3
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

# Lab 06 downloads its kernels once into build/06/kernels.
lab06_kernels() {
	if compgen -G "$BUILD/06/kernels/vmlinuz-*" >/dev/null; then
		echo "kernels cached"
	else
		echo "needs ~310 MB download"
	fi
}

# labs 01–05 yes, lab 06 yes (TCG, kernels cached), exercises no (clang)
verdict() {
	local labs=yes lab06 exercises=yes
	[ -z "${blocked[labs]}" ] || labs="no (${blocked[labs]})"
	lab06="yes ($(vm_accelerator), $(lab06_kernels))"
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
check "privileges" "labs lab06" "${privileges_fix:-run with sudo}" privileged
check "release" "" "" release
check "kernel" "$all" "${kernel_fix:-use a 5.5 or newer kernel}" kernel_version
check "kernel BTF" "$all" "${kernel_fix:-use a distribution kernel built with CONFIG_DEBUG_INFO_BTF=y}" kernel_btf
check "bpffs" "labs lab06" "${mount_fix:-sudo mount -t bpf bpf /sys/fs/bpf}" mounted bpffs
check "tracefs" "labs lab06" "${mount_fix:-sudo mount -t tracefs tracefs /sys/kernel/tracing}" mounted tracefs
check "trace_pipe" "labs" "close it; sudo fuser -v $(tracefs_dir 2>/dev/null)/trace_pipe shows which process holds it" trace_pipe_free
check "exec tracepoint" "labs lab06" "${kernel_fix:-use a distribution kernel (built with CONFIG_BPF_EVENTS=y)}" exec_tracepoint
check "lockdown" "labs lab06" "boot with lockdown=integrity or none" lockdown
check "kernel.unprivileged_bpf_disabled" "" "" unprivileged_bpf
check "vmlinux.h" "" "" vmlinux_h_matches_kernel
check "clang" "$all" "sudo make setup" tool_version clang
check "libbpf" "$all" "sudo make setup" libbpf_version
check "bpftool" "$all" "sudo make setup" tool_version bpftool
check "bpftool autoattach" "" "" autoattach
check "bats" "exercises" "sudo make setup-test" tool_version bats
check "lab 06 VMs" "lab06" "sudo make setup-vm" lab06_tools

check "platform" "" "" platform
[ "$failures" -eq 0 ] || echo "$failures check(s) failed"
verdict
[ "$failures" -eq 0 ]
