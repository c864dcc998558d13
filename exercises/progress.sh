#!/usr/bin/env bash
# make progress: what the checks decided on this machine, never a flag set
# by hand. A lab counts when its tests (make check-NN) last passed here; an
# exercise, when its check passed on the learner's files as they are now.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

labs_passed=0 labs=0 ex_passed=0 exercises=0
printf '%-28s %s\n' "lab or exercise" "status"
for readme in 0[1-5]-*/README.md; do
	lab=${readme%/README.md} nn=${lab%%-*}
	record=$BUILD/progress/lab-$nn
	labs=$((labs + 1))
	if [ ! -r "$record" ]; then
		status="not checked: run 'make check-$nn'"
	elif grep -q '^passed' "$record"; then
		status="checks passed ($(cut -d ' ' -f 2- "$record"))"
		labs_passed=$((labs_passed + 1))
	else
		status="checks failed ($(cut -d ' ' -f 2- "$record")): run 'make check-$nn'"
	fi
	printf '%-28s %s\n' "lab $lab" "$status"
done
for dir in exercises/[0-9][0-9]-*/; do
	name=${dir#exercises/} name=${name%/} nn=${name%%-*}
	exercises=$((exercises + 1))
	record=$BUILD/exercises/$name/verdict
	# The files the check judges, hashed the way the check hashes them.
	mapfile -t files < <(bash -c '. "$1"; printf "%s\n" "${EX_FILES[@]}"' _ "$dir/check.sh")
	hash=$( (cd "$dir" && sha256sum "${files[@]}" 2>/dev/null) | sha256sum | cut -c 1-16)
	if [ ! -r "$record" ]; then
		status="not started: make exercise-$nn"
	elif [ "$(sed -n 's/.* hash=\([^ ]*\).*/\1/p' "$record")" != "$hash" ]; then
		status="changed since last check: make exercise-$nn"
	elif grep -q '^verdict=passed' "$record"; then
		status="passed ($(sed -n 's/.* checks=\([^ ]*\).*/\1/p' "$record") checks)"
		ex_passed=$((ex_passed + 1))
	else
		status="failed ($(sed -n 's/.* checks=\([^ ]*\).*/\1/p' "$record") checks): make exercise-$nn"
	fi
	hints=$(hints_shown "$BUILD/exercises/$name")
	[ "$hints" -eq 0 ] || status+="; $hints of $(hint_count "$dir") hints used"
	printf '%-28s %s\n' "exercise $name" "$status"
done
echo "labs $labs_passed/$labs, exercises $ex_passed/$exercises"
