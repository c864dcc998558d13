#!/usr/bin/env bats
# make bench QUICK=1: it runs, its report is well formed, it measured the
# programs the workload ran (the kernel counted a run for each exec the
# burst made), and it leaves nothing loaded. Timings are noisy and are only
# checked for being numbers.

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v bpftool >/dev/null || return 0
	bpftool -j prog show | jq length >"$BATS_FILE_TMPDIR/progs.before"
	sysctl -n kernel.bpf_stats_enabled >"$BATS_FILE_TMPDIR/stats.before"
	make -C "$TOP" --no-print-directory bench QUICK=1 RESULTS="$BATS_FILE_TMPDIR/results.md" \
		>"$BATS_FILE_TMPDIR/bench.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/bench.status"
}

setup() {
	require_root
	require_btf
	require_cmd bpftool
	require_cmd bpftrace
	REPORT=$BATS_FILE_TMPDIR/results.md
}

# The cells of the row for TRACER in the table under "## SECTION...", one per line.
cells() {
	awk -v section="## $1" -v row="| $2 |" '
		index($0, "## ") == 1 { inside = index($0, section) == 1 }
		inside && index($0, row) == 1 {
			sub(/^[|] /, ""); sub(/ [|]$/, "")
			n = split($0, cell, / [|] /)
			for (i = 1; i <= n; i++) print cell[i]
			exit
		}' "$REPORT"
}
is_number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

@test "make bench QUICK=1 succeeds and writes its report" {
	[ "$(cat "$BATS_FILE_TMPDIR/bench.status")" -eq 0 ] ||
		fail "make bench failed: $(tail -n 5 "$BATS_FILE_TMPDIR/bench.out")"
	[ -s "$REPORT" ]
	run grep -c '^## ' "$REPORT"
	assert_output 2
}

@test "the report names the machine, the kernel and the run settings" {
	run grep -F "kernel $(uname -r);" "$REPORT"
	assert_success
	run grep -F "$(nproc) CPU(s)" "$REPORT"
	assert_success
	run grep -F "Medians of 1 run(s); burst of 200 execs." "$REPORT"
	assert_success
}

@test "every table row has as many cells as its header" {
	awk -F'|' '/^\|/ { if (!n) n = NF; else if (NF != n) { print "bad row: " $0; bad = 1 } }
		/^$/ { n = 0 } END { exit bad }' "$REPORT"
}

@test "both CO-RE loaders and bpftrace have numbers in the start table" {
	for tracer in "ppid (CO-RE skeleton, dynamic)" "ppid (CO-RE skeleton, static)" "bpftrace one-liner" \
		"taskstate (lab 07), kernel BTF" "taskstate (lab 07), BTFGen file"; do
		mapfile -t row < <(cells Start "$tracer")
		assert_equal "${#row[@]}" 5
		for cell in "${row[@]:1}"; do is_number "$cell" || fail "$tracer: '$cell' is not a number"; done
	done
}

@test "the bpftool row has numbers exactly when this bpftool has autoattach" {
	mapfile -t row < <(cells Start "bpftool prog loadall … autoattach + cat trace_pipe")
	if bpftool_has_autoattach_here; then
		is_number "${row[1]}"
	else
		[[ ${row[1]} == "cannot run: "*autoattach* ]]
	fi
}

@test "the BCC row says why it cannot run wherever this kernel's headers are missing" {
	skip_unless "python3-bpfcc is not installed (run: sudo make setup)" /usr/bin/python3 -c 'import bcc'
	mapfile -t row < <(cells Start "BCC (python3-bpfcc)")
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		is_number "${row[1]}"
	else
		[[ ${row[1]} == "cannot run: "*headers* ]]
	fi
}

@test "the kernel counted at least one program run per exec of the burst" {
	for tracer in "ppid (CO-RE skeleton, dynamic)" "bpftrace one-liner" "bpftrace, same reads, printing only the marker"; do
		mapfile -t row < <(cells Running "$tracer")
		for cell in "${row[@]:1}"; do is_number "$cell" || fail "$tracer: '$cell' is not a number"; done
		# The burst's 200 execs, and the exec of the bpftool that read the count
		# afterwards; a count read from anywhere else (the burst size, the
		# run time) misses one bound or the other.
		[ "${row[4]}" -gt 200 ] && [ "${row[4]}" -lt 400 ] ||
			fail "$tracer: the kernel counted ${row[4]} runs for 200 execs"
	done
	mapfile -t row < <(cells Running "no tracer")
	is_number "${row[1]}"
}

@test "afterwards: as many programs as before, no pin, statistics switched back" {
	before=$(cat "$BATS_FILE_TMPDIR/progs.before")
	for _ in $(seq 50); do
		[ "$(bpftool -j prog show | jq length)" -eq "$before" ] && break
		sleep 0.1
	done
	after=$(bpftool -j prog show | jq length)
	assert_equal "$after" "$before"
	run compgen -G "/sys/fs/bpf/btf-core-labs-bench-*"
	assert_failure
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$(cat "$BATS_FILE_TMPDIR/stats.before")"
	run pgrep -f 'ppid(\.static)? --follow|^bpftrace |ppid_bcc\.py|^cat .*trace_pipe'
	assert_failure 1
}

@test "lab 04's program still loaded: bench refuses, since its lines would mix in" {
	run "$BUILD_DIR/ppid" --pin-dir "/sys/fs/bpf/btf_core_labs_test_$$"
	assert_success
	run "$TOP/bench/bench.sh"
	rm -rf "/sys/fs/bpf/btf_core_labs_test_$$"
	assert_failure 1
	assert_output --partial "error: a program called on_exec is still loaded"
	assert_output --partial "run 'make lab-05"
}

@test "trace_pipe busy: one message naming it, nothing run" {
	start_trace_reader "never matches this line" 1 /dev/null
	run "$TOP/bench/bench.sh"
	kill "$TRACE_READER" 2>/dev/null || true
	assert_failure 1
	assert_output --regexp '^error: /sys/kernel(/debug)?/tracing/trace_pipe is busy: .*stop it and retry$'
}

@test "another run measuring with bpf_stats_enabled: one message, the sysctl untouched" {
	before=$(sysctl -n kernel.bpf_stats_enabled)
	exec 9>/run/btf-core-labs-bpf-stats.lock
	flock -n 9
	run "$TOP/bench/bench.sh"
	exec 9>&-
	assert_failure 1
	assert_output "error: another run is measuring with kernel.bpf_stats_enabled (lab 04's trace.sh or make bench): wait for it to finish, then retry"
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$before"
}

@test "RUNS that is not a number: one message, exit 2" {
	RUNS=five run "$TOP/bench/bench.sh"
	assert_failure 2
	assert_output "error: RUNS='five': RUNS takes a positive whole number, e.g. RUNS=5"
}

@test "not root: one message and the next step" {
	require_cmd setpriv
	run_as_nobody bench/bench.sh common/lib.sh -- bench/bench.sh
	assert_failure 1
	assert_output "error: loading BPF programs and reading their run-time statistics needs root: run it with sudo"
}
