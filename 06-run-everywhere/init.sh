#!/bin/busybox sh
# shellcheck shell=dash
# /init of lab 06's VMs: mount what BPF needs, run both programs through
# check.sh, print one RESULT line, libbpf's relocation lines, the checksums of
# the BPF object inside the loader and of the kernel's own BTF, power off.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
# run.sh boots once with "accel_probe" to learn whether KVM works here.
if grep -qw accel_probe /proc/cmdline; then
	echo ACCEL_OK
	poweroff -f
fi
core=$(/check.sh /ppid core_child /tmp)
fixed=$(/check.sh /ppid_fixed fixed_child /tmp)
echo "RESULT kernel=$(uname -r) arch=$(uname -m) $core $fixed"
sed -n 's/.*relo #[0-9]*: patched insn .*/RELO &/p' /tmp/core_child.log
# The loader carries lab 03's ppid.bpf.o inside it (its skeleton); run.sh
# wrote where. Hashed here, in the VM: the very bytes, not a rebuild.
if read -r at size </object.at; then
	echo "OBJECT sha256=$(tail -c +$((at + 1)) /ppid | head -c "$size" | sha256sum | cut -d' ' -f1) bytes=$size at=$at"
fi
# What the kernel itself serves: the BTF lab 06 cut out of its vmlinuz offline.
echo "KERNEL_BTF sha256=$(sha256sum /sys/kernel/btf/vmlinux | cut -d' ' -f1)"
grep -h -i -E 'error|fail' /tmp/core_child.log /tmp/fixed_child.log | sed 's/^/LOG /'
poweroff -f
