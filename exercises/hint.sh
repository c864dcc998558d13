#!/usr/bin/env bash
# make hint-NN: the next hint of exercise NN, one at a time, so that each is
# tried before the next is read. How many were shown is kept for each
# exercise in build/exercises/NN-name/hints-shown; make progress counts them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

EX_DIR=$(exercise_dir "${1:-}")
[ $# -eq 1 ] || die "hint.sh takes one exercise number, e.g. 'make hint-03'"
nn=$1 name=${EX_DIR#exercises/}
state=$BUILD/exercises/$name
total=$(hint_count "$EX_DIR")
shown=$(hints_shown "$state")
if [ "$shown" -ge "$total" ]; then
	echo "All $total hints of exercise $name are shown; to read them again: cat $EX_DIR/hints/*.txt"
	exit 0
fi
n=$((shown + 1))
# Counted before it is shown: a hint seen is a hint used.
if ! { mkdir -p "$state" && echo "$n" >"$state/hints-shown.tmp" && mv "$state/hints-shown.tmp" "$state/hints-shown"; } 2>/dev/null; then
	die "cannot write $state/hints-shown: run it as the user who runs the exercise's check (with sudo for 03 to 07: sudo make hint-$nn)"
fi
step "Exercise $name: hint $n of $total"
cat "$EX_DIR/hints/$n.txt"
if [ "$n" -lt "$total" ]; then
	echo "(try it; if still stuck: make hint-$nn)"
else
	echo "(that was the last hint; the reference solution is in exercises/solutions/$name/)"
fi
