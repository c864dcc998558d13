#!/usr/bin/env bash
# Install what one step needs, and nothing more, so that the first lab starts
# after the smallest download:
#   setup.sh          labs 01-05 (make labs, make setup); mounts bpffs and tracefs
#   setup.sh vm       + QEMU and friends, for lab 06 and lab 07
#   setup.sh bench    + bpftrace, BCC, GNU time, jq, for make bench
#   setup.sh test     + everything make test runs (all of the above, bats, ...)
#   setup.sh trixie   + mmdebstrap, for make test-trixie
#   setup.sh matrix   + every clang the machine's Debian release packages
#   setup.sh --undo   (make unsetup) remove what earlier runs installed
# Safe to run again: when everything is present it only checks. Everything it
# adds to the machine is written down in $SETUP_STATE, so --undo removes
# exactly that.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common/lib.sh
. "$here/lib.sh"
# shellcheck source=common/apt-source.sh
. "$here/apt-source.sh"

default_state=/var/lib/btf-core-labs/setup.state
SETUP_STATE=${SETUP_STATE:-$default_state}
# The first line of every file setup writes: --undo removes no file without it.
written_by="# written by btf-core-labs' make setup; make unsetup removes it"

# One list per purpose, so a learner can see why each package is here.
debian_labs=(clang llvm gcc libc6-dev libbpf-dev libelf-dev zlib1g-dev pkg-config make procps mount)
# lab 06 also boots arm64: its emulator, and a cross compiler for its static loader.
debian_vm=(qemu-system-x86 busybox-static cpio xz-utils zstd lz4 bzip2 file qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
debian_bench=(bpftrace python3-bpfcc time jq)
debian_test=(bats bats-support bats-assert shellcheck jq valgrind util-linux git mmdebstrap iproute2)
debian_trixie=(mmdebstrap)

installed_packages() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort -u
}

missing_debian_packages() {
	local pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$pkg"
	done
}

# libFuzzer ships with the clang of the same version: its package is named
# after the clang that is installed (libclang-rt-14-dev on Debian 12,
# libclang-rt-19-dev on Debian 13).
clang_major() {
	clang --version | sed -n 's/.*clang version \([0-9]*\)\..*/\1/p' | sed -n 1p
}

# Older releases (Ubuntu 22.04) ship libFuzzer in libclang-common-N-dev.
libfuzzer_package() {
	local major
	major=$(clang_major)
	if apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
		echo "libclang-rt-$major-dev"
	else
		echo "libclang-common-$major-dev"
	fi
}

# Every clang-N the machine's apt sources offer, oldest first.
available_clangs() {
	apt-cache pkgnames clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n
}

record() {
	mkdir -p "$(dirname "$SETUP_STATE")"
	touch "$SETUP_STATE"
	grep -qxF -- "$*" "$SETUP_STATE" || echo "$*" >>"$SETUP_STATE"
}

enable_backports() {
	local codename=$1 list=/etc/apt/sources.list.d/btf-core-labs-backports.sources uri
	grep -rqs -- "$codename-backports" /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
	uri=$(debian_archive_uri "$codename" | sed -n 1p)
	if [ -z "$uri" ]; then
		warn "no Debian '$codename' apt source found to derive $codename-backports from; going on without it"
		return 1
	fi
	require_root "setup adds an apt source"
	echo "enabling $codename-backports from $uri in $list"
	printf '%s\nTypes: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$written_by" "$uri" "$codename" >"$list"
	record "file $list"
	run apt-get update -qq
	apt_updated=1
}

apt_updated=
# Install, and write down every package that was not there before (the ones
# named and the dependencies apt pulled in with them).
apt_install() {
	[ $# -gt 0 ] || return 0
	require_root "setup installs packages"
	local before pkg
	before=$(installed_packages)
	[ -n "$apt_updated" ] || { run apt-get update -qq; apt_updated=1; }
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
	while read -r pkg; do record "package $pkg"; done < <(comm -13 <(echo "$before") <(installed_packages))
}

install_missing() {
	local missing
	mapfile -t missing < <(missing_debian_packages "$@")
	apt_install "${missing[@]}"
}

debian_bpftool() {
	local codename=$1
	bpftool_has_autoattach && return 0
	# Debian 13 has bpftool 7.5 in main; Debian 12 has it in bookworm-backports.
	if [ "$codename" = bookworm ] && enable_backports "$codename"; then
		# pkg/suite, not -t: -t would also upgrade unrelated installed packages
		# built from the same kernel source (linux-perf, linux-libc-dev).
		apt_install "bpftool/$codename-backports"
	else
		apt_install bpftool
	fi
}

# Lab 06 boots the release's kernel and the newer one from backports.
debian_vm() {
	enable_backports "$1" || true
	install_missing "${debian_vm[@]}"
}

setup_debian() {
	local codename=$1 purpose=$2 clangs
	install_missing "${debian_labs[@]}"
	debian_bpftool "$codename"
	case "$purpose" in
	labs) ;;
	vm) debian_vm "$codename" ;;
	bench) install_missing "${debian_bench[@]}" ;;
	test) debian_vm "$codename"; install_missing "${debian_bench[@]}" "${debian_test[@]}" "$(libfuzzer_package)" ;;
	trixie) install_missing "${debian_trixie[@]}" ;;
	matrix)
		mapfile -t clangs < <(available_clangs)
		[ "${#clangs[@]}" -gt 0 ] || die "apt offers no clang-N package: check the machine's apt sources"
		install_missing "${clangs[@]}"
		;;
	esac
}

# Untested: best effort for learners on Ubuntu or Fedora; CI runs Debian only.
setup_ubuntu() {
	warn "Ubuntu support is untested; installing the closest packages"
	install_missing "${debian_labs[@]}" "linux-tools-$(uname -r)" linux-tools-common
	install_missing "${debian_vm[@]}" "${debian_bench[@]}" "${debian_test[@]}" "$(libfuzzer_package)"
}

setup_fedora() {
	warn "Fedora support is untested; installing the closest packages"
	run dnf install -y clang llvm libbpf-devel elfutils-libelf-devel zlib-devel pkgconf make bpftool procps-ng \
		bats ShellCheck valgrind compiler-rt git qemu-system-x86 busybox cpio xz zstd lz4 bzip2 bpftrace bcc-tools time jq
}

# make unsetup: remove the files and packages written down in $SETUP_STATE,
# and only those, then say what stays.
undo() {
	[ -s "$SETUP_STATE" ] || { echo "unsetup: nothing to undo ($SETUP_STATE is absent or empty: setup installed nothing here)"; return 0; }
	require_root "unsetup removes packages"
	local kind what packages=() extra
	while read -r kind what; do
		case "$kind" in
		file)
			if [ "$(sed -n 1p "$what" 2>/dev/null)" = "$written_by" ]; then
				run rm -f -- "$what"
			else
				echo "unsetup: leaving $what: it is gone, or setup did not write it"
			fi
			;;
		package) dpkg-query -W -f='${Status}\n' "$what" 2>/dev/null | grep -q 'ok installed' && packages+=("$what") ;;
		esac
	done <"$SETUP_STATE"
	if [ "${#packages[@]}" -gt 0 ]; then
		# apt also removes whatever depends on a package it removes: if that
		# reaches a package setup did not install, remove none of them.
		extra=$(apt-get purge -s "${packages[@]}" | awk '$1 == "Remv" || $1 == "Purg" { print $2 }' | sort |
			comm -23 - <(printf '%s\n' "${packages[@]}" | sort) | tr '\n' ' ')
		if [ -n "$extra" ]; then
			echo "unsetup: leaving the ${#packages[@]} packages setup installed: removing them would also remove ${extra% } (installed since)"
			return 1
		fi
		run env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}"
	fi
	rm -f -- "$SETUP_STATE"
	[ "$SETUP_STATE" != "$default_state" ] || rmdir --ignore-fail-on-non-empty "$(dirname "$default_state")"
	echo "unsetup: purged ${#packages[@]} packages and the files setup wrote; left as they were: packages that were here before setup, apt's package lists, bpffs and tracefs mounts (other software may use them)"
}

purpose=${1:-labs}
case "$purpose" in
labs | vm | bench | test | trixie | matrix) ;;
--undo) undo; exit ;;
*) die "setup.sh: unknown step '$purpose': use labs, vm, bench, test, trixie, matrix or --undo" ;;
esac

os_id=$(. /etc/os-release && echo "${ID:-unknown}")
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case "$os_id" in
debian) setup_debian "$codename" "$purpose" ;;
ubuntu) setup_ubuntu ;;
fedora) setup_fedora ;;
*) die "unsupported distribution '$os_id': install clang, libbpf-dev, bpftool and bats by hand, then run 'make doctor'" ;;
esac

if [ "$(id -u)" -eq 0 ]; then
	mount_bpffs
	mount_tracefs
fi
echo "setup: all packages present for $purpose"
[ ! -s "$SETUP_STATE" ] || echo "what setup installed on this machine is listed in $SETUP_STATE ('make unsetup' removes it)"
