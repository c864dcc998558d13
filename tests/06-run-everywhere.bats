#!/usr/bin/env bats
# Lab 06: the same object on other real kernels, checked against bpftool's
# reading of each kernel's BTF and against the parent pid each VM knows.

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	local start=$SECONDS status=0
	"$TOP/06-run-everywhere/run.sh" >"$BATS_FILE_TMPDIR/lab06.out" 2>&1 || status=$?
	echo $((SECONDS - start)) >"$BATS_FILE_TMPDIR/seconds"
	echo "$status" >"$BATS_FILE_TMPDIR/status"
	# A snapshot: later tests run the lab again, which starts by clearing these.
	mkdir -p "$BATS_FILE_TMPDIR/run"
	cp "$BUILD_DIR/06/results.txt" "$BUILD_DIR"/06/*.console "$BATS_FILE_TMPDIR/run/" 2>/dev/null || true
}

setup() {
	require_root
	require_cmd qemu-system-x86_64
	require_cmd bpftool
	WORK=$BUILD_DIR/06
	RUN=$BATS_FILE_TMPDIR/run
	RESULTS=$RUN/results.txt
	[ -s "$RESULTS" ] || fail "lab 06 wrote no results: $(tail -n 5 "$BATS_FILE_TMPDIR/lab06.out")"
	# Each line: kernel=<uname -r> real_parent=<off> tgid=<off> core_ppid=<ok|WRONG> fixed_ppid=<ok|WRONG>
	# This machine's line comes first, then one per VM.
	HERE=$(head -n 1 "$RESULTS")
	OTHERS=$(tail -n +2 "$RESULTS")
}

# KEY's value in a results.txt LINE.
value() { field_of kernel= "$2" <<<"$1"; }

@test "the lab exits 0" {
	[ "$(cat "$BATS_FILE_TMPDIR/status")" -eq 0 ] || fail "$(tail -n 20 "$BATS_FILE_TMPDIR/lab06.out")"
}

@test "every result line has exactly the documented form" {
	run grep -cvE '^kernel=[^ ]+ real_parent=[0-9]+ tgid=[0-9]+ core_ppid=(ok|WRONG) fixed_ppid=(ok|WRONG)$' "$RESULTS"
	assert_output 0
}

@test "at least three kernels besides the running one boot and report" {
	[ "$(wc -l <<<"$OTHERS")" -ge 3 ]
}

@test "their real_parent offsets are not all equal" {
	offsets=$(grep -o 'real_parent=[0-9]*' <<<"$OTHERS" | sort -u | wc -l)
	[ "$offsets" -ge 2 ]
}

@test "each kernel's offsets in the table are bpftool's, from that kernel's own BTF" {
	while read -r line; do
		label=$(value "$line" kernel)
		btf=$WORK/kernels/$label.btf
		[ -s "$btf" ] || fail "no BTF extracted for $label"
		real_parent=$(bpftool_offset "$btf" task_struct real_parent)
		tgid=$(bpftool_offset "$btf" task_struct tgid)
		[ -n "$real_parent" ] && [ -n "$tgid" ]
		assert_equal "$(value "$line" real_parent)" "$real_parent"
		assert_equal "$(value "$line" tgid)" "$tgid"
	done <<<"$OTHERS"
}

# CHILD's traced and true parent pid in a kernel's raw RESULT line: what the
# program printed, and what the parent shell said its own pid was.
traced_ppid() { sed -n "s/^RESULT .* $2_ppid=\([^ ]*\).*/\1/p" "$RUN/$1.console"; }
true_ppid() { sed -n "s/^RESULT .* $2_expected=\([0-9]*\).*/\1/p" "$RUN/$1.console"; }

@test "the CO-RE program traced the right ppid on every kernel" {
	run grep -c ' core_ppid=ok ' "$RESULTS"
	assert_output "$(wc -l <"$RESULTS")"
	labels=$(cut -d' ' -f1 <<<"$OTHERS" | sed 's/^kernel=//')
	[ -n "$labels" ]
	for console in running $labels; do
		[ -n "$(true_ppid "$console" core_child)" ] || fail "$console: no RESULT line"
		assert_equal "$(traced_ppid "$console" core_child)" "$(true_ppid "$console" core_child)"
	done
}

@test "the hard-coded program is right here and WRONG wherever the layout differs" {
	here=$HERE
	assert_equal "$(value "$here" kernel)" "$(uname -r)"
	assert_equal "$(value "$here" fixed_ppid)" ok
	traced=$(traced_ppid running fixed_child)
	[ -n "$traced" ]
	assert_equal "$traced" "$(true_ppid running fixed_child)"
	wrong=0
	while read -r line; do
		if [ "$(value "$line" real_parent):$(value "$line" tgid)" != "$(value "$here" real_parent):$(value "$here" tgid)" ]; then
			assert_equal "$(value "$line" fixed_ppid)" WRONG
			label=$(value "$line" kernel)
			traced=$(traced_ppid "$label" fixed_child)
			expected=$(true_ppid "$label" fixed_child)
			# A number read from the wrong place, not a program that never ran ("none").
			[[ $traced =~ ^[0-9]+$ ]] || fail "$label: the hard-coded program traced '$traced': it did not run"
			[ -n "$expected" ]
			[ "$traced" != "$expected" ]
			wrong=$((wrong + 1))
		fi
	done <<<"$OTHERS"
	# The offsets differ on at least two kernels (tested above): so must the verdicts.
	[ "$wrong" -ge 1 ]
}

@test "the lab shows what the hard-coded build read instead: the member bpftool places there" {
	here_real_parent=$(value "$HERE" real_parent)
	while read -r line; do
		label=$(value "$line" kernel)
		shown=$(grep -A1 -F "\$ $BUILD_REL/btf_inspect --btf $BUILD_REL/06/kernels/$label.btf task_struct @$here_real_parent" \
			"$BATS_FILE_TMPDIR/lab06.out" | sed -n 2p)
		member=$(bpftool_member_at "$WORK/kernels/$label.btf" task_struct "$here_real_parent")
		[ -n "$member" ]
		assert_equal "${shown%% offset=*}" "task_struct@$here_real_parent in $member"
	done <<<"$OTHERS"
}

@test "inside each VM, libbpf patched exactly the offline offsets in" {
	while read -r line; do
		label=$(value "$line" kernel)
		console=$RUN/$label.console
		real_parent=$(bpftool_offset "$WORK/kernels/$label.btf" task_struct real_parent)
		tgid=$(bpftool_offset "$WORK/kernels/$label.btf" task_struct tgid)
		[ -n "$real_parent" ] && [ -n "$tgid" ]
		run grep -c "RELO .*patched insn #[0-9]* .* -> $real_parent$" "$console"
		assert_output 1
		run grep -c "RELO .*patched insn #[0-9]* .* -> $tgid$" "$console"
		assert_output 1
	done <<<"$OTHERS"
}

@test "the hard-coded object carries no CO-RE relocation; the CO-RE one does" {
	run "$BUILD_DIR/core_relocs" "$WORK/ppid_fixed.bpf.o" --btf "$BTF_PATH"
	assert_output "$WORK/ppid_fixed.bpf.o: no CO-RE relocation records"
	run "$BUILD_DIR/core_relocs" "$BUILD_DIR/ppid.bpf.o" --btf "$BTF_PATH"
	assert_equal "${#lines[@]}" 2
}

@test "the whole lab took under 3 minutes" {
	[ "$(cat "$BATS_FILE_TMPDIR/seconds")" -lt 180 ]
}

@test "a kernel package apt cannot fetch: one message naming it and KERNELS=" {
	KERNEL_PACKAGES=linux-image-0.0.0-0-none-amd64 run "$TOP/06-run-everywhere/run.sh"
	assert_failure 1
	assert_line --partial "error: could not download linux-image-0.0.0-0-none-amd64 with apt-get (no network, or the package is gone): give kernels with KERNELS="
}

@test "lab 04's program still loaded: the lab refuses, since its lines would mix in" {
	run "$BUILD_DIR/ppid" --pin-dir "/sys/fs/bpf/btf_core_labs_test_$$"
	assert_success
	run "$TOP/06-run-everywhere/run.sh"
	rm -rf "/sys/fs/bpf/btf_core_labs_test_$$"
	assert_failure 1
	assert_output --partial "error: a program called on_exec is still loaded"
}

@test "KERNELS= a file that is not readable: one message, exit 1" {
	KERNELS=$BATS_TEST_TMPDIR/vmlinuz-missing run "$TOP/06-run-everywhere/run.sh"
	assert_failure 1
	assert_line "error: KERNELS: cannot read $BATS_TEST_TMPDIR/vmlinuz-missing"
}

@test "KERNELS= replaces the set: one kernel given, one kernel booted" {
	images=("$WORK"/kernels/vmlinuz-*)
	image=${images[0]}
	KERNELS=$image run "$TOP/06-run-everywhere/run.sh"
	assert_success
	assert_equal "$(grep -c '^kernel=' "$WORK/results.txt")" 2
	assert_line --partial "kernel=${image##*/vmlinuz-} "
}

# VMs of this checkout's lab 06, whoever started them.
our_vms() {
	local pid
	for pid in $(pgrep -f "qemu-system-x86_64 .*-initrd $BUILD_REL/06/initramfs.cpio.gz"); do
		[ "$(readlink "/proc/$pid/cwd")" != "$TOP" ] || echo "$pid"
	done
}

@test "Ctrl-C while a VM runs: exit 130, no VM left, no temporary file left" {
	# Its own process group, with SIGINT not ignored as it is in a background job.
	setsid env --default-signal=INT "$TOP/06-run-everywhere/run.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	lab=$!
	# A booting VM, not the short KVM probe, which may end by itself.
	vms=
	for _ in $(seq 600); do
		if grep -q '^== Boot ' "$BATS_TEST_TMPDIR/out"; then
			vms=$(our_vms)
			[ -z "$vms" ] || break
		fi
		sleep 0.1
	done
	[ -n "$vms" ] || fail "no VM started within 60 s: $(tail -n 5 "$BATS_TEST_TMPDIR/out")"
	# What Ctrl-C in a terminal does: SIGINT to the whole foreground group.
	kill -INT -- "-$lab"
	status=0
	wait "$lab" || status=$?
	assert_equal "$status" 130
	sleep 1
	assert_equal "$(our_vms)" ""
	[ ! -e "$WORK/initramfs" ]
	[ ! -e "$WORK/host" ]
	[ ! -e "$WORK/qemu.pid" ]
	run compgen -G "$WORK/kernels/*.deb"
	assert_failure
	run compgen -G "$WORK/kernels/*.tmp"
	assert_failure
}

@test "extract-btf.sh refuses a file that is not a kernel, in one line" {
	run "$TOP/06-run-everywhere/extract-btf.sh" /etc/passwd "$BATS_TEST_TMPDIR/out.btf"
	assert_failure 1
	assert_output "error: /etc/passwd: not a bzImage (no HdrS header) nor an ELF vmlinux"
	[ ! -e "$BATS_TEST_TMPDIR/out.btf" ]
}

# A bzImage as the boot protocol lays it out: HdrS at 0x202, setup_sects at
# 0x1f1, the payload's offset and length at 0x248 and 0x24c.
le32() { printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
fake_bzimage() {
	local payload=$1 out=$2 setup_sects=3
	truncate -s $(((setup_sects + 1) * 512 + 16)) "$out"
	printf 'HdrS' | dd of="$out" bs=1 seek=$((0x202)) conv=notrunc status=none
	printf '%b' "\\x$(printf %02x "$setup_sects")" | dd of="$out" bs=1 seek=$((0x1f1)) conv=notrunc status=none
	le32 16 | dd of="$out" bs=1 seek=$((0x248)) conv=notrunc status=none
	le32 "$(stat -c %s "$payload")" | dd of="$out" bs=1 seek=$((0x24c)) conv=notrunc status=none
	cat "$payload" >>"$out"
}

@test "extract-btf.sh reads every payload compression Debian and others use" {
	head -c 4096 "$BTF_PATH" >"$BATS_TEST_TMPDIR/btf"
	echo 'int x;' | cc -c -x c - -o "$BATS_TEST_TMPDIR/elf"
	objcopy --add-section ".BTF=$BATS_TEST_TMPDIR/btf" "$BATS_TEST_TMPDIR/elf"
	for compress in "xz -c --check=crc32" "zstd -qc" "gzip -c" "lz4 -lc" "bzip2 -c" "xz -c --format=lzma"; do
		$compress "$BATS_TEST_TMPDIR/elf" >"$BATS_TEST_TMPDIR/payload"
		fake_bzimage "$BATS_TEST_TMPDIR/payload" "$BATS_TEST_TMPDIR/vmlinuz"
		run "$TOP/06-run-everywhere/extract-btf.sh" "$BATS_TEST_TMPDIR/vmlinuz" "$BATS_TEST_TMPDIR/out.btf"
		[ "$status" -eq 0 ] || fail "$compress: $output"
		cmp "$BATS_TEST_TMPDIR/btf" "$BATS_TEST_TMPDIR/out.btf" || fail "$compress: extracted BTF differs"
	done
}
