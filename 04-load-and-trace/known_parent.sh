#!/usr/bin/env bash
# A parent whose pid we know, for trace.sh: it writes its own pid ($$) to
# OUTDIR/parent.pid, then starts PROBE three times, each in the background so
# that /proc can still tell who the running child's parent is; that goes to
# OUTDIR/child.ppid. Usage: known_parent.sh PROBE OUTDIR
# Typed again after the lab, when trace.sh has removed its probe, it makes
# PROBE itself (a symlink to sleep) and removes it when done.
set -euo pipefail
if [ $# -ne 2 ] || [ ! -d "$2" ]; then
	echo "usage: $0 PROBE OUTDIR (OUTDIR: an existing directory, e.g. build)" >&2
	exit 2
fi
probe=$1 outdir=$2
if ln -s "$(type -P sleep)" "$probe" 2>/dev/null; then
	trap 'rm -f -- "$probe"' EXIT
fi
echo "$$" >"$outdir/parent.pid"
for _ in 1 2 3; do
	"$probe" 0.2 &
	awk '/^PPid:/ { print $2 }' "/proc/$!/status" >"$outdir/child.ppid"
	wait
done
echo "parent $$ started $probe 3 times; /proc/<child>/status said PPid $(cat "$outdir/child.ppid")"
