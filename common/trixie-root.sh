#!/usr/bin/env bash
# make test-trixie: this project's own `make test`, with CI=true, run in a
# minimal Debian 13 (trixie) root on this machine's kernel, so that clang 19,
# libbpf 1.5, bpftool 7.5 and bats 1.11 are proved on every lab, for real.
#
#   trixie-root.sh           make test there, from a clone (make test-trixie)
#   trixie-root.sh run CMD   run one command there
#
#   build/trixie-root/   the root, made once by mmdebstrap from this machine's
#                        own Debian mirror, then reused
#   /srv/btf-core-labs   inside it: a fresh clone of this checkout's HEAD (not
#                        under /root, which is 0700: tests that drop privileges
#                        run scripts from the clone as nobody)
#
# The root is entered in a mount namespace of its own (unshare -m): /proc,
# /sys, /dev, a bpffs and tracefs are mounted there and nowhere else, and the
# kernel undoes every one of them when the run ends, Ctrl-C and kill included.
# The bpffs is a new instance: a pin left behind by an interrupted lab goes
# away with it, and so does the program it held.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common/lib.sh
. "$here/lib.sh"
# shellcheck source=common/apt-source.sh
. "$here/apt-source.sh"

require_root "make test-trixie builds a root with mmdebstrap and chroots into it"

root_dir=$BUILD/trixie-root
building=$BUILD/trixie-root.building	# exists while mmdebstrap works: a root next to it is partial
log=$BUILD/trixie-root.log
# Measured: the root with everything `make test` installs is 2.8 GB (the
# clang matrix included); the clone, its build and lab 06's kernels add 1 GB.
need_mb=4096

# Remove a root this script started and did not finish, never anything else.
remove_partial_root() {
	[ -e "$building" ] || return 0
	if findmnt -rn -o TARGET | grep "^$(realpath -m "$root_dir")/" >/dev/null; then
		die "$root_dir has mounts under it: unmount them (findmnt | grep $root_dir), then retry"
	fi
	rm -rf --one-file-system -- "$root_dir"
	rm -f -- "$building"
}

build_root() {
	local uri start
	uri=${TRIXIE_MIRROR:-$(debian_archive_uri "$(. /etc/os-release && echo "$VERSION_CODENAME")" | sed -n 1p)}
	[ -n "$uri" ] || die "no Debian apt source on this machine to take a mirror from: set TRIXIE_MIRROR to a Debian mirror's URI"
	remove_partial_root
	[ ! -e "$root_dir" ] ||
		die "$root_dir exists but this script did not make it: move it away, then retry"
	local avail_mb
	mkdir -p "$BUILD"
	avail_mb=$(df -Pm "$BUILD" | awk 'NR == 2 { print $4 }')
	[ "$avail_mb" -ge "$need_mb" ] ||
		die "not enough disk for the trixie root: it needs $need_mb MB under $BUILD, $avail_mb MB are free"
	local probe
	probe=$(mktemp)
	if ! /usr/lib/apt/apt-helper -o Acquire::http::Timeout=10 -o Acquire::Retries=0 \
		download-file "$uri/dists/trixie/InRelease" "$probe" >/dev/null 2>&1; then
		rm -f "$probe"
		die "cannot reach the Debian mirror $uri (trixie's InRelease did not download): check the network, or set TRIXIE_MIRROR"
	fi
	rm -f "$probe"

	touch "$building"
	trap 'remove_partial_root; exit 130' INT TERM
	start=$SECONDS
	step "building a trixie root in $root_dir from $uri (once; log in $log)"
	if ! run_sh "unshare -m --propagation private mmdebstrap --mode=root --variant=apt --include=make trixie $(shell_quote "$root_dir") $(shell_quote "deb $uri trixie main") > $(shell_quote "$log") 2>&1"; then
		remove_partial_root
		die "mmdebstrap failed after $((SECONDS - start)) s (see $log); the partial root was removed"
	fi
	rm -f -- "$building"
	trap - INT TERM
	ok "trixie root built in $((SECONDS - start)) s, $(du -sm --one-file-system "$root_dir" | cut -f1) MB"
}

# Run a command in the root, with /proc, /sys, /dev, bpffs and tracefs
# mounted in a private mount namespace.
in_root() {
	# shellcheck disable=SC2016  # expanded by the inner bash
	unshare -m --propagation private bash -euc '
		r=$1; shift
		# The root a mount point of its own, as / is on a real machine: the
		# tests that unshare and remount inside need that.
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount --bind /sys "$r/sys"
		mount -t bpf bpf "$r/sys/fs/bpf"
		mount -t tracefs tracefs "$r/sys/kernel/tracing"
		mount --bind /dev "$r/dev"
		mount --bind /dev/pts "$r/dev/pts"
		mount -t tmpfs tmpfs "$r/dev/shm"
		mount -t tmpfs tmpfs "$r/tmp"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 "$@"' \
		_ "$root_dir" "$@"
}

# Every mount under the root, seen from the machine: none once a run is over.
# shellcheck disable=SC2317  # called from the EXIT trap
mounts_under_root() {
	findmnt -rn -o TARGET | grep "^$(realpath -m "$root_dir")/" || true
}

on_exec_count() {
	bpftool -j prog show 2>/dev/null | grep -o '"name":"on_exec"' | wc -l || true
}

# shellcheck disable=SC2317  # the EXIT trap
finish() {
	local status=$? left
	left=$(mounts_under_root)
	if [ -n "$left" ]; then bad "mounts left under $root_dir: $left"; status=1; fi
	# The kernel frees a program asynchronously once its last pin is gone.
	for _ in $(seq 50); do [ "$(on_exec_count)" -le "$on_exec_before" ] && break; sleep 0.1; done
	if [ "$(on_exec_count)" -gt "$on_exec_before" ]; then bad "programs called on_exec: $(on_exec_count), $on_exec_before before the run"; status=1; fi
	exit "$status"
}

action=${1:-test}
case "$action" in
test) [ $# -le 1 ] || die "trixie-root.sh test takes no argument" ;;
run) [ $# -ge 2 ] || die "trixie-root.sh run needs a command to run in the root" ;;
*) die "trixie-root.sh: unknown action '$action': use test, or run CMD" ;;
esac

if [ -e "$building" ] || [ ! -x "$root_dir/usr/bin/apt-get" ]; then
	build_root
else
	ok "reusing the trixie root in $root_dir (make clean removes it)"
fi

on_exec_before=$(on_exec_count)
trap finish EXIT
trap 'echo "test-trixie: interrupted" >&2; exit 130' INT TERM
if [ "$action" = run ]; then
	shift
	in_root "$@"
	exit
fi

clone=/srv/btf-core-labs
step "a fresh clone of $(git -C "$TOP" rev-parse --short HEAD) in the root, at $clone"
rm -rf --one-file-system -- "${root_dir:?}$clone"
run git clone -q "$TOP" "$root_dir$clone"
cp -L /etc/resolv.conf "$root_dir/etc/resolv.conf"

step "make test inside, with CI=true (the trixie run skips what runs on the host already: see the Makefile)"
show chroot "$root_dir" bash -c "cd $clone && CI=true make test IN_TRIXIE_ROOT=1"
start=$SECONDS
status=0
in_root bash -c "cd $clone && CI=true make test IN_TRIXIE_ROOT=1" || status=$?
# shellcheck disable=SC2016  # expanded inside the root
versions=$(in_root bash -c 'echo "clang $(clang --version | sed -n "s/.*version \([0-9.]*\).*/\1/p" | sed -n 1p), libbpf $(pkg-config --modversion libbpf), bpftool $(bpftool version | sed -n "s/bpftool v//p"), bats $(bats --version | cut -d" " -f2)"')
echo "trixie root: $versions; make test took $((SECONDS - start)) s"
exit "$status"
