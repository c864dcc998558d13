// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the member lookup btf_inspect and core_relocs share,
 * over every struct and union of a BTF blob built from the input. Looking
 * up a name that no struct has makes the walk visit every anonymous member.
 */
#include <stdint.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	libbpf_quiet();
	return 0;
}

static void walk_members(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);
	struct btf_field_pos pos = {};
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		memset(&pos, 0, sizeof(pos));
		if (name && *name && btf_find_member(btf, id, name, &pos) == 0)
			btf__resolve_size(btf, pos.type_id);
	}
	memset(&pos, 0, sizeof(pos));
	btf_find_member(btf, id, "\x01 no such field", &pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btf *btf = btf__new(data, size);
	__u32 id, n;

	if (!btf)
		return 0;
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_composite(t))
			walk_members(btf, id);
	}
	btf__free(btf);
	return 0;
}
