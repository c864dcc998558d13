#!/usr/bin/env bash
# Judge an exercise: build the learner's files and check each point against a
# source their code cannot influence (bpftool, /proc, setpriv, the shell).
#   check.sh NN              the learner's files in exercises/NN-name/
#   check.sh NN --solution   the reference in exercises/solutions/NN-name/
#   check.sh NN --from DIR   any other copy (the tests' wrong answers)
#   check.sh NN ... --build-only   build, judge nothing
# Only a check of the learner's own files is recorded, for make progress.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

shopt -s nullglob
EX_DIR=$(exercise_dir "${1:-}")
shift
EX_NAME=${EX_DIR#exercises/}
EX_SRC=$EX_DIR EX_VARIANT=learner build_only=
while [ $# -gt 0 ]; do
	case $1 in
	--solution) EX_SRC=exercises/solutions/$EX_NAME EX_VARIANT=solution ;;
	--from)
		[ -d "${2:-}" ] || die "--from needs a directory with the exercise's files"
		EX_SRC=$2 EX_VARIANT=from-$(realpath "$2" | sha256sum | cut -c 1-8)
		shift ;;
	--build-only) build_only=1 ;;
	*) die "unknown option '$1': use --solution, --from DIR or --build-only" ;;
	esac
	shift
done
EX_OUT=$BUILD/exercises/$EX_NAME/$EX_VARIANT
EX_STATE=$BUILD/exercises/$EX_NAME
COMMON_DIR=common
mkdir -p "$EX_OUT"
# Probes are exec'd by other users too (setpriv): a directory they may enter.
EX_PROBES=$(mktemp -d /tmp/btf-core-labs-probes.XXXXXX)
chmod 755 "$EX_PROBES"
trap 'cleanup_kernel; rm -rf "$EX_PROBES"' EXIT
trap 'exit 130' INT TERM

# Each exercise defines EX_FILES, build and judge; exercise 01 stands for them all here.
# shellcheck source=exercises/01-struct-members/check.sh
. "$EX_DIR/check.sh"
EX_HINTS=$(hint_count "$EX_DIR")
for f in "${EX_FILES[@]}"; do
	[ -e "$EX_SRC/$f" ] || die "$EX_SRC/$f is missing: restore it with 'git checkout $EX_DIR/$f'"
done

step "Exercise $EX_NAME: build $EX_SRC"
build
[ -z "$build_only" ] || exit 0
step "Exercise $EX_NAME: check"
judge
finish
