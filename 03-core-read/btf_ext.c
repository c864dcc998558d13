// SPDX-License-Identifier: MIT
/*
 * A reader for the CO-RE part of .BTF.ext, written from the layout the
 * kernel documents in Documentation/bpf/btf.rst ("BTF.ext section"):
 *
 *   header: magic 0xeB9F, version, flags, hdr_len, then (offset, length)
 *           pairs for func_info, line_info and, when hdr_len allows, core_relo;
 *           offsets count from the end of the header
 *   core_relo: u32 record_size, then per ELF section:
 *           u32 sec_name_off, u32 num_info, num_info records of
 *           struct bpf_core_relo (<linux/bpf.h>): insn_off, type_id,
 *           access_str_off, kind
 */
#include <errno.h>
#include <string.h>
#include "btf_ext.h"

#define BTF_EXT_MAGIC 0xeB9F

struct ext_header {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

static __u32 read_u32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A string from BTF's string table, or NULL when OFF is out of range. */
static const char *btf_str(const struct btf *btf, __u32 off)
{
	const char *s = btf__name_by_offset(btf, off);

	return s && *s ? s : NULL;
}

static int walk_sections(const unsigned char *p, size_t len, const struct btf *btf,
			 core_relo_fn fn, void *ctx)
{
	__u32 rec_size;
	int count = 0;

	if (len < sizeof(__u32))
		return -EINVAL;
	rec_size = read_u32(p);
	/* Newer compilers may append fields; the first four are what we read. */
	if (rec_size < sizeof(struct bpf_core_relo))
		return -EINVAL;
	p += sizeof(__u32);
	len -= sizeof(__u32);

	while (len) {
		struct core_relo relo;
		__u32 i, num;

		if (len < 2 * sizeof(__u32))
			return -EINVAL;
		relo.sec_name = btf_str(btf, read_u32(p));
		num = read_u32(p + 4);
		p += 8;
		len -= 8;
		if (!relo.sec_name || num == 0 || num > len / rec_size)
			return -EINVAL;
		for (i = 0; i < num; i++, p += rec_size, len -= rec_size) {
			struct bpf_core_relo r;
			int err;

			memcpy(&r, p, sizeof(r));
			relo.insn_off = r.insn_off;
			relo.type_id = r.type_id;
			relo.kind = r.kind;
			relo.access = btf_str(btf, r.access_str_off);
			if (!relo.access || r.type_id >= btf__type_cnt(btf))
				return -EINVAL;
			err = fn(&relo, ctx);
			if (err)
				return err;
			count++;
		}
	}
	return count;
}

int btf_ext_for_each_core_relo(const void *data, size_t size, const struct btf *btf,
			       core_relo_fn fn, void *ctx)
{
	const unsigned char *bytes = data;
	struct ext_header hdr = {};
	size_t hdr_len;

	if (size < offsetof(struct ext_header, func_info_off))
		return -EINVAL;
	memcpy(&hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	hdr_len = hdr.hdr_len;
	if (hdr.magic != BTF_EXT_MAGIC || hdr.version != 1 || hdr_len > size ||
	    hdr_len < offsetof(struct ext_header, core_relo_off))
		return -EINVAL;
	/* Objects from before CO-RE have a shorter header: no relocations. */
	if (hdr_len < sizeof(hdr) || hdr.core_relo_len == 0)
		return 0;
	if (hdr.core_relo_off > size - hdr_len ||
	    hdr.core_relo_len > size - hdr_len - hdr.core_relo_off)
		return -EINVAL;
	return walk_sections(bytes + hdr_len + hdr.core_relo_off, hdr.core_relo_len, btf, fn, ctx);
}

const char *core_relo_kind_str(enum bpf_core_relo_kind kind)
{
	static const char *const names[] = {
		[BPF_CORE_FIELD_BYTE_OFFSET] = "byte_off",
		[BPF_CORE_FIELD_BYTE_SIZE] = "byte_sz",
		[BPF_CORE_FIELD_EXISTS] = "field_exists",
		[BPF_CORE_FIELD_SIGNED] = "signed",
		[BPF_CORE_FIELD_LSHIFT_U64] = "lshift_u64",
		[BPF_CORE_FIELD_RSHIFT_U64] = "rshift_u64",
		[BPF_CORE_TYPE_ID_LOCAL] = "local_type_id",
		[BPF_CORE_TYPE_ID_TARGET] = "target_type_id",
		[BPF_CORE_TYPE_EXISTS] = "type_exists",
		[BPF_CORE_TYPE_SIZE] = "type_size",
		[BPF_CORE_ENUMVAL_EXISTS] = "enumval_exists",
		[BPF_CORE_ENUMVAL_VALUE] = "enumval_value",
		[BPF_CORE_TYPE_MATCHES] = "type_matches",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}
