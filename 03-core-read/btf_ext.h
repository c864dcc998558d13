/* SPDX-License-Identifier: MIT */
#ifndef BTF_EXT_H
#define BTF_EXT_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/btf.h>

/* One CO-RE relocation record of .BTF.ext (struct bpf_core_relo), with its strings looked up. */
struct core_relo {
	const char *sec_name;	/* ELF section of the instruction */
	__u32 insn_off;		/* byte offset of the instruction in that section */
	__u32 type_id;		/* root type, in the object's own .BTF */
	const char *access;	/* "0:95": deref, then member #95 */
	enum bpf_core_relo_kind kind;
};

typedef int (*core_relo_fn)(const struct core_relo *relo, void *ctx);

/*
 * Call FN for each CO-RE relocation record in DATA, the raw bytes of a
 * .BTF.ext section whose strings live in BTF. Every length and offset is
 * checked against SIZE first. Returns the number of records, or -EINVAL when
 * the section is malformed, or FN's first non-zero return.
 */
int btf_ext_for_each_core_relo(const void *data, size_t size, const struct btf *btf,
			       core_relo_fn fn, void *ctx);

/* "byte_off", "field_exists", ...: the names libbpf uses in its log. */
const char *core_relo_kind_str(enum bpf_core_relo_kind kind);

#endif
