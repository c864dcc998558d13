#!/bin/sh
# Run one loader, exec a known child from a known parent, and print what the
# program traced against the truth:
#   <child>_ppid=<traced or none> <child>_expected=<the parent's $$>
# POSIX sh: it runs on the host and, under busybox, inside lab 06's VMs.
# Usage: check.sh LOADER CHILD_NAME WORKDIR
set -u
loader=$1 child=$2 work=$3
printf '#!/bin/sh\nexit 0\n' >"$work/$child"
chmod +x "$work/$child"
"$loader" --verbose --follow --duration 3 >"$work/$child.trace" 2>"$work/$child.log" &
pid=$!
# Start the child only once the loader follows trace_pipe, that is, is attached.
tries=0
until grep -q '^ppid: following' "$work/$child.log" || [ $tries -ge 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
sh -c "echo \$\$ >'$work/$child.parent'; '$work/$child'; true"
wait "$pid"
traced=$(sed -n "s/.*exec $child ppid=\([0-9]*\).*/\1/p" "$work/$child.trace" | head -n 1)
echo "${child}_ppid=${traced:-none} ${child}_expected=$(cat "$work/$child.parent")"
