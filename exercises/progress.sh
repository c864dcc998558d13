#!/usr/bin/env bash
# make progress: what the checks decided on this machine, never a flag set
# by hand. A lab counts when its tests (make check-NN) last passed here; an
# exercise, when its check passed on the learner's files as they are now.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

labs_passed=0 labs=0 bonus_passed=0 bonus=0 ex_passed=0 exercises=0
printf '%-34s %s\n' "lab or exercise" "status"
for readme in [0-9][0-9]-*/README.md; do
	lab=${readme%/README.md} nn=${lab%%-*}
	record=$BUILD/progress/lab-$nn
	# Labs 06 and on are bonus labs (QEMU, other kernels): counted apart.
	if [ "$nn" -le 05 ]; then labs=$((labs + 1)) label="lab $lab"; else bonus=$((bonus + 1)) label="lab $lab (bonus)"; fi
	if [ ! -r "$record" ]; then
		status="not checked: run 'make check-$nn'"
	elif grep -q '^passed' "$record"; then
		status="checks passed ($(cut -d ' ' -f 2- "$record"))"
		if [ "$nn" -le 05 ]; then labs_passed=$((labs_passed + 1)); else bonus_passed=$((bonus_passed + 1)); fi
	else
		status="checks failed ($(cut -d ' ' -f 2- "$record")): run 'make check-$nn'"
	fi
	printf '%-34s %s\n' "$label" "$status"
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
	printf '%-34s %s\n' "exercise $name" "$status"
done
echo "labs $labs_passed/$labs, bonus labs $bonus_passed/$bonus, exercises $ex_passed/$exercises"
