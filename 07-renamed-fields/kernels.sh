# Lab 07's kernels: Debian packages fetched through a private apt
# configuration under build/, so the machine's own apt sources stay as they
# are. Sourced by run.sh after common/lib.sh. Kept in this lab's folder
# (not in common/) because only this lab fetches from other suites.
# shellcheck shell=bash

# The machine's own mirror, as setup uses it for backports.
# shellcheck source=common/apt-source.sh
. common/apt-source.sh

# apt-get or apt-cache (the first argument) with SUITE's own sources list,
# lists and cache under DIR: nothing outside DIR is read or written by apt
# except its keyring. The command is shown on stderr, exactly as it runs.
private_apt() {
	local tool=$1 dir argv
	# apt reads relative Dir:: paths as relative to /etc/apt.
	dir=$(realpath "$2")
	shift 2
	argv=("$tool" -q -o "Dir::Etc::SourceList=$dir/sources.list" -o "Dir::Etc::SourceParts=$dir/sources.list.d"
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "Dir::State::status=/dev/null"
		-o APT::Sandbox::User=root "$@")
	run_for_output "${argv[@]}"
}

# Prepare DIR as a private apt configuration for SUITE on the machine's mirror
# and read its package lists (one download, about 10 MB per suite).
private_apt_config() {
	local suite=$1 dir=$2 uri
	[ -s "$dir/sources.list" ] && compgen -G "$dir/lists/*Packages*" >/dev/null && return 0
	uri=$(debian_archive_uri "$MACHINE_CODENAME" | sed -n 1p)
	[ -n "$uri" ] || die "no Debian '$MACHINE_CODENAME' apt source on this machine to take the mirror from: next, run FETCH_ONLY=1 07-renamed-fields/run.sh where the mirror is reachable, or copy build/07/kernels/ from a machine that has it"
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$dir/sources.list"
	run cat "$dir/sources.list"
	private_apt apt-get "$dir" update -qq ||
		die "apt-get update for $suite failed (no network, or the mirror has no $suite): next, run FETCH_ONLY=1 07-renamed-fields/run.sh where the mirror is reachable, or copy build/07/kernels/ from a machine that has it"
}

# The kernel package that SUITE's meta package linux-image-amd64 names today.
suite_kernel_package() {
	local suite=$1 dir=$2 pkg
	pkg=$(private_apt apt-cache "$dir" depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$pkg" ] || die "apt finds no linux-image-amd64 in $suite: next, run FETCH_ONLY=1 07-renamed-fields/run.sh where the mirror is reachable, or copy build/07/kernels/ from a machine that has it"
	echo "$pkg"
}

# Fetch SUITE's kernel once into CACHE as vmlinuz-SUITE (nothing else is
# kept) and print its path. With that file present apt is not run at all.
fetch_suite_kernel() {
	local suite=$1 cache=$2 dir pkg
	if [ -s "$cache/vmlinuz-$suite" ]; then
		echo "cached: $cache/vmlinuz-$suite ($(cat "$cache/vmlinuz-$suite.package"))" >&2
		return 0
	fi
	dir=$cache/apt/$suite
	mkdir -p "$dir"
	private_apt_config "$suite" "$dir" >&2
	pkg=$(suite_kernel_package "$suite" "$dir")
	# apt-get download writes into the current directory.
	(dir=$(realpath "$dir") && run cd "$cache" && private_apt apt-get "$dir" download "$pkg") >&2 ||
		die "could not download $pkg from $suite with apt-get: next, run FETCH_ONLY=1 07-renamed-fields/run.sh where the mirror is reachable, or copy build/07/kernels/ from a machine that has it"
	run_sh "dpkg-deb --fsys-tarfile $cache/${pkg}_*.deb | tar -xO --wildcards './boot/vmlinuz-*' > $cache/vmlinuz-$suite.tmp" >&2
	rm -f "$cache/${pkg}"_*.deb
	echo "$pkg" >"$cache/vmlinuz-$suite.package"
	# Only a complete kernel enters the cache.
	run mv "$cache/vmlinuz-$suite.tmp" "$cache/vmlinuz-$suite" >&2
}
