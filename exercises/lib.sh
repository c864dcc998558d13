# The judge's helpers, shared by every exercises/NN-name/check.sh. Sourced by
# exercises/check.sh, never run. A check prints one ✔/✘ line per point, with
# what it expected (from a source the learner's code cannot touch) and what it
# got; on ✘ it points to the next hint and the lab section to reread.
# shellcheck shell=bash

. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"

EX_PASSED=0 EX_FAILED=0
EX_HINT_SHOWN=

# The folder of exercise NN (exercises/NN-name), or one line that lists the
# exercises, and exit 2.
exercise_dir() {
	local nn=$1 folders match known f
	folders=(exercises/[0-9][0-9]-*/)
	known=$(for f in "${folders[@]}"; do f=${f#exercises/}; printf '%s ' "${f%%-*}"; done)
	match=(exercises/"$nn"-*/)
	if [[ ! $nn =~ ^[0-9][0-9]$ ]] || [ "${#match[@]}" -ne 1 ] || [ ! -d "${match[0]}" ]; then
		echo "error: no exercise '$nn'; the exercises are: ${known% } (make exercise-NN)" >&2
		exit 2
	fi
	echo "${match[0]%/}"
}

# Hints live in DIR/hints/1.txt, 2.txt...: make hint-NN shows them one at a
# time, and EX_STATE/hints-shown counts how many this learner has seen.
hint_count() {
	local files=("$1"/hints/[0-9]*.txt)
	[ -e "${files[0]}" ] || { echo 0; return; }
	echo "${#files[@]}"
}

hints_shown() {
	local shown=0
	[ ! -r "$1/hints-shown" ] || shown=$(cat "$1/hints-shown")
	[[ $shown =~ ^[0-9]+$ ]] || shown=0
	echo "$shown"
}

# The hint a failed check points to: the one after those already shown.
next_hint() {
	local shown
	[ "$EX_VARIANT" = learner ] || return 0
	shown=$(hints_shown "$EX_STATE")
	[ "$shown" -lt "$EX_HINTS" ] || return 0
	echo $((shown + 1))
}

# point NAME EXPECTED GOT REREAD: ✔ when GOT is EXPECTED (and neither is
# empty); REREAD names the lab README section the hint points to.
point() {
	local name=$1 expected=$2 got=$3 reread=$4
	if [ -n "$expected" ] && [ -n "$got" ] && [ "$expected" = "$got" ]; then
		ok "$name: expected $expected, got $got"
		EX_PASSED=$((EX_PASSED + 1))
	else
		bad "$name: expected ${expected:-(nothing: the judge found no reference value)}, got ${got:-nothing}"
		hint "$reread"
		EX_FAILED=$((EX_FAILED + 1))
	fi
}

# A point that cannot be judged at all (the build failed, nothing loaded).
point_fails() {
	local name=$1 why=$2 reread=$3
	bad "$name: $why"
	hint "$reread"
	EX_FAILED=$((EX_FAILED + 1))
}

hint() {
	local n
	n=$(next_hint)
	if [ -n "$n" ] && [ -z "$EX_HINT_SHOWN" ]; then
		echo "  next: hint $n of $EX_HINTS, with 'make hint-${EX_NAME%%-*}'; reread $1"
		EX_HINT_SHOWN=1
	else
		echo "  reread $1"
	fi
}

# The learner's files, hashed: a verdict holds only for the files it judged.
# shellcheck disable=SC2153  # EX_FILES: set by the exercise's check.sh
learner_hash() {
	(cd "$EX_SRC" && sha256sum "${EX_FILES[@]}" 2>/dev/null) | sha256sum | cut -c 1-16
}

# Write what the check decided for the learner's own files, atomically, so
# that make progress never reads half a record.
record_verdict() {
	local verdict=$1 tmp
	[ "$EX_VARIANT" = learner ] || return 0
	mkdir -p "$EX_STATE"
	tmp=$(mktemp "$EX_STATE/verdict.XXXXXX")
	printf 'verdict=%s hash=%s checks=%s/%s\n' "$verdict" "$(learner_hash)" \
		"$EX_PASSED" "$((EX_PASSED + EX_FAILED))" >"$tmp"
	mv "$tmp" "$EX_STATE/verdict"
}

# The summary line, the record, and the exit status.
finish() {
	local total=$((EX_PASSED + EX_FAILED))
	echo
	if [ "$total" -gt 0 ] && [ "$EX_FAILED" -eq 0 ]; then
		ok "exercise $EX_NAME: $EX_PASSED/$total checks passed"
		record_verdict passed
		exit 0
	fi
	bad "exercise $EX_NAME: $EX_PASSED/$total checks passed"
	record_verdict failed
	exit 1
}

# A build step failed: its own error lines are above; one ✘, and stop.
build_failed() {
	bad "$1"
	hint "$2"
	EX_FAILED=$((EX_FAILED + 1))
	finish
}

# compile_bpf NAME [DIR]: NAME.bpf.c from the learner's folder (or DIR)
# into NAME.bpf.o.
compile_bpf() {
	local name=$1 dir=${2:-$EX_SRC}
	run clang -O2 -g -Wall -Werror -target bpf "-D__TARGET_ARCH_$(bpf_arch)" -I"$BUILD" -I"$EX_DIR" \
		-c "$dir/$name.bpf.c" -o "$EX_OUT/$name.bpf.o" ||
		build_failed "$name.bpf.c does not compile: fix the first error above, then run the check again" \
			"03-core-read/README.md, 'What build.sh runs'"
}

# skeleton NAME OBJ: the object embedded in NAME.skel.h, as make does it.
skeleton() {
	local name=$1 obj=$2
	run_sh "bpftool gen skeleton $obj name $name > $EX_OUT/$name.skel.h.tmp" ||
		build_failed "bpftool could not make a skeleton of $obj" "04-load-and-trace/README.md, '2. The skeleton loader'"
	mv "$EX_OUT/$name.skel.h.tmp" "$EX_OUT/$name.skel.h"
}

# compile_user OUT SOURCE...: a user-space tool, with the flags common.mk uses.
compile_user() {
	local out=$1
	shift
	# shellcheck disable=SC2046  # pkg-config prints several words on purpose
	run cc -O2 -g -Wall -Wextra -Werror -I"$COMMON_DIR" -I"$EX_DIR" -I"$EX_OUT" $(pkg-config --cflags libbpf) \
		"$@" $(pkg-config --libs libbpf) -lelf -lz -o "$EX_OUT/$out" ||
		build_failed "$(basename "$1") does not compile: fix the first error above, then run the check again" \
			"01-btf-inspect/README.md, 'What inspect.sh runs'"
}

# The shared loader, with the exercise's object embedded (exercises/loader.c).
build_loader() {
	compile_bpf "$@"
	skeleton exercise "$EX_OUT/$1.bpf.o"
	compile_user loader exercises/loader.c "$COMMON_DIR/cli.c"
}

# Everything a check loads or pins is undone on exit, Ctrl-C included.
EX_LOADER_PID="" EX_HELPER_PID="" EX_PINS=() EX_PROG=""
cleanup_kernel() {
	[ -z "$EX_HELPER_PID" ] || { kill "$EX_HELPER_PID" 2>/dev/null || true; wait "$EX_HELPER_PID" 2>/dev/null || true; EX_HELPER_PID=; }
	if [ -n "$EX_LOADER_PID" ]; then
		kill -INT "$EX_LOADER_PID" 2>/dev/null || true
		wait "$EX_LOADER_PID" 2>/dev/null || true
		EX_LOADER_PID=
	fi
	[ -z "${EX_TRACE_READER:-}" ] || { kill "$EX_TRACE_READER" 2>/dev/null || true; EX_TRACE_READER=; }
	local pin
	for pin in "${EX_PINS[@]}"; do rm -rf "$pin"; done
	EX_PINS=()
	[ -z "$EX_PROG" ] || wait_prog_gone "$EX_PROG" "$EX_PROG_BEFORE"
}

prog_count() { bpftool -j prog show | jq --arg n "$1" '[.[] | select(.name == $n)] | length'; }

# Wait (5 s at most) until the kernel holds WANT programs called NAME.
wait_prog_gone() {
	local name=$1 want=$2
	for _ in $(seq 50); do
		[ "$(prog_count "$name")" -le "$want" ] && return 0
		sleep 0.1
	done
	warn "programs called $name: $(prog_count "$name"), $want before the check"
}

# A check that loads anything: root, mounts, and the count to come back to.
prepare_kernel() {
	require_root "loading the exercise's BPF program"
	require_btf
	mount_bpffs
	mount_tracefs
	EX_PROG=$1
	EX_PROG_BEFORE=$(prog_count "$EX_PROG")
	[ "$EX_PROG_BEFORE" -eq 0 ] ||
		die "a program called $EX_PROG is already loaded (another check still running?): wait for it, or find it with 'bpftool prog show name $EX_PROG'"
}

# start_loader CMD...: run a loader in the background; return once its
# program is loaded, or show why not (the verifier's last lines) and stop.
start_loader() {
	local log=$EX_OUT/loader.err
	show_sh "$(shell_quote "$@") > $EX_OUT/loader.out 2> $log &"
	"$@" >"$EX_OUT/loader.out" 2>"$log" &
	EX_LOADER_PID=$!
	for _ in $(seq 100); do
		[ "$(prog_count "$EX_PROG")" -gt 0 ] && return 0
		if ! kill -0 "$EX_LOADER_PID" 2>/dev/null; then
			wait "$EX_LOADER_PID" || true
			EX_LOADER_PID=
			show_load_failure "$log"
		fi
		sleep 0.1
	done
	show_load_failure "$log"
}

show_load_failure() {
	if grep -q 'BEGIN PROG LOAD LOG' "$1"; then
		echo "The verifier rejected the program; the last lines of its log:"
		sed -n '/BEGIN PROG LOAD LOG/,/END PROG LOAD LOG/p' "$1" | grep -v 'PROG LOAD LOG' | tail -n 8
		build_failed "the kernel's verifier rejected $EX_PROG: the line before 'processed N insns' names the instruction; kernel memory is read with BPF_CORE_READ, not with ->" \
			"03-core-read/README.md, 'The program' (point 2, the memory)"
	fi
	tail -n 5 "$1"
	build_failed "$EX_PROG did not load: the loader's message is above" "04-load-and-trace/README.md, 'Loading: what happens'"
}

# A reader of trace_pipe that keeps the lines matching PATTERN in FILE for
# at most SECONDS; a marker written to trace_marker proves it was reading.
EX_TRACE_READER=
start_trace_reader() {
	local pattern=$1 file=$2 seconds=$3 pipe
	pipe=$(tracefs_dir)/trace_pipe
	require_free_trace_pipe "$pipe"
	show_sh "timeout $seconds grep --line-buffered -E $(shell_quote "$pattern") $pipe > $file &"
	timeout "$seconds" grep --line-buffered -E "$pattern" "$pipe" >"$file" &
	EX_TRACE_READER=$!
	sleep 0.3
}

stop_trace_reader() {
	[ -n "$EX_TRACE_READER" ] || return 0
	kill "$EX_TRACE_READER" 2>/dev/null || true
	wait "$EX_TRACE_READER" 2>/dev/null || true
	EX_TRACE_READER=
}

# A probe: PATH, a symlink to PROGRAM in a directory every user may enter;
# what is exec'd through it runs under the symlink's name (its comm).
make_probe() {
	local name=$1 program=$2
	# Said once per check: the printed commands that run a probe cannot be pasted afterwards.
	if [ ! -e "$EX_PROBES/.said" ]; then
		echo "(probes: symlinks in $EX_PROBES, made for this check and removed when it ends; a command below that runs one works only while the check runs)" >&2
		: >"$EX_PROBES/.said"
	fi
	ln -sf "$(type -P "$program")" "$EX_PROBES/$name"
	echo "$EX_PROBES/$name"
}
