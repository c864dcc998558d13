#!/bin/sh
# Start a loader, exec a child whose parent shell sleeps in `wait`, and print
# what the program traced next to the truth from /proc and from the shell:
#   TAG_loaded=yes|no TAG_state=<traced or none> TAG_proc=<state letter in
#   /proc/PPID/stat> TAG_ppid=<traced or none> TAG_expected=<the parent's $$>
#   TAG_task_btf=<0|1|none>
# POSIX sh: it runs on the host and, under busybox, inside lab 07's VMs.
# Usage: check.sh LOADER TAG WORKDIR [LOADER OPTIONS...]
set -u
loader=$1 tag=$2 work=$3
shift 3
child=${tag}_child
rm -f "$work/$tag".*
# The child reads its parent's state while the parent waits for it.
# shellcheck disable=SC2016  # $PPID is the child's, expanded when it runs
printf '#!/bin/sh\ncut -d" " -f3 /proc/$PPID/stat >%s\n' "$work/$tag.proc" >"$work/$child"
chmod +x "$work/$child"
"$loader" --verbose "$@" >"$work/$tag.trace" 2>"$work/$tag.log" &
pid=$!
tries=0
until grep -q '^taskstate: attached' "$work/$tag.log" || ! kill -0 "$pid" 2>/dev/null || [ $tries -ge 200 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
if ! kill -0 "$pid" 2>/dev/null; then
	wait "$pid"
	echo "${tag}_loaded=no ${tag}_state=none ${tag}_proc=none ${tag}_ppid=none ${tag}_expected=none ${tag}_task_btf=none"
	exit 0
fi
# The subshell sleeps first, so that its parent is surely inside `wait`
# (TASK_INTERRUPTIBLE, 'S') when the child's exec fires the tracepoint.
sh -c "echo \$\$ >'$work/$tag.parent'; (sleep 1; exec '$work/$child') & wait"
tries=0
until grep -q "^exec $child " "$work/$tag.trace" || [ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
kill -INT "$pid"
wait "$pid"
line=$(grep "^exec $child " "$work/$tag.trace" | head -n 1)
value() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
state=$(value parent_state) ppid=$(value ppid) task_btf=$(value task_btf)
echo "${tag}_loaded=yes ${tag}_state=${state:-none} ${tag}_proc=$(cat "$work/$tag.proc" 2>/dev/null || echo none)" \
	"${tag}_ppid=${ppid:-none} ${tag}_expected=$(cat "$work/$tag.parent") ${tag}_task_btf=${task_btf:-none}"
