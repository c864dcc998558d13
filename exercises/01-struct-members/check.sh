# Exercise 01's part of the judge (sourced by exercises/check.sh): the
# members the learner's tool prints for several structs, against bpftool's
# raw dump of the same BTF (its JSON form), flattened the way C sees it.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by exercises/check.sh and progress.sh
EX_FILES=(members.c)
STRUCTS=(task_struct sk_buff file page)

build() { compile_user members "$EX_SRC/members.c"; }

# bpftool's members of struct NAME: anonymous struct/union members replaced
# by their own members, offsets added up, sizes through typedefs and arrays.
bpftool_members() {
	jq -r --arg s "$1" '
		.types as $t
		| def ty($id): $t[$id - 1];
		  def skip: IN("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG");
		  def resolve($id): ty($id) as $x | if ($x.kind | skip) then resolve($x.type_id) else $id end;
		  def size($id): ty($id) as $x
			| if ($x.kind | skip) then size($x.type_id)
			  elif $x.kind == "PTR" then 8
			  elif $x.kind == "ARRAY" then $x.nr_elems * size($x.type_id)
			  else $x.size end;
		  def flat($id; $base): ty($id).members[] | ($base + .bits_offset) as $off
			| if .name == "(anon)" and (ty(resolve(.type_id)).kind | IN("STRUCT", "UNION"))
			  then flat(resolve(.type_id); $off)
			  else "\(.name) offset=\($off / 8 | floor) size=\(size(.type_id))"
				+ (if (.bitfield_size // 0) > 0 then " bit_offset=\($off) bits=\(.bitfield_size)" else "" end)
			  end;
		[.types[] | select(.kind == "STRUCT" and .name == $s)][0].id as $id | flat($id; 0)' "$EX_OUT/btf.json"
}

judge() {
	local s expected got first
	require_btf
	run_sh "bpftool -j btf dump file $BTF_PATH > $EX_OUT/btf.json"
	for s in "${STRUCTS[@]}"; do
		expected=$(bpftool_members "$s")
		got=$("$EX_OUT/members" --btf "$BTF_PATH" "$s" 2>&1 || true)
		first=$(diff <(echo "$expected") <(echo "$got") | grep -m 2 '^[<>]' | paste -sd ' ' || true)
		if [ -n "$expected" ] && [ "$expected" = "$got" ]; then
			point "struct $s: $(wc -l <<<"$expected") members" "as bpftool's dump" "as bpftool's dump" ""
		else
			point "struct $s: $(wc -l <<<"$expected") members, as bpftool's dump" \
				"$(wc -l <<<"$expected") lines, the same" \
				"$([ -n "$got" ] && wc -l <<<"$got" || echo 0) lines; first difference (< bpftool, > yours): ${first:-none}" \
				"01-btf-inspect/README.md, 'What inspect.sh runs' (bits_offset, and btf_inspect's anonymous members)"
		fi
	done
}
