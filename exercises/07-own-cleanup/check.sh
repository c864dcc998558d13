# Exercise 07's part of the judge (sourced by exercises/check.sh): the
# learner's cleanup.sh against bpffs and bpftool's program list. The judge
# holds the program through a pin of its own for 1 s after the learner's
# pins go, as another tool might: a cleanup that does not wait returns while
# the program is still loaded, and one that removes that pin is caught.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(cleanup.sh)

build() { build_loader traced "$EX_DIR"; }

# Once PIN_DIR is gone, note whether the judge's pin HOLD still is, and
# remove it one second later.
hold_for_a_second() {
	local pin_dir=$1 hold=$2 record=$3
	for _ in $(seq 300); do
		[ -e "$pin_dir" ] || break
		sleep 0.05
	done
	[ ! -e "$pin_dir" ] || return 0
	if [ -e "$hold" ]; then echo "still there when $pin_dir went"; else echo "removed with it"; fi >"$record"
	sleep 1
	rm -f "$hold"
}

judge() {
	local pin_dir=/sys/fs/bpf/ex07_$$ hold=/sys/fs/bpf/ex07_hold_$$ record=$EX_OUT/hold.record
	local id status=0 count got
	prepare_kernel ex07_exec
	rm -f "$record"
	EX_PINS+=("$pin_dir" "$hold")
	run "$EX_OUT/loader" --pin-dir "$pin_dir"
	id=$(bpftool -j prog show name "$EX_PROG" | jq .id)
	run bpftool prog pin id "$id" "$hold"
	hold_for_a_second "$pin_dir" "$hold" "$record" &
	EX_HELPER_PID=$!
	run timeout 10 bash "$EX_SRC/cleanup.sh" "$pin_dir" || status=$?
	count=$(prog_count "$EX_PROG")
	wait "$EX_HELPER_PID" || true
	EX_HELPER_PID=
	[ "$status" -ne 124 ] || echo "cleanup.sh was stopped after 10 s"

	if [ -e "$pin_dir" ]; then got="still there: $(find "$pin_dir" | paste -sd ' ')"; else got=removed; fi
	point "your pins: $pin_dir" removed "$got" "05-cleanup/README.md, 'What cleanup.sh runs'"
	got=$(cat "$record" 2>/dev/null || echo "not judged: $pin_dir was not removed")
	point "a pin that is not yours: $hold, holding program $id too" \
		"still there when $pin_dir went" "$got" "05-cleanup/README.md, 'Pins and references'"
	point "when cleanup.sh returned (exit $status), programs called $EX_PROG, by bpftool" \
		"$EX_PROG_BEFORE, as before loading" "$count$([ "$count" != "$EX_PROG_BEFORE" ] || echo ', as before loading')" \
		"05-cleanup/README.md, 'Pins and references' (the kernel frees in the background)"
}
