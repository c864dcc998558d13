#!/usr/bin/env bats
# The ground the labs stand on: make's targets, setup, doctor, the test
# runner's summary line, and what may and may not be in git.

load helpers

# Samples of the test runner run in a clean environment: this run's bats
# variables, and bats' own libexec at the head of PATH, would confuse them.
CLEAN_PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

@test "make with no target lists every lab and the other targets" {
	run make -s -C "$TOP"
	assert_success
	for target in lab-01 lab-02 lab-03 lab-04 lab-05 lab-06 labs test setup doctor bench fuzz mutants clean; do
		assert_output --partial "make $target"
	done
}

@test "setup is idempotent: a second run installs nothing" {
	require_root
	"$TOP/common/setup.sh" >/dev/null
	# dpkg's own record of what is installed, not setup's word for it.
	before=$(sha256sum /var/lib/dpkg/status)
	run "$TOP/common/setup.sh"
	assert_success
	refute_output --partial "apt-get"
	assert_output --partial "setup: all packages present"
	[ -n "$before" ] && [ "$(sha256sum /var/lib/dpkg/status)" = "$before" ] || fail "the second setup changed dpkg's status file"
}

@test "backports, where setup adds it, reuses the machine's own Debian mirror" {
	require_root
	list=/etc/apt/sources.list.d/btf-core-labs-backports.sources
	if [ ! -e "$list" ]; then
		# setup adds it only on bookworm, and only when no source lists it yet.
		codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
		[ -n "$codename" ]
		[ "$codename" != bookworm ] ||
			grep -rqs -- bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/ ||
			fail "bookworm, no backports source, and setup wrote none"
		return 0
	fi
	uri=$(awk '$1 == "URIs:" { print $2 }' "$list")
	[ -n "$uri" ]
	others=0
	for source in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
		[ -f "$source" ] && [ "$source" != "$list" ] && grep -qF -- "$uri" "$source" && others=$((others + 1))
	done
	[ "$others" -ge 1 ] || fail "$uri is in no apt source of the machine's own"
}

@test "no mirror host is written into the repository" {
	run git -C "$TOP" grep -n -E 'https?://[a-z0-9.-]*(debian|ubuntu)\.(org|com)' -- ':!*.md'
	# 1 is "no match"; git's own errors (128: not a repository) are not.
	assert_failure 1
}

@test "doctor: every check ✔ on this machine, each line with a detail" {
	require_root
	run "$TOP/common/doctor.sh"
	assert_success
	refute_line --partial "✘"
	for check in privileges kernel "kernel BTF" bpffs tracefs lockdown clang libbpf bpftool bats; do
		assert_line --regexp "^✔ $check: .+"
	done
	assert_line --regexp "^✔ kernel BTF: $BTF_PATH, $(stat -c %s "$BTF_PATH") bytes$"
	assert_line "✔ libbpf: $(pkg-config --modversion libbpf)"
}

@test "doctor as a user without privileges: ✘ with the fix, exit 1" {
	run_as_nobody common/doctor.sh common/lib.sh -- common/doctor.sh
	assert_failure 1
	assert_line "✘ privileges: neither root nor CAP_BPF+CAP_PERFMON -> run with sudo"
}

@test "the test runner ends with 'N passed, N failed, N skipped' and fails on a failure" {
	# printf, not a here-document: bats would take @test lines in this file as its own.
	printf '%s\n' '@test "passes" { true; }' '@test "fails" { false; }' \
		'@test "skips" { skip "for the sample"; }' >"$BATS_TEST_TMPDIR/sample.bats"
	run env -i PATH="$CLEAN_PATH" "$TOP/common/run-tests.sh" "$BATS_TEST_TMPDIR/sample.bats"
	assert_failure
	assert_equal "${lines[${#lines[@]} - 1]}" "1 passed, 1 failed, 1 skipped"
}

@test "under CI=true a would-be skip from the helper is a failure" {
	printf '%s\n' "load $TOP/tests/helpers" \
		'@test "needs a missing tool" { require_cmd no-such-tool-anywhere; }' >"$BATS_TEST_TMPDIR/strict.bats"
	run env -i PATH="$CLEAN_PATH" CI=true "$TOP/common/run-tests.sh" "$BATS_TEST_TMPDIR/strict.bats"
	assert_failure
	assert_line "0 passed, 1 failed, 0 skipped"
	assert_output --partial "not skipped under CI: no-such-tool-anywhere is not installed"
}

@test "under CI=true any skip fails the run, even one not made by the helper" {
	printf '%s\n' '@test "passes" { true; }' '@test "skips" { skip "for the sample"; }' >"$BATS_TEST_TMPDIR/skip.bats"
	run env -i PATH="$CLEAN_PATH" CI=true "$TOP/common/run-tests.sh" "$BATS_TEST_TMPDIR/skip.bats"
	assert_failure
	assert_line "1 passed, 0 failed, 1 skipped"
	assert_line "error: 1 test(s) skipped under CI=true: every step must run"
	run env -i PATH="$CLEAN_PATH" "$TOP/common/run-tests.sh" "$BATS_TEST_TMPDIR/skip.bats"
	assert_success
}

@test "make clean removes the build directory and never a pin" {
	require_root
	pin=/sys/fs/bpf/btf_core_labs_clean_$$
	mkdir "$pin"
	# A build dir this make made (it marks it), outside the checkout: say so.
	build=$BATS_TEST_TMPDIR/build
	make -s -C "$TOP" "$build" BUILD="$build" >/dev/null && touch "$build/vmlinux.h"
	run make -s -C "$TOP" clean BUILD="$build" CLEAN_OUTSIDE_CHECKOUT=yes
	[ -d "$pin" ]
	rmdir "$pin"
	assert_success
	[ ! -e "$build" ]
}

@test "nothing generated is tracked by git" {
	run git -C "$TOP" ls-files -- '*.o' '*vmlinux.h' '*.skel.h' 'build*' 'bench/results.md'
	assert_output ""
}

@test "the test runner fails when no test ran" {
	printf '# no tests here\n' >"$BATS_TEST_TMPDIR/empty.bats"
	run env -i PATH="$CLEAN_PATH" "$TOP/common/run-tests.sh" "$BATS_TEST_TMPDIR/empty.bats"
	assert_failure
	assert_line "0 passed, 0 failed, 0 skipped"
	assert_line "error: no test ran"
}

# show shell-quotes each argument: a whole command line handed to it as one
# string prints as one quoted word, which a learner cannot paste. Such lines
# go to show_sh, or to show word by word.
@test "no script hands show a whole command line as one word" {
	mapfile -t scripts < <(git -C "$TOP" ls-files -- '*.sh' '*.bash')
	[ "${#scripts[@]}" -gt 20 ] || fail "only ${#scripts[@]} scripts found in git"
	one_word='(^|[[:space:];{(])show "([^"]*[ ][^"]*|[^"]*\[\*\][^"]*)"[[:space:]]*($|;|>&2|\|\||&&)'
	run bash -c 'cd "$1" && shift && grep -nE "$0" "$@"' "$one_word" "$TOP" "${scripts[@]}"
	[ "$status" -le 1 ] || fail "grep failed: $output"
	assert_output ""
}
