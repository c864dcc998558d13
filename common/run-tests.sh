#!/usr/bin/env bash
# Run bats files and end with one plain line: N passed, N failed, N skipped.
# Under CI=true a skip is a failure, so CI proves that every step really ran.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
[ "${CI:-}" = true ] && export BTF_LABS_STRICT=1
command -v bats >/dev/null || { echo "error: bats is not installed: run 'sudo make setup'" >&2; exit 1; }

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
bats --formatter tap "$@" | tee "$tap"
bats_status=${PIPESTATUS[0]}

skipped=$(grep -c '^ok .* # skip' "$tap")
passed=$(($(grep -c '^ok ' "$tap") - skipped))
failed=$(grep -c '^not ok ' "$tap")
echo "$passed passed, $failed failed, $skipped skipped"
# make progress: what this run decided for the labs it tested, one lab alone
# (make check-NN), or every lab when nothing failed or skipped.
verdict=failed
[ "$bats_status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ] && verdict=passed
for f in "$@"; do
	lab=$(basename "$f" | sed -n 's/^\(0[1-9]\)-.*\.bats$/\1/p')
	if [ -n "$lab" ] && [ -n "${BUILD_DIR:-}" ] && { [ $# -eq 1 ] || [ "$verdict" = passed ]; }; then
		mkdir -p "$BUILD_DIR/progress"
		echo "$verdict $(date '+%F %H:%M')" >"$BUILD_DIR/progress/lab-$lab"
	fi
done
if [ $((passed + failed + skipped)) -eq 0 ]; then
	echo "error: no test ran" >&2
	exit 1
fi
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	echo "error: $skipped test(s) skipped under CI=true: every step must run" >&2
	exit 1
fi
[ "$bats_status" -eq 0 ] && [ "$failed" -eq 0 ]
