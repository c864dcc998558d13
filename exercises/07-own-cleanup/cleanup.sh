#!/usr/bin/env bash
# Exercise 07: your own cleanup. Usage: cleanup.sh PIN_DIR
# Remove the pins under PIN_DIR, and nothing else; return only once the
# kernel has freed the programs they kept loaded.
set -euo pipefail
pin_dir=${1:?usage: cleanup.sh PIN_DIR}

# TODO: before removing anything, note which program each pin keeps loaded.
# TODO: remove PIN_DIR and its pins, and only those (check it is on bpffs).
# TODO: wait, 10 s at most, until the kernel no longer lists those programs.
echo "nothing removed yet from $pin_dir"
