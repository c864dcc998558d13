#!/usr/bin/env bash
# make mutants: does every test earn its keep? Break the code on purpose, one
# realistic bug at a time (tests/mutants/mutants.txt), in a scratch copy of the
# tree, and run the tests named for that bug: each bug must make one fail.
# One line per mutant, then "N of N mutants caught"; exit 1 on any survivor,
# and on any mutant whose text is no longer in its file ("does not apply").
# Usage: run.sh [LIST]   (LIST: another file of mutants, e.g. while writing one)
#   KERNEL_LOCK=FILE  run each test file that needs root (the ones that load,
#                     pin or trace) under flock FILE: for a kernel shared
#                     with other people's runs
set -uo pipefail
list=$(realpath "${1:-$(dirname "$0")/mutants.txt}")
cd "$(dirname "$0")/../.." || exit 1
start=$SECONDS

# The scratch copy: the files git knows of, as they are now, with their build
# directory copied next to them so that only what a mutant touches rebuilds.
scratch=$(mktemp -d /tmp/btf-core-labs-mutants.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
chmod 755 "$scratch"
echo "scratch copy: $scratch"
git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f - | tar -x -C "$scratch" -f -
[ -d "${BUILD_DIR:-build}" ] && cp -a "${BUILD_DIR:-build}" "$scratch/build"

# Everything the tests need, in the scratch copy's own build directory.
build() {
	env -u BUILD_DIR make -s -C "$scratch" --no-print-directory all build/fuzz/fuzz_btf_ext build/fuzz/fuzz_btf_walk \
		>"$scratch/build.log" 2>&1
}

# Run bats FILE (only the tests matching ONLY, if given) in the scratch copy;
# on a failure, print where: FILE:LINE of the first failing test.
run_tests() {
	local file=$1 only=$2 tap=$scratch/tap status
	local -a lock=() filter=()
	[ -z "${KERNEL_LOCK:-}" ] || ! grep -q require_root "$scratch/$file" || lock=(flock "$KERNEL_LOCK")
	[ -z "$only" ] || filter=(--filter "$only")
	(cd "$scratch" && env -u CI -u BTF_LABS_STRICT BUILD_DIR="$scratch/build" \
		"${lock[@]}" bats --formatter tap "${filter[@]}" "$file") >"$tap" 2>&1
	status=$?
	# A filter that matches no test would let every mutant "survive" or pass.
	if grep -q '^1\.\.0$' "$tap"; then
		echo "$file: no test matches '$only'"
		return 2
	fi
	[ "$status" -ne 0 ] || return 0
	grep -m 1 -o "in test file [^,]*, line [0-9]*" "$tap" | sed 's/in test file \(.*\), line /\1:/' | grep . ||
		echo "$file (bats exit $status: $(grep -m 1 -v '^ok\|^1\.\.' "$tap"))"
	return 1
}

# The record being read, and what is known about the tree.
declare -A field baseline_done
mutants=0 caught=0 broken=0
original=

# Put FILE's content CONTENT back, newer than anything built from the mutant.
restore() {
	printf '%s' "$original" >"$scratch/${field[file]}"
	touch "$scratch/${field[file]}"
}

one_mutant() {
	local file=$scratch/${field[file]} content rest count where test_file
	mutants=$((mutants + 1))
	printf '%2d  %s: ' "$mutants" "${field[name]}"
	if [ ! -f "$file" ]; then
		echo "does not apply: ${field[file]} is gone"
		broken=$((broken + 1))
		return
	fi
	IFS= read -r -d '' content <"$file"
	rest=${content//"${field[find]}"/}
	count=$(((${#content} - ${#rest}) / ${#field[find]}))
	if [ "$count" -ne 1 ]; then
		echo "does not apply: '${field[find]}' occurs $count times in ${field[file]}"
		broken=$((broken + 1))
		return
	fi
	# The unbroken tree must pass these tests, or a failure would prove nothing.
	for test_file in ${field[tests]}; do
		[ -z "${baseline_done["$test_file ${field[only]}"]:-}" ] || continue
		build || { echo "the unbroken tree does not build: $(tail -n 3 "$scratch/build.log")"; exit 1; }
		where=$(run_tests "$test_file" "${field[only]}") ||
			{ echo "the unbroken tree fails $where: fix that first"; exit 1; }
		baseline_done["$test_file ${field[only]}"]=1
	done
	original=$content
	printf '%s' "${content/"${field[find]}"/"${field[replace]}"}" >"$file"
	if ! build; then
		echo "does not build: $(grep -m 1 'error' "$scratch/build.log")"
		broken=$((broken + 1))
		restore
		return
	fi
	for test_file in ${field[tests]}; do
		if where=$(run_tests "$test_file" "${field[only]}"); then continue; fi
		[[ $where != *"no test matches"* ]] || { echo "$where"; broken=$((broken + 1)); restore; return; }
		echo "caught by $where"
		caught=$((caught + 1))
		restore
		return
	done
	echo "SURVIVED (${field[file]}: '${field[find]}' -> '${field[replace]}')"
	restore
}

# Records: "key: value" lines; a blank line (or the end) closes one.
flush() {
	[ -n "${field[name]:-}" ] || return 0
	local key
	for key in file find tests; do
		[ -n "${field[$key]:-}" ] || { echo "error: $list: mutant '${field[name]}' has no $key:" >&2; exit 1; }
	done
	one_mutant
	field=()
}
field=()
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#'*) ;;
	'') flush ;;
	*:*)
		key=${line%%:*} value=${line#*:}
		value=${value#"${value%%[! ]*}"}
		field[$key]=$value
		;;
	*) echo "error: $list: cannot read '$line'" >&2; exit 1 ;;
	esac
done <"$list"
flush

echo "$caught of $mutants mutants caught ($((SECONDS - start)) s)"
[ "$caught" -eq "$mutants" ] && [ "$broken" -eq 0 ]
