# Exercise 03's part of the judge (sourced by exercises/check.sh): the parent's
# name the program prints, against /proc/<ppid>/comm of two parents with
# names of their own.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(parent_comm.bpf.c)

build() { build_loader parent_comm; }

judge() {
	local child parent name pid line got lines=$EX_OUT/trace.lines n=0
	prepare_kernel ex03_exec
	child=$(make_probe "ex03c_$$" true)
	start_trace_reader "bpf_trace_printk: exec ex03c_$$ " "$lines" 15
	start_loader "$EX_OUT/loader" --duration 15
	# Two parents, each named by the file it was exec'd through: the answer
	# cannot be a constant, nor the child's own name.
	for name in "ex03p_$$" "ex03q_$$"; do
		parent=$(make_probe "$name" bash)
		run_sh "$parent -c 'echo \$\$ > $EX_OUT/$name.pid; cat /proc/\$\$/comm > $EX_OUT/$name.comm; $child; :'"
	done
	# Both lines in, or 5 s gone.
	for _ in $(seq 50); do
		[ "$(wc -l <"$lines")" -ge 2 ] && break
		sleep 0.1
	done
	stop_trace_reader
	run cat "$lines"
	for name in "ex03p_$$" "ex03q_$$"; do
		pid=$(cat "$EX_OUT/$name.pid")
		line=$(grep " ppid=$pid " "$lines" || true)
		got=$(sed -n 's/.* parent=\(.*\)$/\1/p' <<<"$line")
		[ -n "$line" ] || got="no line for this exec in trace_pipe"
		[ -n "$got" ] || got="an empty parent="
		point "the exec under parent $pid: parent= is /proc/$pid/comm" \
			"$(cat "$EX_OUT/$name.comm")" "$got" "03-core-read/README.md, 'The program'"
		n=$((n + 1))
	done
	[ "$n" -eq 2 ] || die "judged $n parents, not 2"
}
