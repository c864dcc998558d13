#!/usr/bin/env bash
# Print a vmlinux.h without the printing differences lab 02 explains, so that
# two generators' headers can be diffed: bpftool's __ksym/__weak macros and
# kfunc prototypes go, "(void)" parameter lists become "()", and runs of
# blank lines become one. Usage: normalise.sh HEADER
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 HEADER" >&2; exit 2; }
sed -e 's/(void)/()/g' -e '/^\/\* BPF kfuncs \*\/$/d' "$1" |
	awk '/^#ifndef (__ksym|__weak|BPF_NO_KFUNC_PROTOTYPES)$/ { skip = 1 }
		!skip { print }
		skip && /^#endif/ { skip = 0 }' |
	cat -s
