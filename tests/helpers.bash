# Shared by every tests/*.bats file: load with `load helpers`.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
# A pipeline fails when any command in it fails, not only the last one: a
# test must not pass on what awk made of a tool that crashed.
set -o pipefail

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$TOP/build}
BTF_PATH=${BTF_PATH:-/sys/kernel/btf/vmlinux}
export TOP BUILD_DIR BTF_PATH
# The build dir as the lab scripts print it (they run from the top).
BUILD_REL=$(realpath -m --relative-to="$TOP" "$BUILD_DIR")
export BUILD_REL

# A skip must never hide a step in CI: under CI=true (run-tests.sh exports
# BTF_LABS_STRICT=1) every would-be skip fails the test with its reason.
skip_unless() {
	local reason=$1
	shift
	"$@" && return 0
	if [ "${BTF_LABS_STRICT:-0}" = 1 ]; then
		fail "not skipped under CI: $reason"
	fi
	skip "$reason"
}

is_root() { [ "$(id -u)" -eq 0 ]; }
has_btf() { [ -r "$BTF_PATH" ]; }
has_cmd() { command -v "$1" >/dev/null 2>&1; }

require_root() { skip_unless "needs root (run: sudo make test)" is_root; }
require_btf() { skip_unless "kernel has no BTF at $BTF_PATH" has_btf; }
require_cmd() { skip_unless "$1 is not installed (run: sudo make setup)" has_cmd "$1"; }
# Not "| grep -q": grep would stop reading, and bpftool's SIGPIPE fail the pipeline.
bpftool_has_autoattach_here() { [[ $(bpftool prog help 2>&1) == *autoattach* ]]; }

# Run CMD [ARG...] as user nobody, with no capabilities: what a learner who
# forgot sudo sees. The checkout may sit in a home directory that nobody
# cannot enter (0700), so CMD runs from a copy, in a directory every user can
# enter, of the FILEs it needs (paths relative to the top; build/NAME is
# $BUILD_DIR/NAME); CMD and any ARG naming such a file are written relative
# to the top too. Usage: run_as_nobody FILE... -- CMD [ARG...]
run_as_nobody() {
	local copy file
	copy=$(mktemp -d /tmp/btf-core-labs-nobody.XXXXXX)
	chmod 755 "$copy"
	while [ "$1" != -- ]; do
		file=$1
		shift
		mkdir -p "$copy/$(dirname "$file")"
		case $file in
		build/*) cp "$BUILD_DIR/${file#build/}" "$copy/$file" ;;
		*) cp "$TOP/$file" "$copy/$file" ;;
		esac
	done
	shift
	BUILD_DIR=$copy/build run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$copy/$1" "${@:2}"
	rm -rf "$copy"
}

# Offset in bytes of a direct member of a struct, read from bpftool's raw
# dump: the independent source every offset test compares against.
bpftool_offset() {
	local btf=$1 struct=$2 field=$3
	bpftool btf dump file "$btf" | awk -v s="'$struct'" -v f="'$field'" '
		$2 == "STRUCT" && $3 == s { inside = 1; next }
		/^\[/ { inside = 0 }
		inside && $1 == f && !found { sub("bits_offset=", "", $3); print $3 / 8; found = 1 }'
}

# The direct member of a struct whose bytes include byte OFFSET: the last
# one that starts at or before it, in bpftool's raw dump.
bpftool_member_at() {
	local btf=$1 struct=$2 offset=$3
	bpftool btf dump file "$btf" | awk -v s="'$struct'" -v at="$offset" '
		$2 == "STRUCT" && $3 == s { inside = 1; next }
		/^\[/ { inside = 0 }
		inside { sub("bits_offset=", "", $3); if ($3 / 8 <= at) { name = $1 } }
		END { gsub("\047", "", name); print name }'
}

# Value of KEY=VALUE in the first line of stdin that starts with PREFIX.
field_of() {
	local prefix=$1 key=$2
	awk -v p="$prefix" -v k="$key" 'index($0, p) == 1 && !found {
		for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); found = 1 } }'
}

# How many programs called NAME the kernel holds, from bpftool's JSON.
bpftool_prog_count() {
	bpftool -j prog show | jq --arg n "$1" '[.[] | select(.name == $n)] | length'
}

# The id of the program behind the link pinned at PATH, from bpftool; empty
# when there is none. bpftool 7.5 prints the link, then exits 255: judge by
# what it printed, and let the caller check that an id came out.
link_prog_id() {
	local json
	json=$(bpftool -j link show pinned "$1" 2>/dev/null) || true
	[ -n "$json" ] || return 0
	jq -e '.prog_id' <<<"$json"
}

# The kernel frees an unpinned program asynchronously: wait up to 5 s for
# the count of programs called NAME to reach WANT.
wait_prog_count() {
	local name=$1 want=$2
	for _ in $(seq 50); do
		[ "$(bpftool_prog_count "$name")" -eq "$want" ] && return 0
		sleep 0.1
	done
	echo "programs called $name: $(bpftool_prog_count "$name"), expected $want" >&2
	return 1
}

# Start a reader of trace_pipe that keeps the first N lines matching PATTERN
# in FILE, for at most 5 s; its pid is in $TRACE_READER.
start_trace_reader() {
	local pattern=$1 n=$2 file=$3 dir
	for dir in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -e "$dir/trace_pipe" ] && break
	done
	timeout 5 grep -m "$n" "$pattern" "$dir/trace_pipe" >"$file" &
	# shellcheck disable=SC2034  # the caller waits on it
	TRACE_READER=$!
	sleep 0.3
}
