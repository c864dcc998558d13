// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "btf_file.h"

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

void libbpf_quiet(void)
{
	libbpf_set_print(silent_print);
}


const char *kernel_btf_path(void)
{
	const char *path = getenv("BTF_PATH");

	return path && *path ? path : DEFAULT_BTF_PATH;
}

int require_regular_file(const char *tool, const char *path)
{
	struct stat st;

	if (stat(path, &st) || access(path, R_OK)) {
		fprintf(stderr, "%s: %s: %s\n", tool, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file\n", tool, path);
		return -1;
	}
	return 0;
}

struct btf *btf_file_load(const char *tool, const char *path)
{
	struct btf *btf;

	if (strcmp(path, kernel_btf_path()) == 0 && access(path, F_OK) && errno == ENOENT) {
		fprintf(stderr, "%s: %s: missing: this kernel was built without "
			"CONFIG_DEBUG_INFO_BTF; boot a kernel that has BTF, or pass --btf FILE\n",
			tool, path);
		return NULL;
	}
	if (require_regular_file(tool, path))
		return NULL;
	btf = btf__parse(path, NULL);
	if (!btf) {
		char msg[128];

		libbpf_strerror(errno, msg, sizeof(msg));
		fprintf(stderr, "%s: %s: not BTF, nor an ELF with a valid .BTF section (btf__parse: %s)\n",
			tool, path, msg);
		return NULL;
	}
	return btf;
}

/*
 * Limits no real kernel comes near, for BTF that is crafted: a cycle of
 * anonymous members, or members that share one anonymous type many times
 * over, would otherwise recurse without end or take exponential time.
 */
#define MAX_ANON_DEPTH 32
#define MAX_MEMBER_VISITS (1 << 16)

static int find_member(const struct btf *btf, __u32 type_id, const char *name,
		       struct btf_field_pos *pos, int depth, int *visits)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m = btf_members(t);
	int i;

	if (depth > MAX_ANON_DEPTH)
		return -ELOOP;
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__s32 mtype = btf__resolve_type(btf, m->type);
		const struct btf_type *mt = mtype < 0 ? NULL : btf__type_by_id(btf, mtype);

		if (++*visits > MAX_MEMBER_VISITS)
			return -ELOOP;
		if (mname && *mname && strcmp(mname, name) == 0) {
			pos->bit_offset += btf_member_bit_offset(t, i);
			pos->bitfield_bits = btf_member_bitfield_size(t, i);
			pos->type_id = m->type;
			return 0;
		}
		if ((!mname || !*mname) && mt && (btf_is_struct(mt) || btf_is_union(mt))) {
			struct btf_field_pos inner = *pos;
			int err = find_member(btf, mtype, name, &inner, depth + 1, visits);

			if (err == 0) {
				inner.bit_offset += btf_member_bit_offset(t, i);
				*pos = inner;
			}
			if (err != -ENOENT)
				return err;
		}
	}
	return -ENOENT;
}

int btf_find_member(const struct btf *btf, __u32 type_id, const char *name,
		    struct btf_field_pos *pos)
{
	int visits = 0;

	return find_member(btf, type_id, name, pos, 0, &visits);
}
