# Exercise 05's part of the judge (sourced by exercises/check.sh): the exit
# code the program prints, against the $? a shell saw for 'sh -c "exit N"'.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(exit_code.bpf.c)

build() { build_loader exit_code; }

judge() {
	local probe line got status name lines=$EX_OUT/trace.lines n=0
	local -A codes=([ex05a_$$]=42 [ex05b_$$]=7 [ex05c_$$]=0)
	prepare_kernel ex05_exit
	start_trace_reader "bpf_trace_printk: exit ex05[abc]_$$ " "$lines" 15
	start_loader "$EX_OUT/loader" --duration 15
	for name in "ex05a_$$" "ex05b_$$" "ex05c_$$"; do
		probe=$(make_probe "$name" sh)
		show_sh "$probe -c 'exit ${codes[$name]}'; echo \$?"
		status=0
		"$probe" -c "exit ${codes[$name]}" || status=$?
		echo "$status" | tee "$EX_OUT/$name.status"
	done
	for _ in $(seq 50); do
		[ "$(wc -l <"$lines")" -ge 3 ] && break
		sleep 0.1
	done
	stop_trace_reader
	run cat "$lines"
	for name in "ex05a_$$" "ex05b_$$" "ex05c_$$"; do
		line=$(grep "exit $name " "$lines" | tail -n 1 || true)
		got=$(sed -n 's/.* code=\([^ ]*\).*/\1/p' <<<"$line")
		[ -n "$line" ] || got="no 'exit $name' line in trace_pipe"
		point "$name -c 'exit ${codes[$name]}': the code, against the \$? the shell saw" \
			"$(cat "$EX_OUT/$name.status")" "$got" "04-load-and-trace/README.md, 'Loading: what happens' (the hook)"
		n=$((n + 1))
	done
	[ "$n" -eq 3 ] || die "judged $n exits, not 3"
}
