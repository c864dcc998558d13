#!/usr/bin/env bash
# Lab 04 (make lab-04): load the program, then trace what it prints. Each
# step is a script of its own that a learner may also run by hand.
set -euo pipefail
. "$(dirname "$0")/../common/lib.sh"
report_lab04_interrupts
run_lab04_step 04-load-and-trace/load.sh
run_lab04_step 04-load-and-trace/trace.sh
