#!/usr/bin/env bash
# The direct members of a struct in a BTF file, one "name byte_offset" a line,
# from bpftool's raw dump (lab 01's btf_inspect answers for named members).
# Usage: members.sh BTF STRUCT
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BTF STRUCT" >&2; exit 2; }
dump=$(bpftool btf dump file "$1") || { echo "error: $1: bpftool cannot read it as BTF" >&2; exit 1; }
awk -v s="'$2'" '
	$2 == "STRUCT" && $3 == s { inside = 1; next }
	/^\[/ { inside = 0 }
	inside { sub("bits_offset=", "", $3); gsub("\047", "", $1); print $1, $3 / 8 }' <<<"$dump"
