// SPDX-License-Identifier: MIT
/*
 * Resolving CO-RE relocation records the way libbpf does: replay the access
 * string on the object's own BTF to learn the field names, then find the
 * same names in the target BTF and add up their offsets there.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btf_file.h"
#include "core_resolve.h"

/* A field's place as libbpf sees it: bits from the root, width, the int type. */
struct field {
	unsigned long long bit_off;
	unsigned int bit_sz;	/* 0: not a bitfield */
	__u32 type_id;
};

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	__s32 rid = btf__resolve_type(btf, id);

	if (rid < 0)
		return NULL;
	if (res_id)
		*res_id = rid;
	return btf__type_by_id(btf, rid);
}

/* "task_struct___old" and "task_struct" are the same type to CO-RE. */
static size_t essential_len(const char *name)
{
	const char *flavor = strstr(name, "___");

	return flavor ? (size_t)(flavor - name) : strlen(name);
}

static void append(char *buf, size_t size, const char *fmt, const char *s, __u32 n)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, fmt, s, n);
}

static bool is_enum_kind(enum bpf_core_relo_kind kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

/* An enumerator relocation's access string is one index into the enum. */
static int parse_enumerator(const struct btf *btf, const struct btf_type *t, const char *s,
			    struct core_access *a)
{
	char *end;
	unsigned long idx = strtoul(s, &end, 10);

	if (end == s || *end || !btf_is_any_enum(t) || idx >= btf_vlen(t))
		return -EINVAL;
	a->nsteps = 1;
	a->steps[0].index = idx;
	a->steps[0].name = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[idx].name_off
							     : btf_enum64(t)[idx].name_off);
	if (!a->steps[0].name)
		return -EINVAL;
	append(a->path, sizeof(a->path), "::%s", a->steps[0].name, 0);
	return 0;
}

int core_access_parse(const struct btf *btf, const struct core_relo *r, struct core_access *a)
{
	const char *s = r->access;
	const struct btf_type *t;
	__u32 id = r->type_id;
	char *end;

	memset(a, 0, sizeof(*a));
	t = skip_mods(btf, id, &a->root_id);
	if (!t)
		return -EINVAL;
	append(a->path, sizeof(a->path), "%s", btf__name_by_offset(btf, t->name_off) ?: "(anon)", 0);
	if (is_enum_kind(r->kind))
		return parse_enumerator(btf, t, s, a);
	if (r->kind >= BPF_CORE_TYPE_ID_LOCAL)
		return 0;	/* about the type itself: the access string is just "0" */
	for (; *s && a->nsteps < CORE_MAX_STEPS; s = *end ? end + 1 : end) {
		unsigned long idx = strtoul(s, &end, 10);
		struct step *st = &a->steps[a->nsteps++];

		if (end == s || (*end && *end != ':'))
			return -EINVAL;
		st->index = idx;
		if (a->nsteps == 1)
			continue;	/* the first index steps through the pointer */
		t = skip_mods(btf, id, &id);
		if (!t)
			return -EINVAL;
		if (btf_is_composite(t) && idx < btf_vlen(t)) {
			const struct btf_member *m = btf_members(t) + idx;

			st->name = btf__name_by_offset(btf, m->name_off);
			if (st->name && !*st->name)
				st->name = NULL;
			if (st->name)
				append(a->path, sizeof(a->path), ".%s", st->name, 0);
			id = m->type;
		} else if (btf_is_array(t)) {
			append(a->path, sizeof(a->path), "%s[%u]", "", idx);
			id = btf_array(t)->type;
		} else {
			return -EINVAL;
		}
	}
	return *s || a->nsteps == 0 ? -EINVAL : 0;
}

/* Replay the access by name on BTF starting from ROOT_ID: the field it reaches. */
static int walk_field(const struct btf *btf, __u32 root_id, const struct core_access *a,
		      bool by_index, struct field *f)
{
	__u32 id = root_id;
	int i;

	memset(f, 0, sizeof(*f));
	f->bit_off = a->steps[0].index * 8ULL * btf__resolve_size(btf, root_id);
	for (i = 1; i < a->nsteps; i++) {
		const struct step *st = &a->steps[i];
		const struct btf_type *t = skip_mods(btf, id, &id);

		if (!t)
			return -ENOENT;
		if (btf_is_array(t)) {
			id = btf_array(t)->type;
			f->bit_off += st->index * 8ULL * btf__resolve_size(btf, id);
		} else if (by_index && btf_is_composite(t)) {
			f->bit_off += btf_member_bit_offset(t, st->index);
			f->bit_sz = btf_member_bitfield_size(t, st->index);
			id = btf_members(t)[st->index].type;
		} else if (st->name && btf_is_composite(t)) {
			struct btf_field_pos pos = {};

			if (btf_find_member(btf, id, st->name, &pos))
				return -ENOENT;
			f->bit_off += pos.bit_offset;
			f->bit_sz = pos.bitfield_bits;
			id = pos.type_id;
		} else if (!st->name && btf_is_composite(t)) {
			continue;	/* anonymous member: found through its named child */
		} else {
			return -ENOENT;
		}
	}
	f->type_id = id;
	return 0;
}

/*
 * The number libbpf writes into the instruction, for the field kinds. For a
 * bitfield the load is widened until it covers every bit, as libbpf does.
 */
static int field_value(const struct btf *btf, enum bpf_core_relo_kind kind, const struct field *f, long long *value)
{
	__u32 id = f->type_id;
	const struct btf_type *t = skip_mods(btf, f->type_id, &id);
	__s64 size = btf__resolve_size(btf, id);
	unsigned long long byte_sz, byte_off;
	unsigned int bit_sz;

	if (!t || size <= 0)
		return -EINVAL;
	byte_sz = size;
	bit_sz = f->bit_sz ? f->bit_sz : byte_sz * 8;
	byte_off = f->bit_off / 8 / byte_sz * byte_sz;
	while (f->bit_sz && f->bit_off + bit_sz - byte_off * 8 > byte_sz * 8 && byte_sz < 8) {
		byte_sz *= 2;
		byte_off = f->bit_off / 8 / byte_sz * byte_sz;
	}
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*value = f->bit_sz ? byte_off : f->bit_off / 8;
		break;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*value = byte_sz;
		break;
	case BPF_CORE_FIELD_EXISTS:
		*value = 1;
		break;
	case BPF_CORE_FIELD_SIGNED:
		*value = (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED)) ||
			 (btf_is_any_enum(t) && btf_kflag(t));
		break;
	case BPF_CORE_FIELD_LSHIFT_U64:
		*value = 64 - (long long)(f->bit_off + bit_sz - byte_off * 8);
		break;
	default: /* BPF_CORE_FIELD_RSHIFT_U64 */
		*value = 64 - bit_sz;
	}
	return 0;
}

static bool same_kind(const struct btf_type *a, const struct btf_type *b)
{
	if (btf_is_any_enum(a))
		return btf_is_any_enum(b);
	return btf_kind(a) == btf_kind(b);
}

static long long enum_value(const struct btf *btf, __u32 id, const char *name, bool *found)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int i;

	*found = false;
	if (!t || !btf_is_any_enum(t))
		return 0;
	for (i = 0; i < btf_vlen(t); i++) {
		bool is32 = btf_is_enum(t);
		const char *n = btf__name_by_offset(btf, is32 ? btf_enum(t)[i].name_off
							: btf_enum64(t)[i].name_off);

		if (n && strcmp(n, name) == 0) {
			*found = true;
			return is32 ? btf_enum(t)[i].val : (long long)btf_enum64_value(btf_enum64(t) + i);
		}
	}
	return 0;
}

/*
 * The value for relocation R on BTF, whose root type is ROOT_ID. LOCAL says
 * whether BTF is the object's own (where the access string's indices hold).
 */
static int relo_value(const struct btf *btf, __u32 root_id, const struct core_relo *r,
		      const struct core_access *a, bool local, long long *value)
{
	struct field f;
	bool found;

	switch (r->kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
		*value = root_id;
		return 0;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		*value = 1;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		*value = btf__resolve_size(btf, root_id);
		return 0;
	case BPF_CORE_ENUMVAL_EXISTS:
	case BPF_CORE_ENUMVAL_VALUE:
		*value = enum_value(btf, root_id, a->steps[0].name, &found);
		if (r->kind == BPF_CORE_ENUMVAL_EXISTS)
			*value = 1;
		return found ? 0 : -ENOENT;
	default: /* the field kinds */
		break;
	}
	if (walk_field(btf, root_id, a, local, &f))
		return -ENOENT;
	return field_value(btf, r->kind, &f, value);
}

int core_target_value(const struct btf *local_btf, const struct btf *target,
		      const struct core_relo *r, const struct core_access *a, long long *value)
{
	const struct btf_type *local = btf__type_by_id(local_btf, a->root_id);
	const char *lname = btf__name_by_offset(local_btf, local->name_off);
	__u32 id, n = btf__type_cnt(target);
	size_t len;

	if (!lname || !*lname)
		return -ENOENT;	/* an anonymous type has nothing to match by */
	len = essential_len(lname);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(target, id);
		const char *tname = btf__name_by_offset(target, t->name_off);

		if (!same_kind(local, t) || !tname || essential_len(tname) != len ||
		    strncmp(tname, lname, len) != 0)
			continue;
		if (relo_value(target, id, r, a, false, value) == 0)
			return 0;
	}
	return -ENOENT;
}

int core_local_value(const struct btf *local, const struct core_relo *r,
		     const struct core_access *a, long long *value)
{
	return relo_value(local, a->root_id, r, a, true, value);
}
