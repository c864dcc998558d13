#!/usr/bin/env bash
# Lab 06: the same ppid.bpf.o on other real kernels. Offline, resolve its
# relocations against each kernel's BTF; live, boot each kernel in QEMU and
# run it, next to a build with hard-coded offsets.
#   KERNELS="/boot/vmlinuz-A /path/vmlinuz-B"  use these kernels instead of Debian's
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "loading BPF programs on this machine, for the running kernel's row"
require_btf
mount_bpffs
mount_tracefs
require_no_lab04_program

work=$BUILD/06
cache=$work/kernels
mkdir -p "$cache"
rm -f "$work/results.txt" "$work"/*.console
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	# A VM runs inside a pipeline's subshell, which records its pid.
	[ ! -s "$work/qemu.pid" ] || kill "$(cat "$work/qemu.pid")" 2>/dev/null || true
	rm -rf "$work/host" "$work/initramfs" "$work/qemu.pid" "$cache"/*.deb "$cache"/*.tmp
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian's kernel packages for the default set: the ABI behind each meta
# package, never a hard-coded version.
debian_kernel_packages() {
	local codename pkg
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if ! command -v apt-cache >/dev/null || [ -z "$codename" ]; then
		die "no apt here to fetch Debian kernels: give kernels with KERNELS=\"/boot/vmlinuz-X /path/vmlinuz-Y\""
	fi
	# The stable kernel, its PREEMPT_RT build, and the newer one from backports.
	for query in "depends linux-image-amd64" "depends linux-image-rt-amd64" \
		"-t $codename-backports depends linux-image-amd64"; do
		# shellcheck disable=SC2086  # the query is several words on purpose
		pkg=$(apt-cache $query 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
		[ -n "$pkg" ] || die "apt cannot answer 'apt-cache $query' (run 'sudo make setup', which enables $codename-backports), or give KERNELS=\"/boot/vmlinuz-X ...\""
		echo "$pkg"
	done
}

# Download PACKAGE once into the cache and keep only its vmlinuz.
fetch_kernel() {
	local label=$1 pkg=$2 binary vmlinuz
	[ -s "$cache/vmlinuz-$label" ] && return 0
	# From kernel 7.x on, the image itself is in linux-binary-<abi>.
	binary=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends: linux-binary-/ { print $2 }' | sed -n 1p || true)
	[ -z "$binary" ] || pkg=$binary
	# As root, apt's download sandbox user could not write here; we are root anyway.
	(cd "$cache" && run apt-get download -q -o APT::Sandbox::User=root "$pkg") ||
		die "could not download $pkg with apt-get (no network, or the package is gone): give kernels with KERNELS=\"/boot/vmlinuz-X /path/vmlinuz-Y\""
	# /boot/vmlinuz-<abi>, or /usr/lib/modules/<abi>/vmlinuz from 7.x on.
	vmlinuz=$(dpkg-deb -c "$cache/${pkg}"_*.deb | awk '$NF ~ /^\.\/boot\/vmlinuz-|^\.\/usr\/lib\/modules\/[^\/]*\/vmlinuz$/ { path = $NF } END { print path }')
	[ -n "$vmlinuz" ] || die "$pkg holds no vmlinuz: give kernels with KERNELS=\"/boot/vmlinuz-X ...\""
	run_sh "dpkg-deb --fsys-tarfile $cache/${pkg}_*.deb | tar -xO '$vmlinuz' > $cache/vmlinuz-$label.tmp"
	# Only a complete kernel enters the cache.
	mv "$cache/vmlinuz-$label.tmp" "$cache/vmlinuz-$label"
	rm -f "$cache/${pkg}"_*.deb
}

labels=() images=()
step "Kernels"
if [ -n "${KERNELS:-}" ]; then
	for image in $KERNELS; do
		[ -r "$image" ] || die "KERNELS: cannot read $image"
		label=$(basename "$image")
		labels+=("${label#vmlinuz-}") images+=("$image")
	done
else
	packages=${KERNEL_PACKAGES:-$(debian_kernel_packages)}
	for pkg in $packages; do
		label=${pkg#linux-image-}
		fetch_kernel "$label" "$pkg"
		labels+=("$label") images+=("$cache/vmlinuz-$label")
	done
fi
printf '  %s\n' "${images[@]}"

step "Offline: each kernel's BTF, cut out of its bzImage"
for i in "${!labels[@]}"; do
	btf=$cache/${labels[$i]}.btf
	[ -s "$btf" ] || run 06-run-everywhere/extract-btf.sh "${images[$i]}" "$btf"
done

# The offset of task_struct's FIELD in the kernel whose BTF is BTF.
offset_in() { "$BUILD/btf_inspect" --btf "$1" task_struct "$2" | sed 's/.*offset=\([0-9]*\).*/\1/'; }
# This machine's, which the hard-coded build has frozen in.
real_parent_here=$(offset_in "$BTF_PATH" real_parent)

step "The same object, resolved against each kernel: other offsets"
for label in "${labels[@]}"; do
	run "$BUILD/btf_inspect" --btf "$cache/$label.btf" task_struct real_parent tgid
	run "$BUILD/core_relocs" "$BUILD/ppid.bpf.o" --btf "$cache/$label.btf"
done

step "What the hard-coded build reads there instead: byte $real_parent_here, this machine's real_parent"
for label in "${labels[@]}"; do
	run "$BUILD/btf_inspect" --btf "$cache/$label.btf" task_struct "@$real_parent_here"
done

step "Live: an initramfs with busybox, both loaders (linked statically) and check.sh"
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root/bin"
run cp "$(command -v busybox)" "$root/bin/busybox"
run cp 06-run-everywhere/init.sh "$root/init"
run cp 06-run-everywhere/check.sh "$root/check.sh"
run cp "$BUILD/ppid.static" "$root/ppid"
run cp "$work/ppid_fixed.static" "$root/ppid_fixed"
run_sh "(cd $root && find . | cpio -o -H newc --quiet | gzip -1) > $work/initramfs.cpio.gz"

# Boot IMAGE with ACCEL and kernel arguments EXTRA, at most LIMIT seconds.
boot() {
	local image=$1 accel=$2 limit=$3 extra=${4:-}
	timeout --foreground -k 2 "$limit" qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 1024 \
		-nographic -no-reboot -kernel "$image" -initrd "$work/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet $extra" </dev/null 2>&1 &
	echo $! >"$work/qemu.pid"
	wait $! || true
	rm -f "$work/qemu.pid"
}

accel=tcg
# 2>/dev/null: a failed probe is expected, and bash would report the VM's death.
if [ -w /dev/kvm ] && boot "${images[0]}" kvm 8 accel_probe 2>/dev/null | grep -q ACCEL_OK; then
	accel=kvm
fi
echo "accelerator: $accel (KVM when a short test boot succeeds, else TCG: software emulation)"

for i in "${!labels[@]}"; do
	step "Boot ${labels[$i]}"
	show "qemu-system-x86_64 -accel $accel -cpu max -smp 2 -m 1024 -nographic -no-reboot -kernel ${images[$i]} -initrd $work/initramfs.cpio.gz -append 'console=ttyS0 panic=-1 quiet'"
	# The serial console mixes in terminal escapes: keep our lines from their keyword on.
	started=$SECONDS
	boot "${images[$i]}" "$accel" 120 | tr -d '\r' | grep -oE '(RESULT|RELO|LOG) .*' | tee "$work/${labels[$i]}.console" || true
	echo "(booted, traced twice for 3 s, powered off: $((SECONDS - started)) s)"
done

step "This machine, natively: the same check, no VM"
mkdir -p "$work/host"
require_free_trace_pipe "$(tracefs_dir)/trace_pipe"
show "06-run-everywhere/check.sh $BUILD/ppid.static core_child $work/host"
core=$(06-run-everywhere/check.sh "$BUILD/ppid.static" core_child "$work/host")
show "06-run-everywhere/check.sh $work/ppid_fixed.static fixed_child $work/host"
fixed=$(06-run-everywhere/check.sh "$work/ppid_fixed.static" fixed_child "$work/host")
echo "RESULT kernel=$(uname -r) $core $fixed" | tee "$work/running.console"

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
printf '%-22s %11s %5s  %-20s %s\n' kernel real_parent tgid "CO-RE ppid" "hard-coded ppid"
status=0
machine_lines=()
for label in running "${labels[@]}"; do
	if [ "$label" = running ]; then btf=$BTF_PATH; else btf=$cache/$label.btf; fi
	result=$(grep '^RESULT ' "$work/$label.console" || true)
	real_parent=$(offset_in "$btf" real_parent) tgid=$(offset_in "$btf" tgid)
	if [ -z "$result" ]; then
		printf '%-22s %11s %5s  %-20s %s\n' "$label" "$real_parent" "$tgid" "no result" "-"
		status=1
		continue
	fi
	kernel=$(value_of "$result" kernel)
	core=$(judge "$result" core_child) fixed=$(judge "$result" fixed_child)
	printf '%-22s %11s %5s  %-20s %s\n' "$kernel" "$real_parent" "$tgid" "$core" "$fixed"
	core=${core%% *} fixed=${fixed%% *}
	machine_lines+=("kernel=$kernel real_parent=$real_parent tgid=$tgid core_ppid=$core fixed_ppid=$fixed")
	[ "$core" = ok ] || status=1
done
printf '%s\n' "${machine_lines[@]}" | tee "$work/results.txt"

step "Cross-check: the offsets core_relocs computed offline against the ones libbpf patched in inside each VM"
for label in "${labels[@]}"; do
	cross_check_relocations "$BUILD/ppid.bpf.o" "$cache/$label.btf" "$work/$label.console" "$label " || status=1
done
exit "$status"
