#!/usr/bin/env bats
# Other toolchains: make test-trixie's Debian 13 root (built once, entered in
# a mount namespace of its own, left clean on Ctrl-C), its bad input, and
# make clang-matrix (every clang Debian packages, each object loaded here).

load helpers

setup() {
	require_root
	require_btf
}

teardown() {
	[ -z "${SMALL:-}" ] || umount "$SMALL"
	rm -f "$BUILD_DIR/trixie-root/root/ppid.static" "$BUILD_DIR/trixie-root/root/cache-probe"
}

# Mounts under DIR, as the machine sees them.
mounts_under() {
	findmnt -rn -o TARGET | grep "^$(realpath -m "$1")/" || true
}

@test "test-trixie without the disk for the root: one line naming the space needed, nothing made" {
	SMALL=$BATS_TEST_TMPDIR/small
	mkdir "$SMALL"
	mount -t tmpfs -o size=64m tmpfs "$SMALL"
	free=$(df -Pm "$SMALL" | awk 'NR == 2 { print $4 }')
	run env BUILD_DIR="$SMALL/build" "$TOP/common/trixie-root.sh"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^error: not enough disk for the trixie root: it needs [0-9]+ MB under .*small/build, $free MB are free$"
	[ ! -e "$SMALL/build/trixie-root" ]
	[ ! -e "$SMALL/build/trixie-root.building" ]
}

@test "test-trixie with the mirror unreachable: one line, non-zero, nothing half-built" {
	run env BUILD_DIR="$BATS_TEST_TMPDIR/build" TRIXIE_MIRROR=http://127.0.0.1:9/debian "$TOP/common/trixie-root.sh"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "error: cannot reach the Debian mirror http://127.0.0.1:9/debian"
	[ ! -e "$BATS_TEST_TMPDIR/build/trixie-root" ]
	[ ! -e "$BATS_TEST_TMPDIR/build/trixie-root.building" ]
}

@test "Ctrl-C while the root is being built: exit 130, the partial root removed, no mount left" {
	build=$BATS_TEST_TMPDIR/build
	# Its own process group, with SIGINT not ignored as it is in a background job.
	BUILD_DIR=$build setsid env --default-signal=INT "$TOP/common/trixie-root.sh" run true >"$BATS_TEST_TMPDIR/out" 2>&1 &
	script=$!
	# Interrupt mmdebstrap at work: packages are being unpacked into the root.
	for _ in $(seq 600); do
		[ -e "$build/trixie-root/var/lib/dpkg/status" ] && break
		sleep 0.1
	done
	[ -e "$build/trixie-root/var/lib/dpkg/status" ] || fail "mmdebstrap did not start unpacking within 60 s: $(tail -n 3 "$BATS_TEST_TMPDIR/out")"
	[ -e "$build/trixie-root.building" ]
	kill -INT -- "-$script"
	status=0
	wait "$script" || status=$?
	assert_equal "$status" 130
	assert_equal "$(mounts_under "$build")" ""
	[ ! -e "$build/trixie-root" ]
	[ ! -e "$build/trixie-root.building" ]
}

@test "in the root: /proc, /sys, /dev, bpffs and tracefs there, none of them seen outside; built once" {
	root=$BUILD_DIR/trixie-root
	run "$TOP/common/trixie-root.sh" run true
	assert_success
	touch "$root/root/cache-probe"
	run "$TOP/common/trixie-root.sh" run awk '{ print $2, $3 }' /proc/self/mounts
	assert_success
	assert_line --partial "reusing the trixie root"
	[ -e "$root/root/cache-probe" ]
	assert_line "/proc proc"
	assert_line "/sys sysfs"
	assert_line "/sys/fs/bpf bpf"
	assert_line "/sys/kernel/tracing tracefs"
	assert_line "/dev devtmpfs"
	assert_equal "$(mounts_under "$root")" ""
}

@test "Ctrl-C in the root: exit 130, no mount left, and the program it left pinned is unloaded" {
	root=$BUILD_DIR/trixie-root
	"$TOP/common/trixie-root.sh" run true >/dev/null
	cp "$BUILD_DIR/ppid.static" "$root/root/ppid.static"
	before=$(bpftool_prog_count on_exec)
	setsid env --default-signal=INT "$TOP/common/trixie-root.sh" run \
		sh -c '/root/ppid.static --pin-dir /sys/fs/bpf/t_ctrlc && sleep 60' >"$BATS_TEST_TMPDIR/out" 2>&1 &
	script=$!
	# The interrupt lands while the program is loaded and pinned in the root.
	wait_prog_count on_exec "$((before + 1))"
	grep -q "link pinned at /sys/fs/bpf/t_ctrlc" "$BATS_TEST_TMPDIR/out"
	[ ! -e /sys/fs/bpf/t_ctrlc ]
	kill -INT -- "-$script"
	status=0
	wait "$script" || status=$?
	assert_equal "$status" 130
	assert_equal "$(mounts_under "$root")" ""
	wait_prog_count on_exec "$before"
}

ci() { [ "${CI:-}" = true ]; }

@test "every clang apt offers: lab 03's object with the same relocations, patched by libbpf, the right ppid" {
	skip_unless "it installs every clang this Debian release packages (several hundred MB): CI runs it, or run 'make clang-matrix'" ci
	mapfile -t clangs < <(apt-cache pkgnames clang- | grep -E '^clang-[0-9]+$')
	[ "${#clangs[@]}" -gt 0 ]
	run make -s -C "$TOP" clang-matrix BUILD="$BUILD_DIR"
	assert_success
	assert_equal "$(grep -c 'relocations ✔ .*; ppid ✔' <<<"$output")" "${#clangs[@]}"
	# libbpf's own log says which offsets it patched into each object.
	for clang in "${clangs[@]}"; do
		dir=$BUILD_DIR/clang-matrix/$clang
		"$dir/ppid" --verbose --follow --duration 1 >/dev/null 2>"$dir/libbpf.log"
		run bash -c '. "$TOP/common/lib.sh" && cross_check_relocations "$@"' _ \
			"$dir/ppid.bpf.o" "$BTF_PATH" "$dir/libbpf.log" "$clang "
		assert_success
		assert_equal "$(grep -c '^✔' <<<"$output")" 2
	done
}
