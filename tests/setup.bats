#!/usr/bin/env bats
# make setup on Debian 12 and 13, make doctor's release line, and make
# unsetup: it removes exactly what setup wrote down, and nothing else.

load helpers

setup() {
	require_root
	STATE=$BATS_TEST_TMPDIR/setup.state
}

teardown() {
	if [ -n "${INSTALLED_HELLO:-}" ] && dpkg-query -W -f='${Status}' hello 2>/dev/null | grep -q 'ok installed'; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq hello >/dev/null
	fi
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}
not_installed() { ! installed "$1"; }

@test "doctor names the release as /etc/os-release does" {
	pretty=$(. /etc/os-release && echo "$PRETTY_NAME")
	[ -n "$pretty" ]
	run "$TOP/common/doctor.sh"
	assert_line "✔ release: $pretty"
}

@test "setup again installs nothing: every step's packages are present after make test's setup" {
	for step in labs vm bench test; do
		run "$TOP/common/setup.sh" "$step"
		assert_success
		refute_line --partial "apt-get install"
		assert_line "setup: all packages present for $step"
	done
}

@test "setup on this release: libFuzzer named after the installed clang, bpftool with autoattach" {
	major=$(clang --version | sed -n 's/.*clang version \([0-9]*\)\..*/\1/p' | sed -n 1p)
	[ -n "$major" ]
	installed "libclang-rt-$major-dev"
	bpftool prog help 2>&1 | grep -q autoattach
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	version=$(dpkg-query -W -f='${Version}' bpftool)
	if [ "$codename" = trixie ]; then
		# Debian 13 has bpftool 7.5 in main: not the backports build.
		[[ $version != *bpo* ]] || fail "bpftool $version is from backports"
	else
		[[ $version == *bpo* ]] || fail "bpftool $version is not from $codename-backports"
	fi
}

@test "unsetup removes the packages and files its state names, leaves the rest, and says so" {
	skip_unless "needs the package 'hello' absent, to install it and see it removed" not_installed hello
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hello >/dev/null
	INSTALLED_HELLO=1
	installed hello
	ours=$BATS_TEST_TMPDIR/btf-core-labs-test.sources
	sed -n 's/^written_by="\(.*\)"$/\1/p' "$TOP/common/setup.sh" >"$ours"
	[ -s "$ours" ]
	echo "Types: deb" >>"$ours"
	not_ours=$BATS_TEST_TMPDIR/someone-elses.sources
	echo "Types: deb" >"$not_ours"
	printf 'package hello\nfile %s\nfile %s\n' "$ours" "$not_ours" >"$STATE"
	run env SETUP_STATE="$STATE" make -s -C "$TOP" unsetup
	assert_success
	not_installed hello
	[ ! -e "$ours" ]
	[ -e "$not_ours" ]
	[ ! -e "$STATE" ]
	assert_line "unsetup: leaving $not_ours: it is gone, or setup did not write it"
	assert_line --partial "unsetup: purged 1 packages and the files setup wrote; left as they were:"
}

@test "unsetup removes nothing when apt would also take a package setup did not install" {
	installed libbpf1
	echo "package libbpf1" >"$STATE"
	run env SETUP_STATE="$STATE" make -s -C "$TOP" unsetup
	assert_failure
	assert_line --regexp "^unsetup: leaving the 1 packages setup installed: removing them would also remove .*libbpf-dev"
	installed libbpf1
	installed libbpf-dev
	[ -e "$STATE" ]
}

@test "unsetup with nothing recorded: one line, nothing removed" {
	run env SETUP_STATE="$BATS_TEST_TMPDIR/absent" make -s -C "$TOP" unsetup
	assert_success
	assert_output "unsetup: nothing to undo ($BATS_TEST_TMPDIR/absent is absent or empty: setup installed nothing here)"
}
