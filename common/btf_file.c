// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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

void usage_error(const char *prog, int opt, const char *arg)
{
	if (opt == ':')
		fprintf(stderr, "%s: option '%s' needs a value; see '%s --help'\n", prog, arg, prog);
	else
		fprintf(stderr, "%s: unknown option '%s'; see '%s --help'\n", prog, arg, prog);
}

struct btf *btf_file_load(const char *prog, const char *path)
{
	struct stat st;
	struct btf *btf;

	if (stat(path, &st) || access(path, R_OK)) {
		if (errno == ENOENT && strcmp(path, DEFAULT_BTF_PATH) == 0)
			fprintf(stderr, "%s: %s: missing: this kernel was built without "
				"CONFIG_DEBUG_INFO_BTF; use a kernel that has BTF, or pass --btf FILE\n",
				prog, path);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file; give a raw BTF file or an ELF with a .BTF section\n",
			prog, path);
		return NULL;
	}
	btf = btf__parse(path, NULL);
	if (!btf) {
		char msg[128];

		libbpf_strerror(errno, msg, sizeof(msg));
		fprintf(stderr, "%s: %s: not BTF, nor an ELF with a valid .BTF section (btf__parse: %s)\n",
			prog, path, msg);
		return NULL;
	}
	return btf;
}

int btf_find_member(const struct btf *btf, __u32 type_id, const char *name,
		    struct btf_field_pos *pos)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__s32 mtype = btf__resolve_type(btf, m->type);
		const struct btf_type *mt = mtype < 0 ? NULL : btf__type_by_id(btf, mtype);

		if (mname && *mname && strcmp(mname, name) == 0) {
			pos->bit_offset += btf_member_bit_offset(t, i);
			pos->bitfield_bits = btf_member_bitfield_size(t, i);
			pos->type_id = m->type;
			return 0;
		}
		if ((!mname || !*mname) && mt && (btf_is_struct(mt) || btf_is_union(mt))) {
			struct btf_field_pos inner = *pos;

			if (btf_find_member(btf, mtype, name, &inner) == 0) {
				inner.bit_offset += btf_member_bit_offset(t, i);
				*pos = inner;
				return 0;
			}
		}
	}
	return -ENOENT;
}
