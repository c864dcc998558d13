# Shell helpers shared by every lab script. Sourced, never run.
# shellcheck shell=bash

# Scripts run from the top of the checkout, so the commands they print are
# short and can be typed as shown.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 1
# Where everything that is built goes (make sets BUILD_DIR), as a path to type.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD=$(realpath -m --relative-to=. "${BUILD_DIR:-build}")
PIN_DIR=${PIN_DIR-/sys/fs/bpf/ppid}
# Tab completion adds a trailing slash: the same directory.
[ "$PIN_DIR" = / ] || PIN_DIR=${PIN_DIR%/}
BTF_PATH=${BTF_PATH:-/sys/kernel/btf/vmlinux}

if [ -t 1 ]; then
	c_cmd=$'\e[1;36m' c_ok=$'\e[32m' c_bad=$'\e[31m' c_off=$'\e[0m'
else
	c_cmd='' c_ok='' c_bad='' c_off=''
fi

# The arch name libbpf's bpf_tracing.h expects in __TARGET_ARCH_<arch>.
bpf_arch() {
	uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
		-e 's/mips.*/mips/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/'
}

die() { echo "error: $*" >&2; exit 1; }
warn() { echo "warning: $*" >&2; }
step() { printf '\n%s== %s ==%s\n' "$c_cmd" "$*" "$c_off"; }
ok() { printf '%s✔%s %s\n' "$c_ok" "$c_off" "$*"; }
bad() { printf '%s✘%s %s\n' "$c_bad" "$c_off" "$*"; }

# WORDS as one command line a shell reads back as the same words: a word
# with anything but safe characters goes in single quotes.
shell_quote() {
	local word line='' sq="'" esc="'\\''"
	for word in "$@"; do
		[[ $word =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]] || word="$sq${word//$sq/$esc}$sq"
		line+="${line:+ }$word"
	done
	printf '%s' "$line"
}

# Print a command the way a learner would type it.
show() {
	printf '%s$ %s%s\n' "$c_cmd" "$(shell_quote "$@")" "$c_off"
}

# Print a command line exactly as given (it has pipes or redirections).
show_sh() {
	printf '%s$ %s%s\n' "$c_cmd" "$1" "$c_off"
}

# Print a command, then run it.
run() {
	show "$@"
	"$@"
}

# Print a command, then run it for its output: the command goes to stderr,
# so that $(run_for_output CMD...) keeps only what CMD prints.
run_for_output() {
	show "$@" >&2
	"$@"
}

# A lab's last line when all went well: what to do next.
say_next_step() {
	[ "$1" -eq 0 ] || return 0
	echo
	echo "Next: $2"
}

# The same for a command line with pipes or redirections.
run_sh() {
	show_sh "$1"
	bash -o pipefail -c "$1"
}

# make lab-NN (04 loads, 05 undoes it) as this learner must type it: with
# their PIN_DIR when it is not the default, and with sudo only when not root.
lab_command() {
	local cmd="make lab-$1"
	[ "$PIN_DIR" = /sys/fs/bpf/ppid ] || cmd+=" PIN_DIR=$(shell_quote "$PIN_DIR")"
	[ "$(id -u)" -eq 0 ] || cmd="sudo $cmd"
	echo "$cmd"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || die "$1 needs root: run it with sudo"
}

require_btf() {
	[ -r "$BTF_PATH" ] ||
		die "no kernel BTF at $BTF_PATH: this kernel was built without CONFIG_DEBUG_INFO_BTF; use a distribution kernel that has it (Debian 11+, Ubuntu 20.10+, Fedora 31+)"
}

bpftool_has_autoattach() {
	command -v bpftool >/dev/null 2>&1 && bpftool prog help 2>&1 | grep autoattach >/dev/null
}

mount_bpffs() {
	mountpoint -q /sys/fs/bpf && return 0
	run mount -t bpf bpf /sys/fs/bpf ||
		die "cannot mount bpffs at /sys/fs/bpf: run as root, or ask the machine's admin to mount it"
}

mount_tracefs() {
	[ -e /sys/kernel/tracing/trace_pipe ] && return 0
	[ -e /sys/kernel/debug/tracing/trace_pipe ] && return 0
	run mount -t tracefs tracefs /sys/kernel/tracing ||
		die "cannot mount tracefs at /sys/kernel/tracing: run as root, or ask the machine's admin to mount it"
}

# trace_pipe takes one reader at a time on recent kernels; say who to stop.
require_free_trace_pipe() {
	(exec 3<"$1") 2>/dev/null ||
		die "$1 is busy: another program reads it (cat, bpftool prog tracelog, ppid --follow); stop it and retry"
}

# Lab 04's program prints "exec <comm> ppid=<n>" into the same trace_pipe:
# a run that looks for such lines must not start while it is loaded.
require_no_lab04_program() {
	[ -z "$(bpftool prog show name on_exec 2>/dev/null)" ] ||
		die "a program called on_exec is still loaded (lab 04's, pinned under $PIN_DIR?) and its lines would mix with this run's: run '$(lab_command 05)' first"
}

# kernel.bpf_stats_enabled is one switch for the whole machine: one script
# at a time may turn it on and put it back. The lock goes when we exit.
# With WAIT seconds, queue behind the other run for that long at most.
own_bpf_stats() {
	local wait=${1:-0}
	exec 8>/run/btf-core-labs-bpf-stats.lock
	flock -n 8 && return 0
	if [ "$wait" -gt 0 ]; then
		echo "kernel.bpf_stats_enabled: another run is measuring with it (another learner's lab 04, or make bench); waiting up to ${wait}s"
		flock -w "$wait" 8 && return 0
	fi
	die "another run is measuring with kernel.bpf_stats_enabled (lab 04's trace.sh or make bench): wait for it to finish, then retry"
}

# One ✔/✘ line per CO-RE relocation of OBJ: the offset core_relocs computes
# against BTF, next to the one libbpf's log LOG says it patched in. PREFIX
# names where the log comes from. Fails if any differ.
cross_check_relocations() {
	local obj=$1 btf=$2 log=$3 prefix=$4 prog insn field target patched status=0
	while read -r prog insn _ field _ _ target; do
		insn=${insn#insn=} target=${target#target=} field=${field#field=}
		patched=$(sed -n "s/.*prog '$prog': relo #[0-9]*: patched insn #$insn .* imm [0-9]* -> \([0-9]*\)$/\1/p" "$log")
		if [ "$patched" = "$target" ]; then
			ok "$prefix$field: core_relocs $target, libbpf patched insn #$insn to $patched"
		else
			bad "$prefix$field: core_relocs $target, libbpf patched insn #$insn to ${patched:-nothing}"
			status=1
		fi
	done < <("$BUILD/core_relocs" "$obj" --btf "$btf")
	return "$status"
}

# The directory that holds trace_pipe: the modern place first, debugfs second.
tracefs_dir() {
	local d
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -e "$d/trace_pipe" ] && { echo "$d"; return 0; }
	done
	die "tracefs is not mounted: run 'sudo make setup' (or: mount -t tracefs tracefs /sys/kernel/tracing)"
}

# The process that holds PIPE open, as "pid N (comm)", or "an unknown reader".
trace_pipe_reader() {
	local fd pid
	for fd in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
		pid=${fd#/proc/}
		pid=${pid%%/*}
		echo "pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
		return 0
	done
	echo "an unknown reader"
}

# trace_pipe takes one reader at a time, and a lab reads it for a few
# seconds: queue behind another learner's lab (a lock that names its holder),
# then behind any other reader, WAIT seconds at most in all.
hold_trace_pipe() {
	local pipe=$1 wait=$2 lock=/run/btf-core-labs-trace-pipe.lock tries
	exec 7>>"$lock"
	if ! flock -n 7; then
		echo "trace_pipe: $(cat "$lock") is reading it; waiting up to ${wait}s"
		flock -w "$wait" 7 ||
			die "trace_pipe is still held by $(cat "$lock") after ${wait}s: let that lab finish, then retry"
	fi
	: >"$lock"
	echo "lab 04 of $TOP (pid $$, PIN_DIR=$PIN_DIR)" >&7
	for ((tries = wait * 10; tries > 0; tries--)); do
		(exec 3<"$pipe") 2>/dev/null && return 0
		[ "$tries" -lt $((wait * 10)) ] ||
			echo "trace_pipe: $pipe is read by $(trace_pipe_reader "$pipe"); waiting up to ${wait}s"
		sleep 0.1
	done
	die "$pipe is busy: still read by $(trace_pipe_reader "$pipe") after ${wait}s (cat, bpftool prog tracelog, ppid --follow?); stop it and retry"
}

# Start WORDS in the background with stdout to FILE, printed the way it would
# be typed; its pid is in $background_pid.
run_in_background() {
	local file=$1
	shift
	show_sh "$(shell_quote "$@") > $(shell_quote "$file") &"
	"$@" >"$file" &
	# shellcheck disable=SC2034  # the caller waits on it
	background_pid=$!
}

# PIN_DIR is the one directory lab 04 makes and lab 05 removes. So that a slip
# can never point them at anything else, it must be a plain absolute path to
# a directory inside a mounted bpffs, below its mount point. Prints what is
# wrong with it, or nothing.
pin_dir_problem() {
	local dir=$1 parent
	case $dir in
	"") echo "it is empty"; return ;;
	/*) ;;
	*) echo "it is not an absolute path"; return ;;
	esac
	[[ $dir =~ ^[A-Za-z0-9._/-]+$ ]] || { echo "it has characters other than letters, digits, '.', '_', '-' and '/' (a space, say)"; return; }
	[ "$(realpath -m -- "$dir")" = "$dir" ] || { echo "it is not a plain path (it goes through a symlink, or has '..', '.', '//' or a trailing '/')"; return; }
	parent=$(dirname -- "$dir")
	if [ "$(stat -f -c %T -- "$dir" 2>/dev/null)" = bpf_fs ] && mountpoint -q -- "$dir"; then
		echo "it is the bpffs mount point itself, which holds every program's pins"
	elif [ "$(stat -f -c %T -- "$parent" 2>/dev/null)" != bpf_fs ]; then
		echo "$parent is not in a mounted bpffs"
	elif [ -e "$dir" ] && [ ! -d "$dir" ]; then
		echo "it exists and is not a directory"
	fi
}

pin_dir_rule="PIN_DIR takes a directory for lab 04's pin inside a mounted bpffs, below its mount point, e.g. /sys/fs/bpf/ppid_$(id -un 2>/dev/null || echo me)"

# Refuse (exit 2) a PIN_DIR that lab 04 and lab 05 must not touch.
check_pin_dir() {
	local problem
	problem=$(pin_dir_problem "$PIN_DIR")
	[ -z "$problem" ] || settings_error "PIN_DIR=$PIN_DIR: $problem. $pin_dir_rule"
}

# Lab 04 remembers which program it loaded at PIN_DIR, and how many programs
# the kernel held before, in a file of its own per PIN_DIR: a test run or
# another learner with another PIN_DIR never overwrites it.
lab04_record() {
	echo "$BUILD/lab04-pins/${PIN_DIR//\//%}"
}

# The id of the program behind the link pinned at PIN_DIR/on_exec, or nothing.
# (bpftool 7.5 exits 255 from 'link show pinned' even when it shows the link.)
pinned_prog_id() {
	{ bpftool -j link show pinned "$PIN_DIR/on_exec" 2>/dev/null || true; } | sed -n 's/.*"prog_id":\([0-9]*\).*/\1/p'
}

# Which loader lab 04 uses (LOADER, or bpftool when it can autoattach), and why.
choose_loader() {
	case ${LOADER:-} in
	bpftool)
		bpftool_has_autoattach ||
			die "this bpftool cannot autoattach (bpftool 7.2 or newer can): use LOADER=skeleton, or run 'sudo make setup'"
		echo "loader: bpftool (LOADER=bpftool)" >&2
		;;
	skeleton) echo "loader: skeleton (LOADER=skeleton)" >&2 ;;
	*)
		if bpftool_has_autoattach; then
			echo "loader: bpftool — 'bpftool prog help' lists autoattach" >&2
			LOADER=bpftool
		else
			echo "loader: skeleton ($BUILD/ppid) — this bpftool cannot autoattach (it needs bpftool 7.2 or newer)" >&2
			LOADER=skeleton
		fi
		;;
	esac
	echo "$LOADER"
}

# Lab 04 claims PIN_DIR for LOADER: a valid name that nobody uses. bpftool
# gets the directory made here (mkdir is atomic: of two learners loading at
# once, one gets it); the skeleton loader makes it itself, just as atomically.
# Until lab04_loaded says the load is complete, Ctrl-C or a failure undoes
# what this run pinned, and nothing else.
claim_pin_dir() {
	check_pin_dir
	pin_dir_ours=
	interrupted=
	trap undo_half_load EXIT
	trap 'interrupted=1' INT TERM
	if [ "$1" = bpftool ]; then
		mkdir -- "$PIN_DIR" 2>/dev/null || die "already loaded at $PIN_DIR — run '$(lab_command 05)' first"
		pin_dir_ours=1
	elif [ -e "$PIN_DIR" ]; then
		die "already loaded at $PIN_DIR — run '$(lab_command 05)' first"
	fi
	forget_lab04_record
}

# shellcheck disable=SC2317  # called by the EXIT trap
undo_half_load() {
	local status=$?
	[ -n "$pin_dir_ours" ] || return "$status"
	rm -f -- "$PIN_DIR/on_exec"
	rmdir -- "$PIN_DIR" 2>/dev/null || true
	[ -z "$interrupted" ] || lab04_step_says_interrupted "lab 04 undid its load, nothing is loaded or pinned at $PIN_DIR. Next: $(lab_command 04)"
	return "$status"
}

# The load is complete (a failed loader stopped the script before this, and
# cleaned up after itself): write down the program's id and the count before
# in lab 04's record, and from now on leave the load in place on Ctrl-C.
# The id is in $lab04_prog_id.
lab04_loaded() {
	local id record
	pin_dir_ours=1
	[ -z "$interrupted" ] || exit 130
	id=$(pinned_prog_id)
	[ -n "$id" ] || die "nothing pinned at $PIN_DIR/on_exec after the load: run '$(lab_command 04)' again"
	record=$(lab04_record)
	mkdir -p -- "$(dirname -- "$record")"
	printf 'prog_id=%s programs_before=%s\n' "$id" "$1" >"$record"
	trap - EXIT
	trap 'lab04_interrupted '"$id"'; exit 130' INT TERM
	# shellcheck disable=SC2034  # load.sh prints it
	lab04_prog_id=$id
}

# What Ctrl-C leaves once lab 04's program is loaded, and the next step.
lab04_interrupted() {
	lab04_step_says_interrupted "$(lab04_stays_loaded "$1")"
}

lab04_stays_loaded() {
	echo "on_exec (program $1) stays loaded and pinned at $PIN_DIR, as lab 04 leaves it. Next: $(lab_command 05)"
}

# make lab-04 runs lab.sh, which runs load.sh then trace.sh, and Ctrl-C
# reaches all of them at once, or lab.sh alone between the two steps. Each
# step stops as it must (load.sh undoes a half-done load, trace.sh keeps the
# program); then lab.sh alone says what state that left, read from the pin,
# and the next step. A step run by hand says it itself.
report_lab04_interrupts() {
	export LAB04_INTERRUPT_SAID_BY_LAB_SH=1
	trap 'say_lab04_state_interrupted; exit 130' INT TERM
}

lab04_step_says_interrupted() {
	[ -n "${LAB04_INTERRUPT_SAID_BY_LAB_SH:-}" ] || echo "interrupted: $1" >&2
}

say_lab04_state_interrupted() {
	local id
	id=$(pinned_prog_id)
	if [ -n "$id" ]; then
		echo "interrupted: $(lab04_stays_loaded "$id")" >&2
	else
		echo "interrupted: nothing is loaded or pinned at $PIN_DIR (lab 04 undid its load, or had not loaded yet). Next: $(lab_command 04)" >&2
	fi
}

# Run one step of lab 04, printed with the settings it runs with, as a
# learner would type it to run that step alone.
run_lab04_step() {
	local line=$1
	[ -z "${LOADER:-}" ] || line="LOADER=$(shell_quote "$LOADER") $line"
	[ "$PIN_DIR" = /sys/fs/bpf/ppid ] || line="PIN_DIR=$(shell_quote "$PIN_DIR") $line"
	run_sh "$line"
}

# The program id lab 04 recorded for PIN_DIR, if that program still exists
# (a record outlives a reboot, or a test's pin removed without lab 05).
lab04_recorded_prog_id() {
	local id
	id=$(lab04_recorded prog_id)
	[ -n "$id" ] && bpftool prog show id "$id" >/dev/null 2>&1 && echo "$id"
	return 0
}

# A field (prog_id, programs_before) of lab 04's record for PIN_DIR.
lab04_recorded() {
	local record
	record=$(lab04_record)
	[ ! -r "$record" ] || sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$record"
}

forget_lab04_record() {
	rm -f -- "$(lab04_record)"
}

# Lab 05 removes only what lab 04 pinned: the link named on_exec in PIN_DIR,
# when it leads to the program lab 04 recorded (or, with no record, to a
# program called on_exec); then PIN_DIR, if that left it empty. Never
# anything else, and never recursively.
release_pin_dir() {
	local id=$1 pinned left
	pinned=$(pinned_prog_id)
	if [ -z "$pinned" ] || { [ -n "$id" ] && [ "$pinned" != "$id" ]; } ||
		{ [ -z "$id" ] && ! bpftool prog show id "$pinned" 2>/dev/null | grep -q ' name on_exec '; }; then
		die "$PIN_DIR/on_exec is not a link to lab 04's program ${id:-on_exec}: left it alone (see: bpftool link show pinned $PIN_DIR/on_exec)"
	fi
	run rm "$PIN_DIR/on_exec"
	if ! rmdir -- "$PIN_DIR" 2>/dev/null; then
		left=$(find "$PIN_DIR" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | paste -sd ' ')
		warn "left $PIN_DIR in place: it also holds ${left:-something}, which lab 04 did not pin"
		return 0
	fi
	show rmdir "$PIN_DIR"
}

# Wait until program ID is gone from the kernel (5 s at most); the command
# shown is the one polled.
wait_prog_gone() {
	local id=$1 poll=(bpftool prog show id "$1")
	show "${poll[@]}"
	echo "  (every 0.1 s, until it fails: the kernel has freed program $id)"
	for _ in $(seq 50); do
		"${poll[@]}" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}

# make clean removes the build directory, and only a build directory: never
# /, a home, the checkout or above, a symlink, a directory this project did
# not build; outside the checkout, only when told plainly. Prints what is
# wrong with DIR, or nothing.
build_dir_problem() {
	local dir=$1 real
	real=$(realpath -ms -- "$dir")
	if [ -L "$real" ]; then
		echo "BUILD=$dir is a symlink (to $(readlink -- "$real")): make clean removes directories it built, not what a link points to"
		return
	fi
	[ -e "$real" ] || return 0
	real=$(realpath -e -- "$real")
	case $real in
	/ | "$HOME" | "$TOP" | "$TOP"/.git | "$TOP"/.git/*)
		echo "BUILD=$dir is $real: make clean never removes that"
		return
		;;
	esac
	if [[ $TOP/ == "$real"/* ]]; then
		echo "BUILD=$dir holds this checkout: make clean never removes that"
	elif [[ $real != "$TOP"/build && $real != "$TOP"/build-sanitize && ! -e $real/.btf-core-labs-build ]]; then
		echo "BUILD=$dir has no .btf-core-labs-build: this project's make did not create it, so make clean leaves it alone"
	elif [[ $real != "$TOP"/* && ${CLEAN_OUTSIDE_CHECKOUT:-} != yes ]]; then
		echo "BUILD=$dir is outside this checkout: to remove it, say so: make clean BUILD=$dir CLEAN_OUTSIDE_CHECKOUT=yes"
	fi
}

settings_error() { echo "error: $*" >&2; exit 2; }

# The variables a learner sets, checked before any work starts: a value of
# the wrong kind gets one line naming the variable and what it takes.
check_settings() {
	local k
	[ -z "${PIN_DIR+set}" ] || [[ -n $PIN_DIR && $PIN_DIR =~ ^/[A-Za-z0-9._/-]*$ ]] ||
		settings_error "PIN_DIR='$PIN_DIR': $pin_dir_rule"
	# The rest of the rule needs a bpffs; with none yet, the lab checks again after mounting one.
	if [ -n "${PIN_DIR+set}" ] && awk '$3 == "bpf" { found = 1 } END { exit !found }' /proc/mounts; then
		check_pin_dir
	fi
	for k in RUNS BURST FUZZ_SECONDS; do
		[ -z "${!k+set}" ] || [[ ${!k} =~ ^[1-9][0-9]{0,8}$ ]] ||
			settings_error "$k='${!k}': $k takes a positive whole number, e.g. $k=5"
	done
	for k in SOLUTION PURGE QUICK; do
		[ -z "${!k:-}" ] || [[ ${!k} =~ ^[01]$ ]] ||
			settings_error "$k='${!k}': $k takes 1 (yes) or 0 (no)"
	done
	[ -z "${LOADER:-}" ] || [[ $LOADER =~ ^(bpftool|skeleton)$ ]] ||
		settings_error "LOADER='$LOADER': LOADER takes bpftool or skeleton"
	for k in BTF_PATH RESULTS; do
		[ -z "${!k+set}" ] || [[ -n ${!k} && ${!k} =~ ^[^[:space:]]+$ && ! -d ${!k} ]] ||
			settings_error "$k='${!k}': $k takes one file path (no spaces, not a directory)"
	done
	k=
	if [ -n "${KERNELS+set}" ]; then
		for k in $KERNELS; do
			[ ! -d "$k" ] ||
				settings_error "KERNELS: '$k' is a directory: KERNELS takes kernel images (vmlinuz files) separated by spaces, e.g. KERNELS=\"/boot/vmlinuz-\$(uname -r)\""
		done
		[ -n "$k" ] || settings_error "KERNELS is empty: KERNELS takes kernel images (vmlinuz) separated by spaces"
	fi
	k=
	if [ -n "${KERNEL_PACKAGES+set}" ]; then
		for k in $KERNEL_PACKAGES; do
			[[ $k =~ ^linux-image-[a-z0-9][a-z0-9.+-]*$ ]] ||
				settings_error "KERNEL_PACKAGES: '$k' is not a kernel package name: KERNEL_PACKAGES takes Debian package names separated by spaces, e.g. KERNEL_PACKAGES=linux-image-6.1.0-28-amd64"
		done
		[ -n "$k" ] || settings_error "KERNEL_PACKAGES is empty: KERNEL_PACKAGES takes Debian package names separated by spaces"
	fi
}
check_settings

# Lab 04's program, for trace.sh: the one behind the link pinned at PIN_DIR
# (other programs called on_exec, a test's or another learner's, are not
# ours). Its id goes in $lab04_prog_id; Ctrl-C says what stays loaded.
find_lab04_program() {
	check_pin_dir
	lab04_prog_id=$(pinned_prog_id)
	[ -n "$lab04_prog_id" ] || die "on_exec is not loaded at $PIN_DIR: run '$(lab_command 04)' first"
	trap 'lab04_interrupted '"$lab04_prog_id"'; exit 130' INT TERM
}

# Commands run on exit, Ctrl-C included, in the order they were added.
exit_actions=()
on_exit() {
	exit_actions+=("$1")
	trap run_exit_actions EXIT
}
# shellcheck disable=SC2317  # called by the EXIT trap
run_exit_actions() {
	local action
	for action in "${exit_actions[@]}"; do eval "$action"; done
}

# A probe PATH (a symlink to sleep, so that what runs through it has its own
# name), removed on exit with the files known_parent.sh writes beside it.
make_probe() {
	# The removal is registered first: a Ctrl-C right after ln leaves nothing.
	on_exit "rm -f $(shell_quote "$1") $(shell_quote "$(dirname "$1")")/{parent.pid,child.ppid,on_exec.xlated}"
	ln -sf "$(type -P sleep)" "$1"
}

# A background reader must not outlive the script (it would keep trace_pipe).
stop_on_exit() {
	on_exit "kill $1 2>/dev/null || true"
}

# Turn kernel.bpf_stats_enabled on for this script only: queue for the
# switch (30 s at most), and put its value back on exit, Ctrl-C included.
hold_bpf_stats() {
	own_bpf_stats 30
	stats_before=$(sysctl -n kernel.bpf_stats_enabled)
	on_exit "sysctl -q -w kernel.bpf_stats_enabled=$stats_before"
}

# The next learner's lab may read trace_pipe now.
release_trace_pipe() {
	exec 7>&-
}

# One ✔/✘ line per CO-RE relocation of lab 03's object: the offset
# core_relocs computes against this kernel's BTF, found as the constant at
# the same instruction of the program the kernel runs (XLATED, bpftool's dump).
check_patched_offsets() {
	local xlated=$1 insn field target status=0 checked=0
	while read -r _ insn _ field _ _ target; do
		insn=${insn#insn=} field=${field#field=} target=${target#target=}
		if grep -qE "^ +$insn: \(b7\) r[0-9]+ = $target\$" "$xlated"; then
			ok "insn $insn: = $target, the offset of $field on this kernel (core_relocs: target=$target)"
		else
			bad "insn $insn: not = $target, the offset of $field on this kernel (core_relocs: target=$target)"
			status=1
		fi
		checked=$((checked + 1))
	done < <("$BUILD/core_relocs" "$BUILD/ppid.bpf.o" --btf "$BTF_PATH")
	[ "$checked" -gt 0 ] || { bad "core_relocs found no relocation to look for"; status=1; }
	return "$status"
}
