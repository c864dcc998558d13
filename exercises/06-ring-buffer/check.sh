# Exercise 06's part of the judge (sourced by exercises/check.sh): the
# learner's reader prints the ppid the shell's $$ says; trace_pipe stays
# silent; and bpftool says the program's map is a ring buffer.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(ringbuf.bpf.c ringbuf.c)

build() {
	compile_bpf ringbuf
	skeleton ringbuf "$EX_OUT/ringbuf.bpf.o"
	compile_user ringbuf "$EX_SRC/ringbuf.c" "$COMMON_DIR/cli.c"
}

# The types of the maps the loaded program uses, from bpftool, one line.
map_types() {
	local id
	for id in $(bpftool -j prog show name "$EX_PROG" | jq -r '.map_ids[]?'); do
		bpftool -j map show id "$id" | jq -r .type
	done | sort | paste -sd ' '
}

judge() {
	local child parent line got marker=ex06_marker_$$ traced=$EX_OUT/trace.lines out=$EX_OUT/loader.out types
	prepare_kernel ex06_exec
	child=$(make_probe "ex06c_$$" true)
	start_trace_reader "exec ex06c_$$ |$marker" "$traced" 15
	start_loader "$EX_OUT/ringbuf" --duration 15
	run_sh "bash -c 'echo \$\$ > $EX_OUT/parent.pid; $child; :'"
	parent=$(cat "$EX_OUT/parent.pid")
	for _ in $(seq 30); do
		grep -q "exec ex06c_$$ " "$out" && break
		sleep 0.1
	done
	types=$(map_types)
	# A line of our own through trace_pipe proves the reader was reading.
	run_sh "echo $marker > $(tracefs_dir)/trace_marker"
	for _ in $(seq 30); do
		grep -q "$marker" "$traced" && break
		sleep 0.1
	done
	cleanup_kernel
	run grep "exec ex06c_$$ " "$out" || true

	line=$(grep "exec ex06c_$$ " "$out" | tail -n 1 || true)
	point "your reader's line for ex06c_$$, whose parent's \$\$ was $parent" \
		"exec ex06c_$$ ppid=$parent" "${line:-no such line on its output}" \
		"04-load-and-trace/README.md, 'Tracing: what trace.sh runs'"
	if grep -q "$marker" "$traced"; then
		got=$(grep -c "exec ex06c_$$ " "$traced" || true)
	else
		got="no marker either: trace_pipe was not read"
	fi
	point "lines for ex06c_$$ in trace_pipe, which bpf_printk writes to" "0" "$got" \
		"04-load-and-trace/README.md, 'Tracing: what trace.sh runs'"
	point "the maps of $EX_PROG, by bpftool: one is a ring buffer" "ringbuf" \
		"$(grep -ow ringbuf <<<"$types" || echo "${types:-no map}")" \
		"04-load-and-trace/README.md, 'What the kernel knows about the program' (map_ids)"
}
