#!/usr/bin/env bash
# Lab 01: the kernel describes its own types. How big is that description,
# and where does task_struct.real_parent sit on this kernel?
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
require_btf

step "The kernel's BTF: a file in sysfs"
run ls -la "$BTF_PATH"

step "How many types it describes, counted by bpftool (one line starts with [id] per type)"
run_sh "bpftool btf dump file $BTF_PATH | grep -c '^\['"

step "The task_struct fields this tutorial reads, in bpftool's raw dump (bits_offset is in bits)"
fields_awk="/STRUCT 'task_struct' /{inside=1; print; next} /^\[/{inside=0} inside && /'(pid|tgid|real_parent)' /"
run_sh "bpftool btf dump file $BTF_PATH | awk \"$fields_awk\""

step "The same, from libbpf's BTF API (btf__parse, btf__type_by_id, btf_members)"
run "$BUILD/btf_inspect" --btf "$BTF_PATH"
run "$BUILD/btf_inspect" --btf "$BTF_PATH" task_struct pid tgid real_parent

step "Cross-check: bpftool's bits_offset / 8 against btf_inspect's offset"
status=0
for field in pid tgid real_parent; do
	bits=$(bpftool btf dump file "$BTF_PATH" | awk "/STRUCT 'task_struct' /{inside=1; next} /^\[/{inside=0}
		inside && \$1 == \"'$field'\" { sub(\"bits_offset=\", \"\", \$3); print \$3 }")
	ours=$("$BUILD/btf_inspect" --btf "$BTF_PATH" task_struct "$field" | sed 's/.*offset=\([0-9]*\) .*/\1/')
	if [ "$((bits / 8))" = "$ours" ]; then
		ok "task_struct.$field: bpftool $bits bits / 8 = $((bits / 8)), btf_inspect $ours"
	else
		bad "task_struct.$field: bpftool $bits bits / 8 = $((bits / 8)), btf_inspect $ours"
		status=1
	fi
done
say_next_step "$status" "make check-01 (this lab's tests), then make lab-02"
exit "$status"
