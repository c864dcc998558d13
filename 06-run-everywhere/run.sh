#!/usr/bin/env bash
# Lab 06: the same ppid.bpf.o on other real kernels, x86 and arm64. Offline,
# resolve its relocations against each kernel's BTF and show what moved the
# offsets; live, boot each kernel in QEMU and run it, next to a build with
# hard-coded offsets.
#   KERNELS="/boot/vmlinuz-A /path/vmlinuz-B"  use these kernels instead of Debian's
#   KERNEL_PACKAGES="linux-image-X-amd64 ..."  other Debian kernel packages (amd64, arm64)
#   FETCH_ONLY=1                               download into the cache, then stop
#   CACHE_DIR=DIR                              the cache (default build/cache)
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
. 06-run-everywhere/fetch.sh

work=$BUILD/06
# This run's kernels (links into the cache) and the BTF cut out of each.
kernels=$work/kernels
mkdir -p "$cache" "$kernels" "$downloads"
rm -f "$work/results.txt" "$work"/*.console
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	# A VM runs inside a pipeline's subshell, which records its pid.
	[ ! -s "$work/qemu.pid" ] || kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
	rm -rf "$work/host" "$work/initramfs" "$work/arm64/initramfs" "$work/qemu.pid" "$downloads" \
		"$cache"/*.tmp "$kernels"/*.tmp
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The CPU a kernel image is built for: aarch64 for an arm64 Image ("ARMd" at
# byte 56) or an AArch64 ELF, x86_64 for a bzImage or an x86-64 ELF.
image_arch() {
	if [ "$(od -An -tx1 -j 56 -N4 "$1" | tr -d ' \n')" = 41524d64 ]; then echo aarch64; return; fi
	if [ "$(od -An -tx1 -N4 "$1" | tr -d ' \n')" = 7f454c46 ] && [ "$(od -An -tu2 -j 18 -N2 "$1" | tr -d ' ')" = 183 ]; then
		echo aarch64
		return
	fi
	echo x86_64
}

# busybox-static:arm64 puts it in /bin up to Debian 12, in /usr/bin from 13.
arm64_busybox() {
	local f
	for f in "$work/arm64/sysroot/bin/busybox" "$work/arm64/sysroot/usr/bin/busybox"; do
		[ -x "$f" ] && { echo "$f"; return 0; }
	done
	die "no busybox in $work/arm64/sysroot: the busybox-static:arm64 package unpacked without it"
}

labels=() images=() arches=()
step "Kernels"
if [ -n "${KERNELS:-}" ]; then
	for image in $KERNELS; do
		[ -r "$image" ] || die "KERNELS: cannot read $image"
		label=$(basename "$image")
		labels+=("${label#vmlinuz-}") images+=("$image")
	done
else
	choose_kernel_packages
	for pkg in "${packages[@]}"; do
		label=${pkg#linux-image-}
		fetch_kernel "$pkg"
		ln -sfn "$(realpath "$cache/vmlinuz-$label")" "$kernels/vmlinuz-$label"
		labels+=("$label") images+=("$kernels/vmlinuz-$label")
	done
fi
for image in "${images[@]}"; do arches+=("$(image_arch "$image")"); done
if [[ " ${arches[*]} " == *" aarch64 "* ]]; then
	fetch_arm64_userland
fi
printf '  %s\n' "${images[@]}"
if [ -n "${FETCH_ONLY:-}" ]; then
	echo "Everything lab 06 downloads is in $cache ($(du -sh "$cache" | cut -f1)): later runs download nothing."
	exit 0
fi

require_root "loading BPF programs on this machine, for the running kernel's row"
require_btf
mount_bpffs
mount_tracefs
require_no_lab04_program

step "Offline: each kernel's BTF, cut out of its vmlinuz (bzImage on x86, Image on arm64)"
for i in "${!labels[@]}"; do
	btf=$kernels/${labels[$i]}.btf
	[ -s "$btf" ] || run 06-run-everywhere/extract-btf.sh "${images[$i]}" "$btf"
done

# The offset of task_struct's FIELD in the kernel whose BTF is BTF.
offset_in() { "$BUILD/btf_inspect" --btf "$1" task_struct "$2" | sed 's/.*offset=\([0-9]*\).*/\1/'; }
# This machine's, which the hard-coded build has frozen in.
real_parent_here=$(offset_in "$BTF_PATH" real_parent)

step "The same object, resolved against each kernel: other offsets"
for label in "${labels[@]}"; do
	run "$BUILD/btf_inspect" --btf "$kernels/$label.btf" task_struct real_parent tgid
	run "$BUILD/core_relocs" "$BUILD/ppid.bpf.o" --btf "$kernels/$label.btf"
done

step "Why they differ: task_struct's size, and what lies before real_parent here and there"
for label in "${labels[@]}"; do
	run 06-run-everywhere/compare-layout.sh "$BTF_PATH" "$kernels/$label.btf"
done

step "What the hard-coded build reads there instead: byte $real_parent_here, this machine's real_parent"
for label in "${labels[@]}"; do
	run "$BUILD/btf_inspect" --btf "$kernels/$label.btf" task_struct "@$real_parent_here"
done

# The byte offset at which LOADER carries OBJECT: its skeleton embeds the
# file as it is. Found by the object's first bytes, confirmed by all of them.
embedded_at() {
	local loader=$1 object=$2 size pattern at
	size=$(stat -L -c %s "$object")
	pattern=$(od -An -v -tx1 -N 64 "$object" | tr -d '\n' | sed 's/ /\\x/g')
	while read -r at; do
		if cmp -s <(dd if="$loader" iflag=skip_bytes,count_bytes skip="$at" count="$size" status=none) "$object"; then
			echo "$at $size"
			return 0
		fi
	done < <(LC_ALL=C grep -obUaP "$pattern" "$loader" | LC_ALL=C sed -n 's/^\([0-9]*\):\x7fELF.*/\1/p')
	die "$object is not inside $loader: rebuild it with 'make $loader'"
}

# An initramfs at OUT from directory ROOT: busybox BUSYBOX, both loaders
# (CORE and FIXED, linked statically), init.sh, check.sh, and where in CORE
# lab 03's object lies.
make_initramfs() {
	local root=$1 busybox=$2 core=$3 fixed=$4 out=$5 object_at
	object_at=$(embedded_at "$core" "$BUILD/ppid.bpf.o")
	rm -rf "$root"
	mkdir -p "$root/bin"
	run cp "$busybox" "$root/bin/busybox"
	run cp 06-run-everywhere/init.sh "$root/init"
	run cp 06-run-everywhere/check.sh "$root/check.sh"
	run cp "$core" "$root/ppid"
	run cp "$fixed" "$root/ppid_fixed"
	run_sh "echo '$object_at' > $root/object.at"
	run_sh "(cd $root && find . | cpio -o -H newc --quiet | gzip -1) > $out"
}

# COMMAND must be installed; it comes with Debian's PACKAGES.
require_tool() {
	command -v "$1" >/dev/null || die "$1 is missing: install Debian's $2 (sudo apt-get install $2)"
}

step "Live: the object every VM runs, and its checksum"
run sha256sum "$BUILD/ppid.bpf.o"
if [[ " ${arches[*]} " == *" x86_64 "* ]]; then
	step "An x86 initramfs: busybox, both loaders (linked statically), check.sh"
	require_tool qemu-system-x86_64 qemu-system-x86
	make_initramfs "$work/initramfs" "$(command -v busybox)" "$BUILD/ppid.static" "$work/ppid_fixed.static" "$work/initramfs.cpio.gz"
fi
if [[ " ${arches[*]} " == *" aarch64 "* ]]; then
	step "An arm64 initramfs: the loaders cross-compiled for arm64, the BPF object as it is"
	require_tool aarch64-linux-gnu-gcc "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	require_tool qemu-system-aarch64 qemu-system-arm
	export CACHE_DIR=$cache
	run make --no-print-directory BUILD="$BUILD" "$work/arm64/ppid.static" "$work/arm64/ppid_fixed.static"
	run file "$work/arm64/ppid.static"
	make_initramfs "$work/arm64/initramfs" "$(arm64_busybox)" "$work/arm64/ppid.static" \
		"$work/arm64/ppid_fixed.static" "$work/arm64/initramfs.cpio.gz"
fi

# The QEMU command for a kernel IMAGE of ARCH, with ACCEL and more kernel
# arguments EXTRA, into the array "vm". arm64 runs as QEMU's "virt" board
# with a Cortex-A57: "-cpu max" would add pointer authentication, which TCG
# emulates slowly (the VM takes twice as long).
vm_command() {
	local arch=$1 image=$2 accel=$3 extra=${4:+ $4}
	case $arch in
	x86_64) vm=(qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 1024 -nographic -no-reboot
		-kernel "$image" -initrd "$work/initramfs.cpio.gz" -append "console=ttyS0 panic=-1 quiet$extra") ;;
	aarch64) vm=(qemu-system-aarch64 -M virt -accel "$accel" -cpu cortex-a57 -smp 2 -m 1024 -nographic -no-reboot
		-kernel "$image" -initrd "$work/arm64/initramfs.cpio.gz" -append "console=ttyAMA0 panic=-1 quiet$extra") ;;
	esac
}

# Boot IMAGE of ARCH with ACCEL, at most LIMIT seconds, more kernel arguments EXTRA.
boot() {
	local arch=$1 image=$2 accel=$3 limit=$4 extra=${5:-}
	vm_command "$arch" "$image" "$accel" "$extra"
	timeout --foreground -k 2 "$limit" "${vm[@]}" </dev/null 2>&1 &
	echo $! >"$work/qemu.pid"
	wait $! || true
	rm -f "$work/qemu.pid"
}

# KVM (hardware virtualisation) runs only guests of this machine's own CPU,
# and only where a short test boot shows that it works; else TCG: QEMU
# emulates the CPU in software, slower but anywhere.
accel_x86=tcg
for i in "${!images[@]}"; do
	[ "${arches[$i]}" = x86_64 ] || continue
	if [ ! -w /dev/kvm ]; then
		why="no writable /dev/kvm"
	else
		probe=$(boot x86_64 "${images[$i]}" kvm 8 accel_probe 2>&1 | tr -d '\r')
		if grep -q ACCEL_OK <<<"$probe"; then
			accel_x86=kvm why="a test boot with KVM worked"
		else
			why="the KVM test boot failed: $(grep -m 1 '^qemu-system' <<<"$probe" || echo "no answer within 8 s")"
		fi
	fi
	echo "accelerator for x86_64: $accel_x86 ($why)"
	break
done
if [[ " ${arches[*]} " == *" aarch64 "* ]]; then
	echo "accelerator for aarch64: tcg (KVM cannot run another CPU architecture than this machine's $(uname -m))"
fi

for i in "${!labels[@]}"; do
	arch=${arches[$i]} accel=tcg
	[ "$arch" != x86_64 ] || accel=$accel_x86
	step "Boot ${labels[$i]} ($arch)"
	vm_command "$arch" "${images[$i]}" "$accel"
	show "${vm[@]}"
	# The serial console mixes in terminal escapes: keep our lines from their keyword on.
	started=$SECONDS
	boot "$arch" "${images[$i]}" "$accel" 120 | tr -d '\r' | grep -aoE '(RESULT|RELO|OBJECT|KERNEL_BTF|LOG) .*' | tee "$work/${labels[$i]}.console" || true
	echo "(booted, traced twice for 3 s, powered off: $((SECONDS - started)) s)"
done

step "This machine, natively: the same check, no VM"
mkdir -p "$work/host"
require_free_trace_pipe "$(tracefs_dir)/trace_pipe"
core=$(run_for_output 06-run-everywhere/check.sh "$BUILD/ppid.static" core_child "$work/host")
fixed=$(run_for_output 06-run-everywhere/check.sh "$work/ppid_fixed.static" fixed_child "$work/host")
echo "RESULT kernel=$(uname -r) arch=$(uname -m) $core $fixed" | tee "$work/running.console"

# The value of KEY=VALUE in a RESULT line.
value_of() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
# "ok (103)" or "WRONG (0, not 115)": whether CHILD's traced ppid in a
# RESULT line is its parent's pid, with the numbers behind the verdict.
judge() {
	local line=$1 child=$2 traced expected
	traced=$(value_of "$line" "${child}_ppid") expected=$(value_of "$line" "${child}_expected")
	if [ -n "$traced" ] && [ "$traced" = "$expected" ]; then echo "ok ($traced)"; else echo "WRONG ($traced, not $expected)"; fi
}

step "Result: the CO-RE object is right on every kernel; the hard-coded one only where it was built"
row() { printf '%-22s %-8s %11s %5s  %-20s %s\n' "$@"; }
row kernel arch real_parent tgid "CO-RE ppid" "hard-coded ppid"
status=0
machine_lines=()
for label in running "${labels[@]}"; do
	if [ "$label" = running ]; then btf=$BTF_PATH; else btf=$kernels/$label.btf; fi
	result=$(grep '^RESULT ' "$work/$label.console" || true)
	real_parent=$(offset_in "$btf" real_parent) tgid=$(offset_in "$btf" tgid)
	if [ -z "$result" ]; then
		row "$label" - "$real_parent" "$tgid" "no result" "-"
		status=1
		continue
	fi
	kernel=$(value_of "$result" kernel)
	core=$(judge "$result" core_child) fixed=$(judge "$result" fixed_child)
	row "$kernel" "$(value_of "$result" arch)" "$real_parent" "$tgid" "$core" "$fixed"
	core=${core%% *} fixed=${fixed%% *}
	machine_lines+=("kernel=$kernel real_parent=$real_parent tgid=$tgid core_ppid=$core fixed_ppid=$fixed")
	[ "$core" = ok ] || status=1
done
printf '%s\n' "${machine_lines[@]}" | tee "$work/results.txt"

step "Cross-check: the offsets core_relocs computed offline against the ones libbpf patched in inside each VM"
for label in "${labels[@]}"; do
	cross_check_relocations "$BUILD/ppid.bpf.o" "$kernels/$label.btf" "$work/$label.console" "$label " || status=1
done
step "Cross-check: what each VM hashed against the files here: the object, and the kernel's own BTF"
# ✔ or ✘ for a checksum KIND that a VM's console LABEL reported, against FILE's.
same_sum() {
	local label=$1 kind=$2 file=$3 here there
	here=$(sha256sum "$file" | cut -d' ' -f1)
	there=$(sed -n "s/^$kind sha256=\([0-9a-f]*\).*/\1/p" "$work/$label.console")
	if [ "$there" = "$here" ]; then
		ok "$label: $kind sha256 ${there:0:16}... in the VM, the same as $file's"
	else
		bad "$label: $kind sha256 ${there:-none} in the VM, $here for $file"
		return 1
	fi
}
for label in "${labels[@]}"; do
	same_sum "$label" OBJECT "$BUILD/ppid.bpf.o" || status=1
	same_sum "$label" KERNEL_BTF "$kernels/$label.btf" || status=1
done
exit "$status"
