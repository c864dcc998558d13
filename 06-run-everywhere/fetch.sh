# Lab 06's downloads, sourced by run.sh. Every file comes from a Debian
# package fetched with `apt-get download` (nothing is installed) and is kept
# in one cache directory, so that a second run, or a machine given a copy of
# the cache, downloads nothing. `make prefetch` fills it.
# shellcheck shell=bash

cache=${CACHE_DIR:-build/cache}
# The kernel packages the cache holds, one per line, as apt first named them:
# later runs boot these without asking apt, so a copied cache is complete.
manifest=$cache/lab06-kernels
# arm64's busybox, and the static libraries the arm64 loader links.
arm64_packages=(busybox-static libbpf-dev libelf-dev zlib1g-dev libzstd-dev)
# Lab 06's own apt for arm64: its sources, lists and state under build/, so
# the machine's apt sources and dpkg architectures stay as they are.
arm64_apt=$BUILD/06/apt-arm64
downloads=$BUILD/06/download

# The machine's own mirror for SUITE (lab 06 reuses it and never names one),
# as setup uses it for backports.
# shellcheck source=common/apt-source.sh
. common/apt-source.sh
debian_source_uri() { debian_archive_uri "$1" | sed -n 1p; }

# Write the private apt configuration for arm64, and fetch its package
# lists when they are missing or a day old.
arm64_apt_ready() {
	local codename uri security dir
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	uri=$(debian_source_uri "$codename")
	if [ -z "$uri" ] || ! command -v apt-get >/dev/null; then
		die "no Debian apt source for '$codename' on this machine to fetch arm64 packages from: give kernels with KERNELS=\"/boot/vmlinuz-X ...\", or copy a cache filled by 'make prefetch' to $cache"
	fi
	security=$(debian_source_uri "$codename-security")
	mkdir -p "$arm64_apt/lists/partial" "$arm64_apt/cache/archives/partial" "$arm64_apt/sources.list.d"
	[ -e "$arm64_apt/status" ] || : >"$arm64_apt/status"
	{
		echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $codename main"
		[ -z "$security" ] || echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $security $codename-security main"
	} >"$arm64_apt/sources.list"
	dir=$(realpath -m "$arm64_apt")
	cat >"$arm64_apt/apt.conf" <<-EOF
		// Lab 06's apt for arm64 packages: own sources, lists and state, nothing installed.
		APT::Architecture "arm64";
		APT::Architectures { "arm64"; };
		Dir::Etc::SourceList "$dir/sources.list";
		Dir::Etc::SourceParts "$dir/sources.list.d";
		Dir::State::Lists "$dir/lists";
		Dir::State::Status "$dir/status";
		Dir::Cache "$dir/cache";
		Acquire::Languages "none";
		APT::Sandbox::User "root";
	EOF
	[ -z "$(find "$arm64_apt/lists" -maxdepth 1 -name '*_Packages*' -mtime -1)" ] || return 0
	run cat "$arm64_apt/sources.list"
	run_sh "APT_CONFIG=$arm64_apt/apt.conf apt-get update -q" 2>"$downloads/apt.log" ||
		die "could not fetch arm64 package lists with apt-get (no network?): run 'make prefetch' where the network works and copy $cache here, or give kernels with KERNELS=\"/boot/vmlinuz-X ...\" ($(apt_error))"
}

# apt's own first error line, for a one-line message.
apt_error() { grep -m 1 '^E: ' "$downloads/apt.log" || echo "apt said nothing"; }

is_arm64() { [[ $1 == *-arm64 || $1 == *:arm64 ]]; }
# How to call apt-get, from the download directory, for PACKAGE: arm64
# packages go through lab 06's own apt. As root, apt's download sandbox user
# could not write here; we are root anyway.
apt_for() {
	if is_arm64 "$1"; then
		echo "APT_CONFIG=$(realpath -m --relative-to="$downloads" "$arm64_apt/apt.conf") apt-get"
	else
		echo "apt-get -o APT::Sandbox::User=root"
	fi
}

# Download PACKAGES (all of one architecture) into the download directory.
download() {
	run_sh "cd $downloads && $(apt_for "$1") download -q $*" 2>"$downloads/apt.log" ||
		die "could not download $* with apt-get (no network, or the package is gone): give kernels with KERNELS=\"/boot/vmlinuz-X /path/vmlinuz-Y\", or run 'make prefetch' where the network works and copy $cache here ($(apt_error))"
}

# The kernel packages to boot, into the array "packages": KERNEL_PACKAGES,
# else the cache's list, else the ABI behind each meta package, asked of apt
# and written to the list: Debian's stable kernel, its PREEMPT_RT build, the
# newer one from backports, and the stable kernel for arm64.
choose_kernel_packages() {
	local codename query pkg
	if [ -n "${KERNEL_PACKAGES:-}" ]; then read -ra packages <<<"$KERNEL_PACKAGES"; return; fi
	if [ -s "$manifest" ]; then
		echo "(the cache's list, $manifest: delete it to ask apt for the current ones)"
		mapfile -t packages <"$manifest"
		return
	fi
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if ! command -v apt-cache >/dev/null || [ -z "$codename" ]; then
		die "no apt here to fetch Debian kernels: give kernels with KERNELS=\"/boot/vmlinuz-X /path/vmlinuz-Y\""
	fi
	packages=()
	for query in "depends linux-image-amd64" "depends linux-image-rt-amd64" \
		"-t $codename-backports depends linux-image-amd64"; do
		# shellcheck disable=SC2086  # the query is several words on purpose
		pkg=$(apt-cache $query 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
		[ -n "$pkg" ] || die "apt cannot answer 'apt-cache $query' (run 'sudo make setup', which enables $codename-backports), or give KERNELS=\"/boot/vmlinuz-X ...\""
		packages+=("$pkg")
	done
	arm64_apt_ready
	pkg=$(APT_CONFIG=$arm64_apt/apt.conf apt-cache depends linux-image-arm64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$pkg" ] || die "apt cannot answer 'APT_CONFIG=$arm64_apt/apt.conf apt-cache depends linux-image-arm64': give KERNELS=\"/boot/vmlinuz-X ...\""
	packages+=("$pkg")
	printf '%s\n' "${packages[@]}" >"$manifest.tmp"
	mv "$manifest.tmp" "$manifest"
}

# Download a kernel PACKAGE once into the cache and keep only its vmlinuz.
fetch_kernel() {
	local pkg=$1 label=${1#linux-image-} binary vmlinuz
	[ -s "$cache/vmlinuz-$label" ] && return 0
	! is_arm64 "$pkg" || arm64_apt_ready
	# From kernel 7.x on (Debian 13's backports), the image is in linux-binary-<abi>.
	if ! is_arm64 "$pkg"; then
		binary=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends: linux-binary-/ { print $2; exit }' || true)
		[ -z "$binary" ] || pkg=$binary
	fi
	download "$pkg"
	# /boot/vmlinuz-<abi>, or /usr/lib/modules/<abi>/vmlinuz from 7.x on.
	vmlinuz=$(dpkg-deb -c "$downloads/${pkg}"_*.deb | awk '$NF ~ /^\.\/boot\/vmlinuz-|^\.\/usr\/lib\/modules\/[^\/]*\/vmlinuz$/ { path = $NF } END { print path }')
	[ -n "$vmlinuz" ] || die "$pkg holds no vmlinuz: give kernels with KERNELS=\"/boot/vmlinuz-X ...\""
	run_sh "dpkg-deb --fsys-tarfile $downloads/${pkg}_*.deb | tar -xO '$vmlinuz' > $cache/vmlinuz-$label.tmp"
	# Only a complete kernel enters the cache.
	mv "$cache/vmlinuz-$label.tmp" "$cache/vmlinuz-$label"
	rm -f "$downloads/${pkg}"_*.deb
}

# busybox and the loader's libraries for arm64, as .deb files in the cache.
fetch_arm64_userland() {
	local pkg missing=()
	for pkg in "${arm64_packages[@]}"; do
		compgen -G "$cache/arm64/${pkg}_*_arm64.deb" >/dev/null || missing+=("$pkg")
	done
	[ "${#missing[@]}" -gt 0 ] || return 0
	arm64_apt_ready
	download "${missing[@]/%/:arm64}"
	mkdir -p "$cache/arm64"
	mv "$downloads"/*_arm64.deb "$cache/arm64/"
}
