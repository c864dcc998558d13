#!/usr/bin/env bats
# A newcomer's walkthrough: each lab then its check, in the README's order;
# printed commands pasted back into bash; Ctrl-C in lab 04; a lab number
# that does not exist; two learners on one machine. Judged with bpftool's
# view of the kernel and with bash itself, never with the labs' verdicts alone.
# shellcheck disable=SC2154  # bats's run sets stderr and stderr_lines

load helpers

setup() {
	require_root
	require_btf
	require_cmd bpftool
	require_cmd jq
	# The learner's own lab 04, and a second one: a check's, or another learner's.
	export PIN_DIR=/sys/fs/bpf/btf_core_labs_learner_$$
	OTHER=/sys/fs/bpf/btf_core_labs_other_$$
	BEFORE=$(bpftool_prog_count on_exec)
	stats=$(sysctl -n kernel.bpf_stats_enabled)
}

teardown() {
	local dir
	[ -d "$OTHER" ] || rm -f "$OTHER"
	for dir in "$PIN_DIR" "$OTHER"; do
		rm -f "$dir/on_exec" "$BUILD_DIR/lab04-pins/${dir//\//%}"
		rmdir "$dir" 2>/dev/null || true
	done
	[ -z "${BEFORE:-}" ] || wait_prog_count on_exec "$BEFORE"
}

record_of() { cat "$BUILD_DIR/lab04-pins/${1//\//%}"; }
pinned_id() { link_prog_id "$1/on_exec"; }

@test "lab 04, then a check's own load and trace, then lab 05: the learner's record intact, lab 05 ✔" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	learner_id=$(pinned_id "$PIN_DIR")
	[ -n "$learner_id" ] || fail "no program behind $PIN_DIR/on_exec"
	record=$(record_of "$PIN_DIR")
	assert_equal "$record" "prog_id=$learner_id programs_before=$(($(bpftool -j prog show | jq length) - 1))"
	# What check-04 does: a load of its own, traced while the learner's is loaded too.
	PIN_DIR=$OTHER LOADER=skeleton run "$TOP/04-load-and-trace/load.sh"
	assert_success
	assert_equal "$(bpftool_prog_count on_exec)" "$((BEFORE + 2))"
	PIN_DIR=$OTHER run "$TOP/04-load-and-trace/trace.sh"
	assert_success
	assert_line --regexp '^✔ traced ppid=[0-9]+'
	assert_line "\$ bpftool prog show id $(pinned_id "$OTHER")"
	assert_equal "$(record_of "$PIN_DIR")" "$record"
	PIN_DIR=$OTHER run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	# The learner's lab 05, after all that.
	run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	assert_line "✔ program $learner_id, lab 04's on_exec, is gone: bpftool prog show id $learner_id finds nothing"
	refute_output --partial "✘"
	run bpftool prog show id "$learner_id"
	assert_failure
	[ ! -e "$PIN_DIR" ]
}

@test "two learners: lab 05's verdict is about its own program, whatever the other loads meanwhile" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	ours=$(pinned_id "$PIN_DIR")
	PIN_DIR=$OTHER run "$TOP/04-load-and-trace/load.sh"
	assert_success
	theirs=$(pinned_id "$OTHER")
	run "$TOP/05-cleanup/cleanup.sh"
	assert_success
	assert_line --partial "✔ program $ours, lab 04's on_exec, is gone"
	refute_output --partial "✘"
	run bpftool prog show id "$theirs"
	assert_success
	assert_equal "$(pinned_id "$OTHER")" "$theirs"
}

@test "a ✘ in lab 05 is a non-zero exit" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	id=$(pinned_id "$PIN_DIR")
	# Another reference to the program (a pin of the program itself) keeps it loaded.
	bpftool prog pin id "$id" "$OTHER"
	run "$TOP/05-cleanup/cleanup.sh"
	assert_failure 1
	assert_line --partial "✘ program $id is still loaded 5 s after its pin went"
	rm "$OTHER"
}

# The lines a script printed right after "$ CMD", as many as CMD prints
# when pasted into bash now: they must be the same.
assert_pastes_back() {
	local out=$1 prefix=$2 line cmd n
	line=$(grep -n -m 1 -F -- "\$ $prefix" "$out" | cut -d: -f1)
	[ -n "$line" ] || fail "no printed command starting with '$prefix' in $(cat "$out")"
	cmd=$(sed -n "${line}p" "$out")
	cmd=${cmd#\$ }
	(cd "$TOP" && bash -c "$cmd") >"$BATS_TEST_TMPDIR/pasted" || fail "pasted into bash, '$cmd' failed"
	n=$(wc -l <"$BATS_TEST_TMPDIR/pasted")
	[ "$n" -gt 0 ] || fail "'$cmd' printed nothing when pasted"
	diff <(sed -n "$((line + 1)),$((line + n))p" "$out") "$BATS_TEST_TMPDIR/pasted" ||
		fail "'$cmd' pasted into bash printed something else than in the lab"
}

@test "printed commands pasted back into bash: same words, same output" {
	# Words a shell would split or expand, printed by show, read back by bash.
	# shellcheck disable=SC2016  # words a shell must not expand
	words=('struct task_struct {' "it's" '' 'a  b' '$HOME' '*' '~' 'x;y' '{a,b}' 'tab	here')
	shown=$(bash -c '. "$1/common/lib.sh"; shift; show printf "[%s]\n" "$@"' _ "$TOP" "${words[@]}")
	run bash -c "${shown#\$ }"
	assert_success
	assert_output "$(printf '[%s]\n' "${words[@]}")"
	# Lab 02 (the grep that lost its quotes), in a build dir of its own so the
	# learner's vmlinux.h stays as it is; then lab 04 as printed.
	build=$BATS_TEST_TMPDIR/build
	mkdir "$build"
	cp "$BUILD_DIR/gen_vmlinux_h" "$build/"
	BUILD_DIR=$build "$TOP/02-vmlinux-h/gen.sh" >"$BATS_TEST_TMPDIR/lab02"
	assert_pastes_back "$BATS_TEST_TMPDIR/lab02" "grep -c 'struct task_struct {'"
	assert_pastes_back "$BATS_TEST_TMPDIR/lab02" "wc -l"
	"$TOP/04-load-and-trace/load.sh" >"$BATS_TEST_TMPDIR/load"
	assert_pastes_back "$BATS_TEST_TMPDIR/load" "ls -l"
	"$TOP/04-load-and-trace/trace.sh" >"$BATS_TEST_TMPDIR/trace"
	assert_pastes_back "$BATS_TEST_TMPDIR/trace" "bpftool prog dump xlated id"
	assert_pastes_back "$BATS_TEST_TMPDIR/trace" "cat "
	assert_known_parent_pastes "$BATS_TEST_TMPDIR/trace"
}

# The known parent's command, printed in lab output OUT, pasted after the lab
# removed its probe and the files it wrote: it makes the probe itself, writes
# both files again (the parent's $$ is the PPid /proc gave its child), and
# removes the probe it made.
assert_known_parent_pastes() {
	local cmd probe parent child_ppid
	cmd=$(grep -m 1 -F -- '$ 04-load-and-trace/known_parent.sh ' "$1") || fail "no known_parent.sh command in $(cat "$1")"
	cmd=${cmd#\$ }
	read -r _ probe _ <<<"$cmd"
	[ ! -e "$TOP/$probe" ] || fail "the lab left its probe $probe"
	rm -f "$BUILD_DIR/parent.pid" "$BUILD_DIR/child.ppid"
	(cd "$TOP" && bash -c "$cmd") >"$BATS_TEST_TMPDIR/pasted" 2>&1 || fail "pasted into bash, '$cmd' failed: $(cat "$BATS_TEST_TMPDIR/pasted")"
	parent=$(cat "$BUILD_DIR/parent.pid") child_ppid=$(cat "$BUILD_DIR/child.ppid")
	if [ -z "$parent" ] || [ "$parent" != "$child_ppid" ]; then
		fail "'$cmd' pasted: parent.pid '$parent', child.ppid '$child_ppid'"
	fi
	[ ! -e "$TOP/$probe" ] || fail "'$cmd' pasted left its probe $probe"
	rm "$BUILD_DIR/parent.pid" "$BUILD_DIR/child.ppid"
}

# Run a command in a process group of its own, as a terminal would, and send
# the group SIGINT, as Ctrl-C does, once FILE exists; collect its output and
# status. (timeout is the group's leader: it forwards the signal to the group,
# and its child starts with SIGINT handled, which a background job of bats
# would not.)
# With --command-only, the signal reaches the command alone, not its children,
# as a Ctrl-C landing between two of its steps does (timeout --foreground).
interrupt_when() {
	local file=$1 scope=()
	shift
	if [ "$1" = --command-only ]; then scope=(--foreground); shift; fi
	timeout "${scope[@]}" -s INT 60 "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ -e "$file" ] && break
		sleep 0.1
	done
	[ -e "$file" ] || fail "$file never appeared: $(cat "$BATS_TEST_TMPDIR/out")"
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	mapfile -t lines <"$BATS_TEST_TMPDIR/out"
}

# A bpftool in DIR that pins, then lingers, and touches DIR/pinned between
# the two, so that a Ctrl-C lands after the pin.
fake_bpftool_lingering_after_pin() {
	mkdir -p "$1"
	# shellcheck disable=SC2016  # the fake's own "$@"
	printf '#!/bin/sh\n[ "$2" = loadall ] || exec %s "$@"\n%s "$@" && touch %s && sleep 10\n' \
		"$(command -v bpftool)" "$(command -v bpftool)" "$1/pinned" >"$1/bpftool"
	chmod +x "$1/bpftool"
}

@test "Ctrl-C in lab 04 while it loads: the load undone, no record left, and it says so" {
	skip_unless "this bpftool cannot autoattach" bpftool_has_autoattach_here
	fake=$BATS_TEST_TMPDIR/bin
	fake_bpftool_lingering_after_pin "$fake"
	PATH=$fake:$PATH LOADER=bpftool interrupt_when "$fake/pinned" "$TOP/04-load-and-trace/load.sh"
	[ "$status" = 130 ] || fail "exit $status: $output"
	assert_line "interrupted: lab 04 undid its load, nothing is loaded or pinned at $PIN_DIR. Next: make lab-04 PIN_DIR=$PIN_DIR"
	[ ! -e "$PIN_DIR" ] || fail "$PIN_DIR is still there: $(ls "$PIN_DIR")"
	[ ! -e "$BUILD_DIR/lab04-pins/${PIN_DIR//\//%}" ] || fail "a record of a load that was undone"
	wait_prog_count on_exec "$BEFORE"
}

@test "Ctrl-C in trace.sh: the program stays, as lab 04 leaves it, and it says so and what is next" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	id=$(pinned_id "$PIN_DIR")
	interrupt_when "$BUILD_DIR/parent.pid" "$TOP/04-load-and-trace/trace.sh"
	assert_equal "$status" 130
	assert_line "interrupted: on_exec (program $id) stays loaded and pinned at $PIN_DIR, as lab 04 leaves it. Next: make lab-05 PIN_DIR=$PIN_DIR"
	assert_equal "$(pinned_id "$PIN_DIR")" "$id"
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$stats"
	run compgen -G "$BUILD_DIR/lab04_*"
	assert_failure
}

# make lab-04 runs lab.sh: load.sh, then trace.sh.
@test "Ctrl-C in lab 04 between load.sh and trace.sh: the program stays, one line says so and what is next" {
	# A bpftool that lingers in load.sh's last command, so that the interrupt,
	# sent to lab.sh alone as when it lands between the steps, is acted on
	# once load.sh has ended and before trace.sh starts.
	fake=$BATS_TEST_TMPDIR/bin
	mkdir -p "$fake"
	# shellcheck disable=SC2016  # the fake's own "$@"
	printf '#!/bin/sh
[ "$1 $2 $3" != "link show pinned" ] || { touch %s; sleep 1; }
exec %s "$@"
' \
		"$BATS_TEST_TMPDIR/load-ending" "$(command -v bpftool)" >"$fake/bpftool"
	chmod +x "$fake/bpftool"
	PATH=$fake:$PATH interrupt_when "$BATS_TEST_TMPDIR/load-ending" --command-only "$TOP/04-load-and-trace/lab.sh"
	assert_equal "$status" 130
	id=$(pinned_id "$PIN_DIR")
	[ -n "$id" ] || fail "nothing pinned at $PIN_DIR: $output"
	# load.sh ran to its end, trace.sh never started.
	assert_line "  the link leads to program $id: lab 05 checks that this id, and only this one, is gone"
	assert_line "\$ PIN_DIR=$PIN_DIR 04-load-and-trace/load.sh"
	refute_line --partial "04-load-and-trace/trace.sh"
	assert_equal "$(grep -c '^interrupted: ' <<<"$output")" 1
	assert_line "interrupted: on_exec (program $id) stays loaded and pinned at $PIN_DIR, as lab 04 leaves it. Next: make lab-05 PIN_DIR=$PIN_DIR"
	assert_equal "$(record_of "$PIN_DIR")" "prog_id=$id programs_before=$(($(bpftool -j prog show | jq length) - 1))"
}

@test "Ctrl-C in lab 04 while trace.sh runs: exit 130, the program stays, said once" {
	interrupt_when "$BUILD_DIR/parent.pid" "$TOP/04-load-and-trace/lab.sh"
	assert_equal "$status" 130
	id=$(pinned_id "$PIN_DIR")
	[ -n "$id" ] || fail "nothing pinned at $PIN_DIR: $output"
	assert_line "\$ PIN_DIR=$PIN_DIR 04-load-and-trace/trace.sh"
	assert_equal "$(grep -c '^interrupted: ' <<<"$output")" 1
	assert_line "interrupted: on_exec (program $id) stays loaded and pinned at $PIN_DIR, as lab 04 leaves it. Next: make lab-05 PIN_DIR=$PIN_DIR"
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$stats"
}

@test "Ctrl-C in lab 04 while load.sh loads: the load undone, said once, and what is next" {
	skip_unless "this bpftool cannot autoattach" bpftool_has_autoattach_here
	fake=$BATS_TEST_TMPDIR/bin
	fake_bpftool_lingering_after_pin "$fake"
	PATH=$fake:$PATH LOADER=bpftool interrupt_when "$fake/pinned" "$TOP/04-load-and-trace/lab.sh"
	[ "$status" = 130 ] || fail "exit $status: $output"
	assert_line "\$ PIN_DIR=$PIN_DIR LOADER=bpftool 04-load-and-trace/load.sh"
	assert_equal "$(grep -c '^interrupted: ' <<<"$output")" 1
	assert_line "interrupted: nothing is loaded or pinned at $PIN_DIR (lab 04 undid its load, or had not loaded yet). Next: make lab-04 PIN_DIR=$PIN_DIR"
	[ ! -e "$PIN_DIR" ] || fail "$PIN_DIR is still there: $(ls "$PIN_DIR")"
	wait_prog_count on_exec "$BEFORE"
}

@test "make lab-09, check-99, exercise-99: one line listing the labs and checks, or exercises, that exist" {
	count=0
	for target in lab-09 check-99; do
		run --separate-stderr make -s -C "$TOP" "$target"
		assert_failure 2
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "$output" ""
		for dir in "$TOP"/[0-9][0-9]-*/; do
			n=$(basename "$dir")
			[[ $stderr == *" lab-${n%%-*}"* ]] || fail "$target: lab-${n%%-*} not listed: $stderr"
			count=$((count + 1))
		done
		for file in "$TOP"/tests/*.bats; do
			n=$(basename "$file" .bats)
			[[ $stderr == *" check-${n%%-*}"* ]] || fail "$target: check-${n%%-*} not listed: $stderr"
		done
	done
	[ "$count" -ge 10 ] || fail "only $count labs found"
	run --separate-stderr make -s -C "$TOP" exercise-99
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	count=0
	for dir in "$TOP"/exercises/[0-9][0-9]-*/; do
		n=$(basename "$dir")
		[[ $stderr == *" exercise-${n%%-*}"* ]] || fail "exercise-${n%%-*} not listed: $stderr"
		count=$((count + 1))
	done
	[ "$count" -ge 7 ] || fail "only $count exercises found"
}

@test "trace_pipe held by another learner's lab: trace.sh waits, says for whom, then passes" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	lock=/run/btf-core-labs-trace-pipe.lock
	flock "$lock" -c "echo 'lab 04 of /home/ann/btf-core-labs (pid 1)' >$lock; sleep 2" &
	holder=$!
	sleep 0.3
	run "$TOP/04-load-and-trace/trace.sh"
	wait "$holder"
	assert_success
	assert_line "trace_pipe: lab 04 of /home/ann/btf-core-labs (pid 1) is reading it; waiting up to 30s"
	assert_line --regexp '^✔ traced ppid=[0-9]+'
}

@test "trace_pipe read by some other program: trace.sh names it, waits, then passes" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	pipe=$(ls /sys/kernel/tracing/trace_pipe 2>/dev/null || echo /sys/kernel/debug/tracing/trace_pipe)
	timeout 2 cat "$pipe" >/dev/null &
	reader=$!
	sleep 0.3
	run "$TOP/04-load-and-trace/trace.sh"
	wait "$reader" || true
	assert_success
	assert_line --regexp "^trace_pipe: $pipe is read by pid [0-9]+ \(cat\); waiting up to 30s$"
	assert_line --regexp '^✔ traced ppid=[0-9]+'
}

@test "bpf_stats_enabled held by another run: trace.sh waits for it, then restores the value" {
	run "$TOP/04-load-and-trace/load.sh"
	assert_success
	flock /run/btf-core-labs-bpf-stats.lock -c 'sleep 2' &
	holder=$!
	sleep 0.3
	run "$TOP/04-load-and-trace/trace.sh"
	wait "$holder"
	assert_success
	assert_line --partial "kernel.bpf_stats_enabled: another run is measuring with it"
	assert_equal "$(sysctl -n kernel.bpf_stats_enabled)" "$stats"
}
