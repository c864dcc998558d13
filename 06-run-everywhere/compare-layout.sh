#!/usr/bin/env bash
# Why does task_struct.real_parent sit at another byte on another kernel?
# Everything before it pushes it: print task_struct's size on both kernels
# and each member before real_parent that one kernel has and the other has
# not, or has at another size. Member names come from bpftool's dump of each
# BTF; offsets and sizes from lab 01's btf_inspect.
# Usage: compare-layout.sh BTF_A BTF_B  (each: raw BTF or an ELF with .BTF)
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
[ $# -eq 2 ] || { echo "usage: $0 BTF_A BTF_B" >&2; exit 2; }

# A column title: the kernel's name as lab 06 files it, "here" for this machine's.
label_of() { if [ "$1" = "$BTF_PATH" ]; then echo here; else basename "${1%.btf}"; fi; }

# task_struct's named members before real_parent, in order, from bpftool's raw dump.
members_before_real_parent() {
	local dump
	dump=$(bpftool btf dump file "$1") || die "bpftool cannot read $1 as BTF"
	awk -v s="'task_struct'" '
		$2 == "STRUCT" && $3 == s { inside = 1; next }
		/^\[/ { inside = 0 }
		inside && $1 == "\047real_parent\047" { exit }
		inside && $1 != "\047(anon)\047" { gsub("\047", "", $1); print $1 }' <<<"$dump"
}

# "NAME OFFSET SIZE" for each member listed in $2... and real_parent, as
# btf_inspect reads them in BTF $1. Bitfields are left out: a few bits share
# one word, and only the word has a size.
layout() {
	local btf=$1
	shift
	"$BUILD/btf_inspect" --btf "$btf" task_struct "$@" real_parent |
		sed -n 's/^task_struct\.\([a-z0-9_]*\) offset=\([0-9]*\) size=\([0-9]*\)$/\1 \2 \3/p'
}

btf_a=$1 btf_b=$2
a=$(label_of "$btf_a") b=$(label_of "$btf_b")
mapfile -t names_a < <(members_before_real_parent "$btf_a")
mapfile -t names_b < <(members_before_real_parent "$btf_b")
if [ "${#names_a[@]}" -eq 0 ] || [ "${#names_b[@]}" -eq 0 ]; then
	die "no task_struct with a real_parent in $btf_a or $btf_b"
fi
declare -A off_a=() size_a=() off_b=() size_b=()
while read -r name offset size; do off_a[$name]=$offset size_a[$name]=$size; done < <(layout "$btf_a" "${names_a[@]}")
while read -r name offset size; do off_b[$name]=$offset size_b[$name]=$size; done < <(layout "$btf_b" "${names_b[@]}")
struct_size() { bpftool btf dump file "$1" | awk '$2 == "STRUCT" && $3 == "\047task_struct\047" { sub("size=", "", $4); print $4; exit }'; }

printf '%-26s %20s %20s\n' "task_struct" "$a" "$b"
printf '%-26s %20s %20s\n' "  size" "$(struct_size "$btf_a")" "$(struct_size "$btf_b")"
moved=$((off_b[real_parent] - off_a[real_parent]))
printf '%-26s %20s %20s  %+d\n' "  real_parent at byte" "${off_a[real_parent]}" "${off_b[real_parent]}" "$moved"
echo "members before real_parent that differ (size in bytes; - where absent):"

# Walk both member lists side by side, as a merge: a member on one kernel only
# is printed where it stands. Sizes that add up explain the move.
explained=0 i=0 j=0
declare -A seen=() in_b=()
for name in "${names_b[@]}"; do in_b[$name]=1; done
row() {
	local name=$1 sa=${size_a[$1]:--} sb=${size_b[$1]:--}
	seen[$name]=1
	[ "$sa" != "$sb" ] || return 0
	explained=$((explained + ${sb/-/0} - ${sa/-/0}))
	printf '  %-24s %20s %20s  %+d\n' "$name" "$sa" "$sb" $((${sb/-/0} - ${sa/-/0}))
}
while [ "$i" -lt "${#names_a[@]}" ] || [ "$j" -lt "${#names_b[@]}" ]; do
	na=${names_a[$i]:-} nb=${names_b[$j]:-}
	if [ -n "$na" ] && [ -n "${seen[$na]:-}" ]; then i=$((i + 1))
	elif [ -n "$nb" ] && [ -n "${seen[$nb]:-}" ]; then j=$((j + 1))
	elif [ -n "$na" ] && { [ -z "$nb" ] || [ -z "${in_b[$na]:-}" ]; }; then row "$na"; i=$((i + 1))
	else row "$nb"; j=$((j + 1))
	fi
done
printf '%-26s %41s  %+d\n' "sum of those sizes" "" "$explained"
printf '%-26s %41s  %+d\n' "bitfields and alignment" "" "$((moved - explained))"
