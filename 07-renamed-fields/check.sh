#!/bin/sh
# Start a loader, exec two children, and print what the program traced for
# each child's parent next to the truth from /proc and from the shell: the
# first parent sleeps in `wait`, the second is stopped by SIGSTOP.
#   TAG_loaded=yes|no TAG_state=<traced or none> TAG_proc=<state letter in
#   /proc/PPID/stat> TAG_ppid=<traced or none> TAG_expected=<the parent's $$>
#   TAG_stopped_state=<traced or none> TAG_stopped_proc=<letter>
#   TAG_task_btf=<0|1|none>
# POSIX sh: it runs on the host and, under busybox, inside lab 07's VMs.
# Usage: check.sh LOADER TAG WORKDIR [LOADER OPTIONS...]
set -u
loader=$1 tag=$2 work=$3
shift 3
# Names no other learner's check.sh uses at the same time (a comm holds 15 characters).
waiting=wait_$$ stopped=stop_$$
rm -f "$work/$tag".*
# A child reads its parent's state from /proc; the stopped one's child then lets it go on.
# shellcheck disable=SC2016  # $PPID is the child's, expanded when it runs
printf '#!/bin/sh\ncut -d" " -f3 /proc/$PPID/stat >%s\n' "$work/$tag.proc" >"$work/$waiting"
# shellcheck disable=SC2016
printf '#!/bin/sh\ncut -d" " -f3 /proc/$PPID/stat >%s\nkill -CONT $PPID\n' "$work/$tag.stopped_proc" >"$work/$stopped"
chmod +x "$work/$waiting" "$work/$stopped"
"$loader" --verbose "$@" >"$work/$tag.trace" 2>"$work/$tag.log" &
pid=$!
tries=0
until grep -q '^taskstate: attached' "$work/$tag.log" || ! kill -0 "$pid" 2>/dev/null || [ $tries -ge 200 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
if ! kill -0 "$pid" 2>/dev/null; then
	wait "$pid"
	echo "${tag}_loaded=no ${tag}_state=none ${tag}_proc=none ${tag}_ppid=none ${tag}_expected=none" \
		"${tag}_stopped_state=none ${tag}_stopped_proc=none ${tag}_task_btf=none"
	exit 0
fi
# Wait until the program traced the exec of CHILD (at most 5 s).
traced() {
	tries=0
	until grep -q "^exec $1 " "$work/$tag.trace" || [ $tries -ge 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
}
# Each subshell sleeps first, so that its parent is surely inside `wait`
# (TASK_INTERRUPTIBLE, 'S') or stopped (TASK_STOPPED, 'T') when the child's
# exec fires the tracepoint.
sh -c "echo \$\$ >'$work/$tag.parent'; (sleep 1; exec '$work/$waiting') & wait"
traced "$waiting"
sh -c "(sleep 1; exec '$work/$stopped') & kill -STOP \$\$; wait" &
shell=$!
traced "$stopped"
# The child lets its parent go on once it has read /proc; should it not have
# run, the shell must not stay stopped (after at most 5 s).
tries=0
until [ -s "$work/$tag.stopped_proc" ] || [ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
kill -CONT "$shell" 2>/dev/null
wait "$shell"
kill -INT "$pid"
wait "$pid"
# KEY's value in the program's line for the exec of CHILD.
value() { grep "^exec $1 " "$work/$tag.trace" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
state=$(value "$waiting" parent_state) ppid=$(value "$waiting" ppid) task_btf=$(value "$waiting" task_btf)
stopped_state=$(value "$stopped" parent_state)
echo "${tag}_loaded=yes ${tag}_state=${state:-none} ${tag}_proc=$(cat "$work/$tag.proc" 2>/dev/null || echo none)" \
	"${tag}_ppid=${ppid:-none} ${tag}_expected=$(cat "$work/$tag.parent")" \
	"${tag}_stopped_state=${stopped_state:-none} ${tag}_stopped_proc=$(cat "$work/$tag.stopped_proc" 2>/dev/null || echo none)" \
	"${tag}_task_btf=${task_btf:-none}"
