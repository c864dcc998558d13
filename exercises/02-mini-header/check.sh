# Exercise 02's part of the judge (sourced by exercises/check.sh): lab 03's
# ppid.bpf.c compiled against the learner's header alone, its CO-RE records
# (core_relocs) against those of the build on the full vmlinux.h, its size.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(mini_vmlinux_h.c)

build() { compile_user mini_vmlinux_h "$EX_SRC/mini_vmlinux_h.c"; }

judge() {
	local inc=$EX_OUT/include obj=$EX_OUT/ppid.bpf.o full lines max got compiled=
	require_btf
	[ -s "$BUILD/ppid.bpf.o" ] || die "$BUILD/ppid.bpf.o is missing: run 'make lab-03' first"
	mkdir -p "$inc"
	rm -f "$inc/vmlinux.h" "$obj"
	run "$EX_OUT/mini_vmlinux_h" --btf "$BTF_PATH" -o "$inc/vmlinux.h" || true
	if run clang -O2 -g -Wall -Werror -target bpf "-D__TARGET_ARCH_$(bpf_arch)" -I"$inc" \
		-c 03-core-read/ppid.bpf.c -o "$obj" 2>"$EX_OUT/clang.err"; then
		compiled=1 got=compiles
	else
		head -n 6 "$EX_OUT/clang.err"
		got="does not compile: $(grep -m 1 'error:' "$EX_OUT/clang.err" | sed 's/.*error: //')"
	fi
	point "03-core-read/ppid.bpf.c, with your header as its only vmlinux.h" compiles "$got" \
		"02-vmlinux-h/README.md, 'What gen.sh runs, and what it means'"

	full=$("$BUILD/core_relocs" "$BUILD/ppid.bpf.o" | sed 's/^on_exec //')
	got="no object to read"
	[ -z "$compiled" ] || got=$("$BUILD/core_relocs" "$obj" | sed 's/^on_exec //' | paste -sd ';')
	point "its CO-RE relocation records, by core_relocs" "$(paste -sd ';' <<<"$full")" "$got" \
		"03-core-read/README.md, 'What build.sh runs, and what it means' (access=)"

	lines=$(wc -l <"$BUILD/vmlinux.h")
	max=$((lines / 20))
	if [ -z "$compiled" ]; then
		got="not judged: ppid.bpf.c does not compile against it"
	elif [ "$(wc -l <"$inc/vmlinux.h")" -le "$max" ]; then
		got="at most $max lines"
	else
		got="$(wc -l <"$inc/vmlinux.h") lines"
	fi
	point "its size, next to the full vmlinux.h's $lines lines" "at most $max lines" "$got" \
		"02-vmlinux-h/README.md, 'Why a generated header'"
}
