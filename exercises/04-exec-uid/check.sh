# Exercise 04's part of the judge (sourced by exercises/check.sh): the uid
# the program prints, against the uid setpriv gave the process it started.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(exec_uid.bpf.c)

build() { build_loader exec_uid; }

judge() {
	local probe line got uid gid name lines=$EX_OUT/trace.lines n=0
	local -A uids=([ex04a_$$]="4242 4343" [ex04b_$$]="65534 65534")
	prepare_kernel ex04_exec
	start_trace_reader "bpf_trace_printk: exec ex04[ab]_$$ " "$lines" 15
	start_loader "$EX_OUT/loader" --duration 15
	# Each probe exec'd by setpriv under its own uid, and another gid: so
	# that neither a constant, nor root's uid, nor the gid can pass.
	for name in "ex04a_$$" "ex04b_$$"; do
		read -r uid gid <<<"${uids[$name]}"
		probe=$(make_probe "$name" true)
		run setpriv --reuid="$uid" --regid="$gid" --clear-groups "$probe"
	done
	for _ in $(seq 50); do
		[ "$(wc -l <"$lines")" -ge 2 ] && break
		sleep 0.1
	done
	stop_trace_reader
	run cat "$lines"
	for name in "ex04a_$$" "ex04b_$$"; do
		read -r uid gid <<<"${uids[$name]}"
		line=$(grep "exec $name " "$lines" | tail -n 1 || true)
		got=$(sed -n 's/.* uid=\(.*\)$/\1/p' <<<"$line")
		[ -n "$line" ] || got="no line for this exec in trace_pipe"
		point "$name, started by setpriv --reuid=$uid --regid=$gid: its uid" \
			"$uid" "$got" "03-core-read/README.md, 'The program'"
		n=$((n + 1))
	done
	[ "$n" -eq 2 ] || die "judged $n execs, not 2"
}
