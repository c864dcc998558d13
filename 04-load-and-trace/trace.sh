#!/usr/bin/env bash
# Lab 04, step 2: read what on_exec prints, check one ppid against the truth,
# and show what the kernel knows about the program, and what it costs.
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_root "reading trace_pipe and BPF statistics"
mount_tracefs
pipe=$(tracefs_dir)/trace_pipe
find_lab04_program
id=$lab04_prog_id
# A name nobody else execs, so that our lines stand out in the shared
# trace_pipe: a symlink's name becomes the comm of what is exec'd through it.
probe=lab04_$$
make_probe "$BUILD/$probe"
hold_bpf_stats

step "Count what the program costs, for the length of this script"
run sysctl -w kernel.bpf_stats_enabled=1

step "Read trace_pipe while a known parent starts $probe three times"
hold_trace_pipe "$pipe" 30
run_in_background "$BUILD/trace.lines" timeout 5 grep -m 3 "exec $probe " "$pipe"
stop_on_exit "$background_pid"
sleep 0.3
run 04-load-and-trace/known_parent.sh "$BUILD/$probe" "$BUILD"
wait "$background_pid" || true
release_trace_pipe
run cat "$BUILD/trace.lines"

step "Check one line against the truth"
parent=$(cat "$BUILD/parent.pid")
proc_ppid=$(cat "$BUILD/child.ppid")
traced=$(sed -n 's/.*bpf_trace_printk: exec [^ ]* ppid=\([0-9]*\).*/\1/p' "$BUILD/trace.lines" | tail -n 1)
status=0
if [ -n "$traced" ] && [ "$traced" = "$parent" ] && [ "$traced" = "$proc_ppid" ]; then
	ok "traced ppid=$traced; the parent's \$\$ was $parent; /proc/<child>/status said PPid $proc_ppid"
else
	bad "traced ppid=${traced:-none}; the parent's \$\$ was $parent; /proc/<child>/status said PPid $proc_ppid"
	status=1
fi

step "The program, as the kernel sees it (id $id: the program behind lab 04's pinned link)"
run bpftool prog show id "$id"
cat <<'EXPLAIN'
  tracepoint   the program type; name on_exec is the C function's name
  tag          a hash of the instructions; gpl: the license allows GPL-only helpers
  xlated       size of the instructions after the verifier's rewrites (shown below)
  jited        size of the native machine code the JIT compiled them to
  map_ids      the maps it uses: here the .rodata map that holds the bpf_printk format
  btf_id       the program's own BTF, loaded into the kernel with it
  run_time_ns  total time spent in the program, run_cnt how often it ran (bpf_stats_enabled=1)
EXPLAIN

step "The instructions the kernel runs: the offsets libbpf patched in are there"
run bpftool prog dump xlated id "$id" | tee "$BUILD/on_exec.xlated"
echo "  map[id:N][0]+0 is the .rodata map's address, also patched in by libbpf (the format string)"
check_patched_offsets "$BUILD/on_exec.xlated" || status=1

step "The attachment, as the kernel sees it"
run bpftool link show pinned "$PIN_DIR/on_exec" || true # bpftool 7.5 exits 255 even then
echo "  perf_event link: the tracepoint is attached through a perf event; prog $id is on_exec"

step "What it cost: average time per exec"
info=$(bpftool prog show id "$id")
run_time=$(sed -n 's/.*run_time_ns \([0-9]*\).*/\1/p' <<<"$info")
run_cnt=$(sed -n 's/.*run_cnt \([0-9]*\).*/\1/p' <<<"$info")
if [ "${run_cnt:-0}" -gt 0 ]; then
	echo "run_cnt=$run_cnt run_time_ns=$run_time: $((run_time / run_cnt)) ns per exec"
	echo "  run_cnt counts every exec on the machine while statistics were on: the 3 probes, and"
	echo "  also this script's own commands (sleep, grep, sed, bpftool...) and anyone else's"
else
	echo "no run counted (the program ran before statistics were enabled)"
fi
echo
lab04_stays_loaded "$id"
exit "$status"
