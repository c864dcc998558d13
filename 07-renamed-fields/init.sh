#!/bin/busybox sh
# shellcheck shell=dash
# /init of lab 07's VMs: run the guarded program from the kernel's BTF and
# from the BTFGen file made for this kernel, then the unguarded one; print one
# RESULT line, libbpf's relocation lines, and (when asked) bpftool's probe.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
# run.sh names the kernel (the BTFGen file to use) on the command line.
label=$(sed -n 's/.*lab07_kernel=\([^ ]*\).*/\1/p' /proc/cmdline)
guarded=$(/check.sh /taskstate guarded /tmp)
btfgen=$(/check.sh /taskstate btfgen /tmp --btf "/btf/$label.min.btf")
unguarded=$(/check.sh /taskstate_unguarded unguarded /tmp)
echo "RESULT kernel=$(uname -r) $guarded $btfgen $unguarded"
for tag in guarded btfgen unguarded; do
	grep -E "relo #[0-9]+: (patched insn|substituting insn)" "/tmp/$tag.log" | sed "s/^/RELO $tag /"
done
sed 's/^/LOG /' /tmp/unguarded.log
if grep -qw lab07_probe /proc/cmdline; then
	bpftool feature probe kernel 2>&1 | sed 's/^/PROBE /'
fi
poweroff -f
