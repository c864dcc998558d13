#!/usr/bin/env bash
# Fuzz the parsers that read untrusted files, FUZZ_SECONDS (default 60) each.
# Seeds are cut from the lab-03 object at run time, so they always match the
# current compiler's output.
set -euo pipefail
. "$(dirname "$0")/../../common/lib.sh"
seconds=${FUZZ_SECONDS:-60}
fuzz=$BUILD/fuzz
obj=$BUILD/ppid.bpf.o
export FUZZ_BPF_OBJ=$obj

seed() {
	local section=$1 dir=$2
	mkdir -p "$dir"
	llvm-objcopy --dump-section "$section=$dir/ppid" "$obj" "$fuzz/scratch.o"
	rm -f "$fuzz/scratch.o"
}

step "Seeds: .BTF.ext and .BTF of $obj, and the regression inputs"
seed .BTF.ext "$fuzz/seeds/btf_ext"
seed .BTF "$fuzz/seeds/btf_walk"

status=0
for target in btf_ext btf_walk; do
	step "fuzz_$target for $seconds s"
	corpus=$fuzz/corpus/$target
	crashes=$fuzz/crashes/$target
	regressions=tests/fuzz/regressions/$target
	mkdir -p "$corpus" "$crashes"
	inputs=("$corpus" "$fuzz/seeds/$target")
	[ -d "$regressions" ] && inputs+=("$regressions")
	# -timeout: an input that takes seconds is a finding too (a hang in the field).
	if ! run "$fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=5 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "${inputs[@]}"; then
		bad "fuzz_$target found a crash in $crashes/: reproduce with '$fuzz/fuzz_$target FILE', fix it, and add FILE to $regressions/"
		status=1
	fi
done
exit "$status"
