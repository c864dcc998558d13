#!/usr/bin/env bash
# Exercise 07: your own cleanup. Usage: cleanup.sh PIN_DIR
# Remove the pins under PIN_DIR, and nothing else; return only once the
# kernel has freed the programs they kept loaded.
set -euo pipefail
pin_dir=${1:?usage: cleanup.sh PIN_DIR}

[ -e "$pin_dir" ] || { echo "nothing to clean: no pin at $pin_dir"; exit 0; }
[ "$(stat -f -c %T "$pin_dir")" = bpf_fs ] || { echo "error: $pin_dir is not on bpffs" >&2; exit 1; }

# Which program each pin keeps loaded: a pinned link names its program.
# (bpftool -f lists the paths each link is pinned at.)
mapfile -t ids < <(bpftool -j -f link show |
	jq -r --arg dir "$pin_dir/" '.[] | select(any(.pinned[]?; startswith($dir))) | .prog_id')
echo "programs behind the pins: ${ids[*]:-none}"

rm -rf "$pin_dir"

# The kernel frees a program once nothing refers to it any more: this
# script's pins are gone, but another holder may keep it a while longer.
for id in "${ids[@]}"; do
	for _ in $(seq 100); do
		bpftool prog show id "$id" >/dev/null 2>&1 || continue 2
		sleep 0.1
	done
	echo "error: program $id is still loaded after 10 s: something else holds it" >&2
	exit 1
done
echo "removed $pin_dir; the kernel has freed program(s) ${ids[*]:-none}"
