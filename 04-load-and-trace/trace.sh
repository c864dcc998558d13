#!/usr/bin/env bash
# Lab 04, step 2: read what on_exec prints, check one ppid against the truth,
# and show what the kernel knows about the program, and what it costs.
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "reading trace_pipe and BPF statistics"
mount_tracefs
pipe=$(tracefs_dir)/trace_pipe

[ -n "$(bpftool prog show name on_exec)" ] || die "on_exec is not loaded: run 'sudo make lab-04' first"

# A name nobody else execs, so that our lines stand out in the shared
# trace_pipe: a symlink's name becomes the comm of what is exec'd through it.
probe=lab04_$$
ln -sf "$(type -P sleep)" "$BUILD/$probe"
own_bpf_stats
stats_before=$(sysctl -n kernel.bpf_stats_enabled)
reader=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	# An interrupted run must not leave the reader holding trace_pipe.
	[ -z "$reader" ] || kill "$reader" 2>/dev/null || true
	rm -f "$BUILD/$probe" "$BUILD/parent.pid" "$BUILD/child.ppid"
	sysctl -q -w kernel.bpf_stats_enabled="$stats_before"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Count what the program costs, for the length of this script"
run sysctl -w kernel.bpf_stats_enabled=1

step "Read trace_pipe while a known parent starts $probe three times"
require_free_trace_pipe "$pipe"
show "timeout 5 grep -m 3 'exec $probe ' $pipe > $BUILD/trace.lines &"
timeout 5 grep -m 3 "exec $probe " "$pipe" >"$BUILD/trace.lines" &
reader=$!
sleep 0.3
run 04-load-and-trace/known_parent.sh "$BUILD/$probe" "$BUILD"
wait "$reader" || true
run cat "$BUILD/trace.lines"

step "Check one line against the truth"
parent=$(cat "$BUILD/parent.pid")
proc_ppid=$(cat "$BUILD/child.ppid")
traced=$(sed -n 's/.*bpf_trace_printk: exec [^ ]* ppid=\([0-9]*\).*/\1/p' "$BUILD/trace.lines" | tail -n 1)
if [ -n "$traced" ] && [ "$traced" = "$parent" ] && [ "$traced" = "$proc_ppid" ]; then
	ok "traced ppid=$traced; the parent's \$\$ was $parent; /proc/<child>/status said PPid $proc_ppid"
	status=0
else
	bad "traced ppid=${traced:-none}; the parent's \$\$ was $parent; /proc/<child>/status said PPid $proc_ppid"
	status=1
fi

step "The program, as the kernel sees it"
run bpftool prog show name on_exec
cat <<'EXPLAIN'
  tracepoint   the program type; name on_exec is the C function's name
  tag          a hash of the instructions; gpl: the license allows GPL-only helpers
  xlated       size of the instructions after the verifier's rewrites (bpftool prog dump xlated name on_exec)
  jited        size of the native machine code the JIT compiled them to
  map_ids      the maps it uses: here the .rodata map that holds the bpf_printk format
  btf_id       the program's own BTF, loaded into the kernel with it
  run_time_ns  total time spent in the program, run_cnt how often it ran (bpf_stats_enabled=1)
EXPLAIN

step "The attachment, as the kernel sees it"
run bpftool link show
echo "  perf_event link: the tracepoint is attached through a perf event; prog is on_exec's id"

step "What it cost: average time per exec"
info=$(bpftool prog show name on_exec)
run_time=$(sed -n 's/.*run_time_ns \([0-9]*\).*/\1/p' <<<"$info")
run_cnt=$(sed -n 's/.*run_cnt \([0-9]*\).*/\1/p' <<<"$info")
if [ "${run_cnt:-0}" -gt 0 ]; then
	echo "run_cnt=$run_cnt run_time_ns=$run_time: $((run_time / run_cnt)) ns per exec"
else
	echo "no run counted (the program ran before statistics were enabled)"
fi
run sysctl -w kernel.bpf_stats_enabled="$stats_before"
exit "$status"
