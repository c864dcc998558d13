#!/usr/bin/env bash
# A parent whose pid we know, for trace.sh: it writes its own pid ($$) to
# OUTDIR/parent.pid, then starts PROBE three times, each in the background so
# that /proc can still tell who the running child's parent is; that goes to
# OUTDIR/child.ppid. Usage: known_parent.sh PROBE OUTDIR
set -euo pipefail
probe=$1 outdir=$2
echo "$$" >"$outdir/parent.pid"
for _ in 1 2 3; do
	"$probe" 0.2 &
	awk '/^PPid:/ { print $2 }' "/proc/$!/status" >"$outdir/child.ppid"
	wait
done
