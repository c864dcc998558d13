#!/usr/bin/env bash
# make labs: run labs 01 to 05 in order (or the labs named: common/labs.sh 06),
# time each, stop at the first that fails, and end with a table of the times.
# The table also goes to build/labs-timings.txt: TEACHING.md quotes it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- 01 02 03 04 05
for n in "$@"; do
	if ! [[ $n =~ ^[0-9][0-9]$ ]] || ! compgen -G "$n-*/" >/dev/null; then
		labs=([0-9][0-9]-*/)
		die "no lab '$n': name labs by their number (${labs[*]%%-*})"
	fi
done

timings=$BUILD/labs-timings.txt
if [ -n "$(ls -A "$BUILD" 2>/dev/null)" ]; then start=warm; else start=clean; fi
header="labs $* · $(date -u '+%Y-%m-%d %H:%M') UTC · kernel $(uname -r) · $(nproc) CPUs · build/ $start at start"
rows=() total=0 failed=

# Tenths of a second, rounded; the total is the sum of the rows as printed.
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
for n in "$@"; do
	t0=$(now_us)
	make --no-print-directory "lab-$n"
	status=$?
	tenths=$((($(now_us) - t0 + 50000) / 100000))
	total=$((total + tenths))
	rows+=("$(printf 'lab-%s %9d.%d' "$n" $((tenths / 10)) $((tenths % 10)))")
	if [ "$status" -ne 0 ]; then
		rows[-1]+="  FAILED"
		failed=$n
		break
	fi
done

mkdir -p "$BUILD"
{
	echo "$header"
	echo "lab      seconds"
	printf '%s\n' "${rows[@]}"
	printf 'total  %9d.%d\n' $((total / 10)) $((total % 10))
} >"$timings.tmp"
mv "$timings.tmp" "$timings"
step "time per lab (also in $timings)"
cat "$timings"

[ -z "$failed" ] || die "lab-$failed failed (its output above says why); fix that, then run 'sudo make lab-$failed' and 'sudo make labs' again"
