#!/usr/bin/env bash
# make bench: what the pre-compiled CO-RE tracer costs on this machine, next
# to the tools one would otherwise reach for. Medians of RUNS runs each.
#   QUICK=1     one run each and a burst of 200 execs: checks that it works
#   RUNS=5      runs per measurement
#   BURST=2000  execs in the workload burst
#   RESULTS=bench/results.md  where the Markdown report goes
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "loading BPF programs and reading their run-time statistics"
require_btf
mount_bpffs
mount_tracefs
trace_pipe=$(tracefs_dir)/trace_pipe
require_free_trace_pipe "$trace_pipe"
require_no_lab04_program

if [ -n "${QUICK:-}" ]; then
	runs=1 burst=200
else
	runs=${RUNS:-5} burst=${BURST:-2000}
fi
[[ $runs =~ ^[1-9][0-9]*$ && $burst =~ ^[1-9][0-9]*$ ]] ||
	die "RUNS and BURST must be positive whole numbers (got RUNS=$runs BURST=$burst)"
results=${RESULTS:-bench/results.md}
work=$BUILD/bench
pin_dir=/sys/fs/bpf/btf-core-labs-bench-$$
one_liner='tracepoint:sched:sched_process_exec { printf("exec %s ppid=%d\n", comm, curtask->real_parent->tgid) }'
# The same reads, but a line only for the marker: what printing every exec costs.
# shellcheck disable=SC2016  # $ppid is bpftrace's variable, not the shell's
quiet_one_liner='tracepoint:sched:sched_process_exec { $ppid = curtask->real_parent->tgid; if (comm == "bench_marker") { printf("exec %s ppid=%d\n", comm, $ppid) } }'
python=/usr/bin/python3	# Debian's, which has the bcc module, whatever python is first in PATH
mkdir -p "$work"
# What every tracer prints for it: a name nobody else execs (a symlink's name
# becomes the comm of what is exec'd through it).
marker=$work/bench_marker
ln -sf "$(type -P true)" "$marker"

own_bpf_stats
stats_before=$(sysctl -n kernel.bpf_stats_enabled)
wrapper=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	stop_tracer
	rm -rf "$pin_dir"
	sysctl -q -w kernel.bpf_stats_enabled="$stats_before"
	rm -f "$marker" "$work"/*.out "$work"/*.err "$work"/*.rss
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# A / B to two decimals, or "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
now_ns() { date +%s%N; }

# Each tracer: the name in the tables, and a command that attaches the
# equivalent of on_exec and prints "exec <comm> ppid=<n>" lines until SIGINT.
declare -A tracer_label tracer_command
tracer() { tracer_label[$1]=$2 tracer_command[$1]=${3:-}; }
tracer none "no tracer"
tracer ppid "ppid (CO-RE skeleton, dynamic)" "$BUILD/ppid --follow"
tracer ppid.static "ppid (CO-RE skeleton, static)" "$BUILD/ppid.static --follow"
# The same reads, sent through a ring buffer to a reader (exercise 06's solution).
tracer ringbuf "ring buffer + reader, no bpf_printk (exercise 06)" "$BUILD/exercises/06-ring-buffer/solution/ringbuf"
# sh's exec makes cat the process GNU time waits for; its peak RSS covers
# bpftool too, a child that sh waited for.
tracer bpftool "bpftool prog loadall … autoattach + cat trace_pipe" \
	"sh -c 'bpftool prog loadall $BUILD/ppid.bpf.o $pin_dir autoattach && exec cat $trace_pipe'"
tracer bpftrace "bpftrace one-liner" "bpftrace -e '$one_liner'"
tracer bpftrace-quiet "bpftrace, same reads, printing only the marker" "bpftrace -e '$quiet_one_liner'"
tracer bcc "BCC (python3-bpfcc)" "$python bench/ppid_bcc.py"

# Start tracer NAME under GNU time; return once it has printed an exec of
# the marker, or fail if it exits first or takes over a minute.
start_tracer() {
	local name=$1 deadline
	rm -f "$work/$name.out" "$work/$name.err" "$work/$name.rss"
	# exec: the background job is GNU time itself, and the tracer its child.
	eval "exec /usr/bin/time -f %M -o $work/$name.rss ${tracer_command[$name]}" \
		>"$work/$name.out" 2>"$work/$name.err" &
	wrapper=$!
	deadline=$(($(now_ns) + 60000000000))
	until grep -q "exec bench_marker ppid=" "$work/$name.out"; do
		# Exited by itself: bpftool may have pinned and attached before cat failed.
		kill -0 "$wrapper" 2>/dev/null || { wait "$wrapper" || true; wrapper=; rm -rf "$pin_dir"; return 1; }
		[ "$(now_ns)" -lt "$deadline" ] || { stop_tracer; return 1; }
		"$marker"
		sleep 0.01
	done
}

stop_tracer() {
	[ -n "$wrapper" ] || return 0
	pkill -INT -P "$wrapper" 2>/dev/null || true
	# A tracer that inherited SIGINT ignored (cat, under a background job of a
	# non-interactive shell) keeps running: TERM it after 5 s.
	for _ in $(seq 50); do
		kill -0 "$wrapper" 2>/dev/null || break
		sleep 0.1
	done
	pkill -TERM -P "$wrapper" 2>/dev/null || true
	wait "$wrapper" 2>/dev/null || true
	wrapper=
	rm -rf "$pin_dir"
}

# Why a tracer could not start, in one sentence: the first error it printed
# (BCC prints its own to stdout), or else its first line, leaving out the
# warning about the memlock limit (which kernels since 5.11 do not use).
failure_reason() {
	local lines
	lines=$(cat "$work/$1.out" "$work/$1.err" | grep -v -i -e memlock -e '^$' || true)
	{ grep -i -m 1 -e unable -e error -e fail <<<"$lines" || head -n 1 <<<"$lines"; } |
		sed 's/\. .*/./' | tr '|' / | cut -c 1-120
}

# A row of the first table: median time to first event, median peak RSS.
declare -A first_ms rss_mb why_not
measure_start() {
	local name=$1 r t0 times=() sizes=()
	for ((r = 0; r < runs; r++)); do
		t0=$(now_ns)
		if ! start_tracer "$name"; then
			why_not[$name]=$(failure_reason "$name")
			return 0
		fi
		times+=("$((($(now_ns) - t0) / 1000000))")
		stop_tracer
		sizes+=("$(tail -n 1 "$work/$name.rss")")
	done
	first_ms[$name]=$(printf '%s\n' "${times[@]}" | median)
	rss_mb[$name]=$(printf '%s\n' "${sizes[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')
}

# The ids of the tracepoint programs loaded since BEFORE (a JSON list of
# ids): the tracer's. (bpftool cannot always tell which process holds a
# program, so this relies on nobody else loading one meanwhile.)
new_tracepoint_ids() {
	bpftool -j prog show | jq -r --argjson before "$1" \
		'.[] | select(.type == "tracepoint" and (.id | IN($before[]) | not)) | .id'
}
loaded_ids() { bpftool -j prog show | jq -c '[.[].id]'; }

# run_time_ns and run_cnt summed over the programs IDS.
bpf_stats() {
	local total_ns=0 total_cnt=0 id
	for id in $1; do
		# A program gone meanwhile (not ours after all) counts for nothing.
		read -r ns cnt < <(bpftool -j prog show id "$id" 2>/dev/null | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"' || true) ||
			ns=0 cnt=0
		total_ns=$((total_ns + ns)) total_cnt=$((total_cnt + cnt))
	done
	echo "$total_ns $total_cnt"
}

exec_burst() {
	local i
	for ((i = 0; i < burst; i++)); do /bin/true; done
}

# One burst with tracer NAME attached (none: no tracer): the exec rate, and
# the time the kernel spent in the tracer's programs per run.
declare -A rate_samples cost_samples runs_counted
burst_once() {
	local name=$1 before ids="" t0 t1 ns0 cnt0 ns1 cnt1
	before=$(loaded_ids)
	if [ "$name" != none ]; then
		start_tracer "$name" || { why_not[$name]=$(failure_reason "$name"); return 0; }
		ids=$(new_tracepoint_ids "$before")
	fi
	read -r ns0 cnt0 < <(bpf_stats "$ids")
	t0=$(now_ns)
	exec_burst
	t1=$(now_ns)
	read -r ns1 cnt1 < <(bpf_stats "$ids")
	stop_tracer
	rate_samples[$name]+="$(awk -v n="$burst" -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (t / 1e9) }') "
	[ "$cnt1" -eq "$cnt0" ] || cost_samples[$name]+="$(((ns1 - ns0) / (cnt1 - cnt0))) "
	runs_counted[$name]=$((${runs_counted[$name]:-0} + cnt1 - cnt0))
}

# The median of a list of samples separated by spaces; "-" for none.
median_of() {
	if [ -n "$1" ]; then tr ' ' '\n' <<<"$1" | grep . | median; else echo -; fi
}

# Lab 07's loader, its CO-RE relocations resolved against the whole kernel BTF
# (which libbpf parses first), and against a BTFGen file made for it.
btfgen_file=$work/taskstate.min.btf
run bpftool gen min_core_btf "$BTF_PATH" "$btfgen_file" "$BUILD/07/guarded/taskstate.bpf.o"
tracer taskstate "taskstate (lab 07), kernel BTF" "$BUILD/07/guarded/taskstate.static"
tracer taskstate-btfgen "taskstate (lab 07), BTFGen file" "$BUILD/07/guarded/taskstate.static --btf $btfgen_file"

step "Time from start to the first traced exec, and peak memory ($runs run(s) each)"
start_tracers=(ppid ppid.static bpftool bpftrace bcc taskstate taskstate-btfgen)
for name in "${start_tracers[@]}"; do
	if [ "$name" = bpftool ] && ! bpftool_has_autoattach; then
		why_not[$name]="this bpftool ($(bpftool version | sed -n 1p)) has no autoattach; bpftool 7.5+ does"
		continue
	fi
	show_sh "${tracer_command[$name]}"
	measure_start "$name"
done

step "A burst of $burst execs of /bin/true: rate, and each program's cost in the kernel"
run sysctl -w kernel.bpf_stats_enabled=1
burst_tracers=(none ppid ringbuf bpftrace bpftrace-quiet)
for name in "${burst_tracers[@]:1}"; do show_sh "${tracer_command[$name]}"; done
exec_burst	# once unmeasured, so that the first measured run does not pay for cold caches
# Round after round, every tracer in turn: a machine that slows down or
# speeds up during the bench affects them all alike.
for ((r = 0; r < runs; r++)); do
	for name in "${burst_tracers[@]}"; do
		[ -n "${why_not[$name]:-}" ] || burst_once "$name"
	done
done

report() {
	local name base
	echo "# btf-core-labs benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU(s) $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p),"
	echo "kernel $(uname -r); clang $(clang --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | sed -n 1p)," \
		"libbpf $(pkg-config --modversion libbpf), $(bpftool version | sed -n 1p)," \
		"$(bpftrace --version 2>/dev/null | sed -n 1p), BCC $(dpkg-query -W -f '${Version}' python3-bpfcc 2>/dev/null || echo '?')."
	echo "Medians of $runs run(s); burst of $burst execs."
	echo
	echo "## Start: from launch to the first traced exec"
	echo
	echo "| tracer | first event (ms) | × ppid | peak RSS (MB) | × ppid |"
	echo "|---|---:|---:|---:|---:|"
	base=ppid
	for name in "${start_tracers[@]}"; do
		if [ -n "${first_ms[$name]:-}" ]; then
			echo "| ${tracer_label[$name]} | ${first_ms[$name]} | $(ratio "${first_ms[$name]}" "${first_ms[$base]:-}")" \
				"| ${rss_mb[$name]} | $(ratio "${rss_mb[$name]}" "${rss_mb[$base]:-}") |"
		else
			echo "| ${tracer_label[$name]} | cannot run: ${why_not[$name]:-unknown} | | | |"
		fi
	done
	echo
	echo "## Running: the workload's exec rate, and the program's cost per exec"
	echo
	echo "| tracer | execs/s | × no tracer | ns per run | program runs counted |"
	echo "|---|---:|---:|---:|---:|"
	local rate base_rate
	base_rate=$(median_of "${rate_samples[none]}")
	for name in "${burst_tracers[@]}"; do
		if [ -z "${why_not[$name]:-}" ]; then
			rate=$(median_of "${rate_samples[$name]}")
			echo "| ${tracer_label[$name]} | $rate | $(ratio "$rate" "$base_rate")" \
				"| $(median_of "${cost_samples[$name]:-}") | ${runs_counted[$name]:-0} |"
		else
			echo "| ${tracer_label[$name]} | cannot run: ${why_not[$name]:-unknown} | | | |"
		fi
	done
}

step "Results (also in $results)"
report | tee "$results"
