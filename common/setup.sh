#!/usr/bin/env bash
# Install what the labs need, then mount bpffs and tracefs. Safe to run again:
# when everything is present it only checks, in well under a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common/lib.sh
. "$here/lib.sh"

require_root "setup installs packages"

# One list per purpose, so a learner can see why each package is here.
debian_build=(clang llvm libbpf-dev libelf-dev zlib1g-dev pkg-config make)
debian_test=(bats bats-support bats-assert shellcheck jq valgrind libclang-rt-14-dev util-linux)
debian_vm=(qemu-system-x86 busybox-static cpio xz-utils zstd lz4 bzip2)
debian_bench=(bpftrace python3-bpfcc time)
debian_packages=("${debian_build[@]}" "${debian_test[@]}" "${debian_vm[@]}" "${debian_bench[@]}")

missing_debian_packages() {
	local pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$pkg"
	done
}

# Print the URI of the machine's own Debian archive (not -security), so the
# backports suite comes from the mirror this machine already trusts.
debian_archive_uri() {
	local codename=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk -v want="$codename" '
			/^[[:space:]]*$/ { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0; next }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
			END { if (uri != "" && hit) print uri }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v want="$codename" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == want) print $i; break } }'
}

enable_backports() {
	local codename=$1 list=/etc/apt/sources.list.d/btf-core-labs-backports.sources uri
	grep -rqs -- "$codename-backports" /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
	uri=$(debian_archive_uri "$codename" | sed -n 1p)
	if [ -z "$uri" ]; then
		warn "no Debian '$codename' apt source found to derive $codename-backports from; keeping the stock bpftool"
		return 1
	fi
	echo "enabling $codename-backports from $uri (for bpftool with autoattach) in $list"
	printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" "$codename" >"$list"
	apt_updated=
}

apt_updated=
apt_install() {
	[ $# -gt 0 ] || return 0
	[ -n "$apt_updated" ] || { run apt-get update -qq; apt_updated=1; }
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

setup_debian() {
	local codename=$1
	mapfile -t missing < <(missing_debian_packages "${debian_packages[@]}")
	apt_install "${missing[@]}"
	if ! bpftool_has_autoattach; then
		if [ "$codename" = bookworm ] && enable_backports "$codename"; then
			# pkg/suite, not -t: -t would also upgrade unrelated installed packages
			# built from the same kernel source (linux-perf, linux-libc-dev).
			apt_install "bpftool/$codename-backports"
		else
			apt_install bpftool
		fi
	fi
}

# Untested: best effort for learners on Ubuntu or Fedora; CI runs Debian 12 only.
setup_ubuntu() {
	warn "Ubuntu support is untested; installing the closest packages"
	mapfile -t missing < <(missing_debian_packages "${debian_packages[@]}" "linux-tools-$(uname -r)" linux-tools-common)
	apt_install "${missing[@]}"
}

setup_fedora() {
	warn "Fedora support is untested; installing the closest packages"
	run dnf install -y clang llvm libbpf-devel elfutils-libelf-devel zlib-devel pkgconf make bpftool \
		bats ShellCheck valgrind compiler-rt qemu-system-x86 busybox cpio xz zstd lz4 bzip2 bpftrace bcc-tools time
}

os_id=$(. /etc/os-release && echo "${ID:-unknown}")
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case "$os_id" in
debian) setup_debian "$codename" ;;
ubuntu) setup_ubuntu ;;
fedora) setup_fedora ;;
*) die "unsupported distribution '$os_id': install clang, libbpf-dev, bpftool and bats by hand, then run 'make doctor'" ;;
esac

mount_bpffs
mount_tracefs
echo "setup: all packages present; bpffs and tracefs mounted"
