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

# Removing the pins unloads the programs.
rm -rf "$pin_dir"
echo "removed $pin_dir; the kernel has freed program(s) ${ids[*]:-none}"
