#!/usr/bin/env bats
# Lab 06: the same object on other real kernels, checked against bpftool's
# reading of each kernel's BTF and against the parent pid each VM knows.

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	local status=0
	"$TOP/06-run-everywhere/run.sh" >"$BATS_FILE_TMPDIR/lab06.out" 2>&1 || status=$?
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
	run "$BUILD_DIR/core_relocs" "$WORK/fixed/ppid.bpf.o" --btf "$BTF_PATH"
	assert_output "$WORK/fixed/ppid.bpf.o: no CO-RE relocation records"
	run "$BUILD_DIR/core_relocs" "$BUILD_DIR/ppid.bpf.o" --btf "$BTF_PATH"
	assert_equal "${#lines[@]}" 2
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

# --- arm64: the same object on an arm64 kernel (issue 18) ---

# The arm64 kernel's label: the VM whose own `uname -m` said aarch64.
arm64_label() {
	local console
	for console in "$RUN"/*.console; do
		if grep -q '^RESULT .* arch=aarch64 ' "$console"; then basename "$console" .console; fi
	done
}

@test "arm64: one VM of the default set said aarch64 itself, and has a row" {
	run arm64_label
	assert_equal "${#lines[@]}" 1
	run grep -c "^kernel=${lines[0]} " "$RESULTS"
	assert_output 1
}

@test "arm64: the row's offsets are bpftool's reading of the BTF cut out of the arm64 Image" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	line=$(grep "^kernel=$label " "$RESULTS")
	btf=$WORK/kernels/$label.btf
	real_parent=$(bpftool_offset "$btf" task_struct real_parent) tgid=$(bpftool_offset "$btf" task_struct tgid)
	[ -n "$real_parent" ] && [ -n "$tgid" ] || fail "bpftool found no task_struct offsets in $btf"
	assert_equal "$(value "$line" real_parent)" "$real_parent"
	assert_equal "$(value "$line" tgid)" "$tgid"
	# arm64's layout is its own: neither this machine's nor an x86 kernel's.
	assert_equal "$(grep -c " real_parent=$real_parent " "$RESULTS")" 1
}

@test "arm64: the BTF the kernel serves in its VM is, byte for byte, the one extracted offline" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	there=$(sed -n 's/^KERNEL_BTF sha256=\([0-9a-f]*\)$/\1/p' "$RUN/$label.console")
	[ -n "$there" ] || fail "the VM printed no KERNEL_BTF line"
	run sha256sum "$WORK/kernels/$label.btf"
	assert_success
	assert_equal "$there" "${output%% *}"
}

@test "arm64: inside the VM, libbpf patched bpftool's arm64 offsets in" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	for field in real_parent tgid; do
		offset=$(bpftool_offset "$WORK/kernels/$label.btf" task_struct "$field")
		[ -n "$offset" ] || fail "bpftool: no $field"
		run grep -c "^RELO .*patched insn #[0-9]* .* -> $offset$" "$RUN/$label.console"
		assert_output 1
	done
	run grep -c '^RELO ' "$RUN/$label.console"
	assert_output 2
}

@test "arm64: the ppid traced in the VM is the \$\$ its parent shell wrote there" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	traced=$(traced_ppid "$label" core_child) expected=$(true_ppid "$label" core_child)
	[ -n "$expected" ] || fail "no parent pid in the RESULT line"
	assert_equal "$traced" "$expected"
}

@test "arm64: the object hashed inside the VM is the ppid.bpf.o built here" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	there=$(sed -n 's/^OBJECT sha256=\([0-9a-f]*\) .*/\1/p' "$RUN/$label.console")
	[ -n "$there" ] || fail "the VM printed no OBJECT line"
	run sha256sum "$BUILD_DIR/ppid.bpf.o"
	assert_success
	assert_equal "$there" "${output%% *}"
}

@test "arm64: the loader in the arm64 initramfs is an AArch64 ELF, and x86's is not" {
	cd "$BATS_TEST_TMPDIR"
	zcat "$WORK/arm64/initramfs.cpio.gz" >arm64.cpio
	cpio -id --quiet ppid <arm64.cpio
	[ -s ppid ] || fail "no /ppid in the arm64 initramfs"
	run readelf -h ppid
	assert_success
	assert_line --regexp '^ +Machine: +AArch64$'
	run file -b ppid
	assert_output --partial "ARM aarch64"
	run readelf -h "$BUILD_DIR/ppid.static"
	assert_success
	assert_line --regexp '^ +Machine: +Advanced Micro Devices X86-64$'
}

# --- why the offset moved: compare-layout.sh (issue 13, item 7) ---

# "NAME SIZE" for each member of task_struct before real_parent (bitfields and
# anonymous members left out), sizes resolved through typedefs, qualifiers
# and arrays in bpftool's raw dump.
bpftool_members_before_real_parent() {
	bpftool btf dump file "$1" | awk '
		function size(id,   k) {
			k = kind[id]
			if (k == "PTR") return 8
			if (k == "ARRAY") return nelems[id] * size(tid[id])
			if (k ~ /^(TYPEDEF|CONST|VOLATILE|RESTRICT|TYPE_TAG)$/) return size(tid[id])
			return sz[id]
		}
		/^\[/ {
			id = substr($1, 2, length($1) - 2); kind[id] = $2
			for (i = 3; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == "size") sz[id] = kv[2]; else if (kv[1] == "type_id") tid[id] = kv[2]; else if (kv[1] == "nr_elems") nelems[id] = kv[2]
			}
			inside = !seen && $2 == "STRUCT" && $3 == "\047task_struct\047"
			if (inside) seen = 1
			next
		}
		inside && $1 == "\047real_parent\047" { inside = 0 }
		inside && !/bitfield_size=/ && $1 != "\047(anon)\047" { m = $1; gsub("\047", "", m); split($2, kv, "="); order[++n] = m; type_of[m] = kv[2] }
		END { for (i = 1; i <= n; i++) print order[i], size(type_of[order[i]]) }'
}

# N with its sign, as a regular expression: [+]8 or -8.
signed() { printf '%+d' "$1" | sed 's/+/[+]/'; }

bpftool_struct_size() {
	bpftool btf dump file "$1" | awk '$2 == "STRUCT" && $3 == "\047task_struct\047" { sub("size=", "", $4); print $4; exit }'
}

@test "compare-layout.sh: task_struct's sizes, and the members before real_parent that differ, are bpftool's" {
	here=$BATS_TEST_TMPDIR/here
	bpftool_members_before_real_parent "$BTF_PATH" >"$here"
	[ "$(wc -l <"$here")" -gt 50 ] || fail "bpftool: too few task_struct members here"
	checked=0
	while read -r line; do
		label=$(value "$line" kernel)
		btf=$WORK/kernels/$label.btf
		bpftool_members_before_real_parent "$btf" >"$BATS_TEST_TMPDIR/there"
		run "$TOP/06-run-everywhere/compare-layout.sh" "$BTF_PATH" "$btf" </dev/null
		assert_success
		assert_line --regexp "^  size +$(bpftool_struct_size "$BTF_PATH") +$(bpftool_struct_size "$btf")\$"
		# Every member with another size or on one kernel only, "-" where absent.
		expected=$(awk 'NR == FNR { a[$1] = $2; next } { b[$1] = $2 }
			END { for (m in a) if (!(m in b)) print m, a[m], "-"
			      for (m in b) if (!(m in a)) print m, "-", b[m]; else if (a[m] != b[m]) print m, a[m], b[m] }' \
			"$here" "$BATS_TEST_TMPDIR/there" | sort)
		[ -n "$expected" ] || fail "$label: bpftool sees no difference before real_parent"
		shown=$(sed -n '/^members before real_parent/,/^sum of/p' <<<"$output" | sed '1d;$d' | awk '{ print $1, $2, $3 }' | sort)
		assert_equal "$shown" "$expected"
		# What the rows add up to, and the rest, make the whole move.
		moved=$(($(bpftool_offset "$btf" task_struct real_parent) - $(bpftool_offset "$BTF_PATH" task_struct real_parent)))
		sum=$(awk '{ s += ($3 == "-" ? 0 : $3) - ($2 == "-" ? 0 : $2) } END { print s }' <<<"$expected")
		assert_line --regexp "^sum of those sizes +$(signed "$sum")\$"
		assert_line --regexp "^bitfields and alignment +$(signed $((moved - sum)))\$"
		checked=$((checked + 1))
	done <<<"$OTHERS"
	[ "$checked" -ge 4 ]
}

# --- the cache, and the network (issue 20: make prefetch) ---

# What would show the machine's own apt or dpkg changed: foreign architectures, sources.
machine_apt_state() {
	dpkg --print-foreign-architectures
	# /etc/apt/sources.list may not exist (deb822 sources only): find fails then.
	find /etc/apt/sources.list.d -type f -exec sha256sum {} + | sort
	[ ! -e /etc/apt/sources.list ] || sha256sum /etc/apt/sources.list
}

@test "arm64 packages come through lab 06's own apt: the machine's sources and dpkg architectures are untouched" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	before=$(machine_apt_state)
	[ -n "$before" ] || fail "no apt sources on this machine to compare"
	# Its lists gone, the lab must fetch them again, through its own configuration.
	rm -rf "$WORK/apt-arm64/lists"
	FETCH_ONLY=1 CACHE_DIR=$BATS_TEST_TMPDIR/cache KERNEL_PACKAGES=linux-image-$label run "$TOP/06-run-everywhere/run.sh"
	assert_success
	assert_line "\$ APT_CONFIG=$BUILD_REL/06/apt-arm64/apt.conf apt-get update -q"
	[ -s "$BATS_TEST_TMPDIR/cache/vmlinuz-$label" ]
	run compgen -G "$BATS_TEST_TMPDIR/cache/arm64/libbpf-dev_*_arm64.deb"
	assert_success
	assert_equal "$(machine_apt_state)" "$before"
	run dpkg-query -W -f '${Architecture}\n'
	assert_success
	refute_line arm64
}

@test "prefetch: with the cache complete, FETCH_ONLY=1 needs no network and downloads nothing" {
	cache=$TOP/build/cache
	before=$(find "$cache" -type f -printf '%P %s %T@\n' | sort)
	[ "$(grep -c '^vmlinuz-' <<<"$before")" -ge 4 ] || fail "the cache holds fewer than 4 kernels: $before"
	FETCH_ONLY=1 run unshare -n "$TOP/06-run-everywhere/run.sh"
	assert_success
	refute_output --partial "apt-get"
	assert_equal "$(find "$cache" -type f -printf '%P %s %T@\n' | sort)" "$before"
}

@test "the lab runs to the end with the network cut off: the arm64 kernel and its userland from the cache" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	KERNEL_PACKAGES=linux-image-$label run unshare -n "$TOP/06-run-everywhere/run.sh"
	assert_success
	refute_output --partial "apt-get"
	traced=$(sed -n 's/^RESULT .* core_child_ppid=\([0-9]*\) .*/\1/p' "$WORK/$label.console")
	expected=$(sed -n 's/^RESULT .* core_child_expected=\([0-9]*\) .*/\1/p' "$WORK/$label.console")
	[ -n "$expected" ] || fail "no RESULT line from the offline run"
	assert_equal "$traced" "$expected"
}

@test "no cache and no network: one error line, which says to prefetch" {
	CACHE_DIR=$BATS_TEST_TMPDIR/empty-cache run unshare -n "$TOP/06-run-everywhere/run.sh"
	assert_failure 1
	errors=$(grep -c '^error: ' <<<"$output")
	assert_equal "$errors" 1
	assert_line --regexp "^error: .*make prefetch"
	refute_line --regexp '^(E|W): '
	run compgen -G "$BATS_TEST_TMPDIR/empty-cache/vmlinuz-*"
	assert_failure
}

@test "make prefetch says where the cache is and how to hand it to a room" {
	run make -C "$TOP" --no-print-directory prefetch
	assert_success
	assert_line "The cache is build/cache/ ($(du -sh "$TOP/build/cache" | cut -f1)). For the other machines of a room, either copy it"
	assert_output --partial "rsync -a build/cache/ "
	assert_output --partial "CACHE_DIR="
}

# arm64 VMs of this checkout's lab 06, whoever started them.
our_arm64_vms() {
	local pid
	for pid in $(pgrep -f "qemu-system-aarch64 .*-initrd $BUILD_REL/06/arm64/initramfs.cpio.gz"); do
		[ "$(readlink "/proc/$pid/cwd")" != "$TOP" ] || echo "$pid"
	done
}

@test "arm64: Ctrl-C while its VM runs: exit 130, no VM left, no temporary file left" {
	label=$(arm64_label)
	[ -n "$label" ] || fail "no aarch64 VM reported"
	setsid env --default-signal=INT KERNELS="$WORK/kernels/vmlinuz-$label" "$TOP/06-run-everywhere/run.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	lab=$!
	vms=
	for _ in $(seq 600); do
		if grep -q '^== Boot ' "$BATS_TEST_TMPDIR/out"; then
			vms=$(our_arm64_vms)
			[ -z "$vms" ] || break
		fi
		kill -0 "$lab" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$vms" ] || fail "no arm64 VM started (within 60 s, or before the lab ended): $(tail -n 5 "$BATS_TEST_TMPDIR/out")"
	kill -INT -- "-$lab"
	status=0
	wait "$lab" || status=$?
	assert_equal "$status" 130
	sleep 1
	assert_equal "$(our_arm64_vms)" ""
	[ ! -e "$WORK/arm64/initramfs" ]
	[ ! -e "$WORK/download" ]
	[ ! -e "$WORK/qemu.pid" ]
	run compgen -G "$TOP/build/cache/*.tmp"
	assert_failure
}
