#!/usr/bin/env bats
# The exercises' checks can fail: for every exercise, the untouched starter
# (as committed) fails every point and says why, the reference solution
# passes every point, and each plausible wrong answer kept beside it is
# rejected by a point, not by the build. Then bad input: a compile error, a
# program the verifier rejects, Ctrl-C, an unknown number; and make progress.

load helpers

# How many points each exercise's check judges.
declare -gA POINTS=([01]=4 [02]=3 [03]=2 [04]=2 [05]=3 [06]=3 [07]=3)

setup() {
	require_btf
	require_cmd bpftool
	require_cmd jq
	cd "$TOP" || return 1
}

teardown() {
	local prog
	for prog in ex03_exec ex04_exec ex05_exit ex06_exec ex07_exec; do
		[ "$(bpftool_prog_count "$prog")" -eq 0 ] || wait_prog_count "$prog" 0
	done
}

# The exercise's folder for number NN.
folder() { basename "$(compgen -G "$TOP/exercises/$1-*")"; }

# Judge the files in DIR for exercise NN, as a test must: never recorded.
judge() {
	run --separate-stderr "$TOP/exercises/check.sh" "$1" --from "$2"
}

# The starter as committed, whatever the learner did to their copy since.
committed_starter() {
	local dir
	dir=$(folder "$1")
	git -C "$TOP" archive HEAD "exercises/$dir" | tar -x -C "$BATS_TEST_TMPDIR"
	echo "$BATS_TEST_TMPDIR/exercises/$dir"
}

needs_kernel() { [ "$1" = 01 ] || [ "$1" = 02 ] || require_root; }

assert_starter_fails_every_point() {
	local nn=$1 dir k=${POINTS[$1]}
	needs_kernel "$nn"
	dir=$(committed_starter "$nn")
	judge "$nn" "$dir"
	assert_failure 1
	assert_line "✘ exercise $(folder "$nn"): 0/$k checks passed"
	refute_line --regexp '^✔'
	# Each point says why: what was expected, and what the starter gave.
	mapfile -t fails < <(grep -E '^✘ ' <<<"$output" | grep -v '^✘ exercise ')
	assert_equal "${#fails[@]}" "$k"
	for line in "${fails[@]}"; do
		[[ $line == *": expected "*", got "* ]] || fail "no expected/got in: $line"
	done
}

assert_solution_passes() {
	local nn=$1 k=${POINTS[$1]}
	needs_kernel "$nn"
	judge "$nn" "$TOP/exercises/solutions/$(folder "$nn")"
	assert_success
	assert_line "✔ exercise $(folder "$nn"): $k/$k checks passed"
	refute_line --regexp '^✘'
	assert_equal "$(grep -c '^✔ ' <<<"$output")" "$((k + 1))"
}

assert_wrong_answers_rejected() {
	local nn=$1 k=${POINTS[$1]} wrong n=0
	needs_kernel "$nn"
	for wrong in "$TOP/exercises/solutions/$(folder "$nn")"/wrong-*/; do
		# A wrong answer keeps only the files it changes; the rest are the solution's.
		answer=$BATS_TEST_TMPDIR/$(basename "$wrong")
		mkdir -p "$answer"
		cp "$TOP/exercises/solutions/$(folder "$nn")"/*.* "$answer/"
		cp "$wrong"/* "$answer/"
		judge "$nn" "$answer"
		[ "$status" -eq 1 ] || fail "$(basename "$wrong") was not rejected: exit $status"
		# Judged on every point (it built), and caught by at least one.
		assert_line --regexp "^✘ exercise $(folder "$nn"): [0-9]+/$k checks passed$"
		refute_line "✘ exercise $(folder "$nn"): $k/$k checks passed"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ] || fail "no wrong answer kept for exercise $nn"
}

@test "exercise 01: the starter fails every point, saying why" { assert_starter_fails_every_point 01; }
@test "exercise 01: the solution passes every point" { assert_solution_passes 01; }
@test "exercise 01: every wrong answer is rejected" { assert_wrong_answers_rejected 01; }
@test "exercise 02: the starter fails every point, saying why" { assert_starter_fails_every_point 02; }
@test "exercise 02: the solution passes every point" { assert_solution_passes 02; }
@test "exercise 02: every wrong answer is rejected" { assert_wrong_answers_rejected 02; }
@test "exercise 03: the starter fails every point, saying why" { assert_starter_fails_every_point 03; }
@test "exercise 03: the solution passes every point" { assert_solution_passes 03; }
@test "exercise 03: every wrong answer is rejected" { assert_wrong_answers_rejected 03; }
@test "exercise 04: the starter fails every point, saying why" { assert_starter_fails_every_point 04; }
@test "exercise 04: the solution passes every point" { assert_solution_passes 04; }
@test "exercise 04: every wrong answer is rejected" { assert_wrong_answers_rejected 04; }
@test "exercise 05: the starter fails every point, saying why" { assert_starter_fails_every_point 05; }
@test "exercise 05: the solution passes every point" { assert_solution_passes 05; }
@test "exercise 05: every wrong answer is rejected" { assert_wrong_answers_rejected 05; }
@test "exercise 06: the starter fails every point, saying why" { assert_starter_fails_every_point 06; }
@test "exercise 06: the solution passes every point" { assert_solution_passes 06; }
@test "exercise 06: every wrong answer is rejected" { assert_wrong_answers_rejected 06; }
@test "exercise 07: the starter fails every point, saying why" { assert_starter_fails_every_point 07; }
@test "exercise 07: the solution passes every point" { assert_solution_passes 07; }
@test "exercise 07: every wrong answer is rejected" { assert_wrong_answers_rejected 07; }

@test "every exercise folder has a starter, a README that says how to get hints, hints, a check, a solution and a wrong answer" {
	n=0
	for dir in "$TOP"/exercises/[0-9][0-9]-*/; do
		name=$(basename "$dir")
		grep -q TODO -r "$dir" || fail "$name: no TODO"
		grep -q "^Stuck? \`make hint-${name%%-*}\` prints the next hint" "$dir/README.md" || fail "$name: the README does not say how to get a hint"
		[ -f "$dir/hints/1.txt" ] || fail "$name: no hints"
		[ -f "$dir/check.sh" ] || fail "$name: no check.sh"
		compgen -G "$TOP/exercises/solutions/$name/wrong-*" >/dev/null || fail "$name: no wrong answer"
		n=$((n + 1))
	done
	assert_equal "$n" "${#POINTS[@]}"
}

@test "an exercise number that does not exist: one line listing those that do" {
	run --separate-stderr make -s -C "$TOP" exercise-99
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr =~ ^Makefile:[0-9]+:\ \*\*\*\ there\ is\ no\ exercise-99:\ exercises\ are\ exercise-01\ exercise-02\ exercise-03\ exercise-04\ exercise-05\ exercise-06\ exercise-07\.\ \ Stop\.$ ]] ||
		fail "not the one line listing the exercises: $stderr"
}

@test "make hint-NN: hint N only after hint N-1, none in the README, counted in make progress" {
	build=$BATS_TEST_TMPDIR/build
	n_exercises=0
	for dir in "$TOP"/exercises/[0-9][0-9]-*/; do
		ex=$(basename "$dir") nn=${ex%%-*}
		hints=("$dir"/hints/*.txt)
		total=${#hints[@]}
		[ "$total" -ge 2 ] || fail "$ex: only $total hints"
		for ((n = 1; n <= total; n++)); do
			# Each hint's own text (from its file), not in the README; every line of hint n shown now, none of any later hint.
			while read -r line; do
				[ "${#line}" -lt 30 ] || ! grep -qF -- "$line" "$dir/README.md" || fail "$ex: hint $n is in the README: $line"
			done <"$dir/hints/$n.txt"
			run --separate-stderr env BUILD_DIR="$build" "$TOP/exercises/hint.sh" "$nn"
			assert_success
			assert_line "== Exercise $ex: hint $n of $total =="
			assert_output --partial "$(cat "$dir/hints/$n.txt")"
			for ((k = n + 1; k <= total; k++)); do
				refute_output --partial "$(head -n 1 "$dir/hints/$k.txt")"
			done
			assert_equal "$(cat "$build/exercises/$ex/hints-shown")" "$n"
		done
		run env BUILD_DIR="$build" "$TOP/exercises/hint.sh" "$nn"
		assert_success
		assert_output "All $total hints of exercise $ex are shown; to read them again: cat exercises/$ex/hints/*.txt"
		run env BUILD_DIR="$build" "$TOP/exercises/progress.sh"
		assert_line --regexp "^exercise $ex +not started: make exercise-$nn; $total of $total hints used\$"
		n_exercises=$((n_exercises + 1))
	done
	assert_equal "$n_exercises" "${#POINTS[@]}"
}

@test "make hint-NN with an exercise that does not exist: one line, exit 2, no hint" {
	for nn in 99 3 "" 03x; do
		run --separate-stderr env BUILD_DIR="$BATS_TEST_TMPDIR/build" "$TOP/exercises/hint.sh" "$nn"
		assert_failure 2
		assert_output ""
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "$stderr" "error: no exercise '$nn'; the exercises are: 01 02 03 04 05 06 07 (make exercise-NN)"
	done
	[ ! -e "$BATS_TEST_TMPDIR/build" ] || fail "a bad number left $(find "$BATS_TEST_TMPDIR/build")"
}

@test "a starter that does not compile: the compiler's lines, one ✘, exit 1, nothing loaded" {
	require_root
	dir=$(committed_starter 03)
	sed -i 's/int ppid = /int ppid = undeclared_thing + /' "$dir/parent_comm.bpf.c"
	run "$TOP/exercises/check.sh" 03 --from "$dir"
	assert_failure 1
	assert_line --partial "error: use of undeclared identifier 'undeclared_thing'"
	assert_equal "$(grep -c '^✘ ' <<<"$output")" 2
	assert_line --partial "✘ parent_comm.bpf.c does not compile: fix the first error above"
	assert_equal "$(bpftool_prog_count ex03_exec)" 0
}

@test "a program the verifier rejects: its last lines, a hint, nothing loaded" {
	require_root
	dir=$(committed_starter 03)
	# A plain dereference of kernel memory on a tracepoint: clang takes it, the verifier does not.
	sed -i 's/char parent\[16\] = "";/char parent[16] = "";\n\n\tparent[0] = task->real_parent->comm[0];/' "$dir/parent_comm.bpf.c"
	judge 03 "$dir"
	assert_failure 1
	assert_line "The verifier rejected the program; the last lines of its log:"
	assert_line --regexp '^processed [0-9]+ insns'
	assert_line --partial "✘ the kernel's verifier rejected ex03_exec"
	assert_equal "$(bpftool_prog_count ex03_exec)" 0
}

@test "Ctrl-C while the program is loaded: exit 130, nothing loaded or pinned, no reader left" {
	require_root
	timeout 60 "$TOP/exercises/check.sh" 07 --solution >/dev/null 2>&1 &
	wrapper=$!
	# Wait until the judge has loaded and pinned the program, then interrupt it.
	for _ in $(seq 200); do
		[ "$(bpftool_prog_count ex07_exec)" -gt 0 ] && break
		sleep 0.05
	done
	[ "$(bpftool_prog_count ex07_exec)" -gt 0 ] || fail "the check never loaded ex07_exec"
	kill -INT "$(pgrep -P "$wrapper")"
	status=0
	wait "$wrapper" || status=$?
	assert_equal "$status" 130
	wait_prog_count ex07_exec 0
	run compgen -G "/sys/fs/bpf/ex07_*"
	assert_failure
	run compgen -G "/tmp/btf-core-labs-probes.*"
	assert_failure
}

@test "make progress: nothing recorded is 'not started'; a check's verdict shows; other files are 'changed'" {
	build=$BATS_TEST_TMPDIR/build
	run env BUILD_DIR="$build" "$TOP/exercises/progress.sh"
	assert_success
	assert_line --regexp '^exercise 01-struct-members +not started: make exercise-01$'
	assert_line "labs 0/5, bonus labs 0/2, exercises 0/7"
	# The learner's own files, judged and recorded.
	BUILD_DIR=$build run "$TOP/exercises/check.sh" 01
	verdict=$([ "$status" -eq 0 ] && echo passed || echo failed)
	run env BUILD_DIR="$build" "$TOP/exercises/progress.sh"
	assert_line --regexp "^exercise 01-struct-members +$verdict \\([0-9]/4 checks\\)"
	# A verdict about other files does not count.
	sed -i 's/hash=[^ ]*/hash=0000000000000000/' "$build/exercises/01-struct-members/verdict"
	run env BUILD_DIR="$build" "$TOP/exercises/progress.sh"
	assert_line --regexp '^exercise 01-struct-members +changed since last check: make exercise-01$'
	assert_line "labs 0/5, bonus labs 0/2, exercises 0/7"
}
