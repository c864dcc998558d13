// SPDX-License-Identifier: MIT
/*
 * btf_inspect: what the kernel says about its own types.
 *
 *   btf_inspect [--btf PATH]                 size, type count, types per kind
 *   btf_inspect [--btf PATH] STRUCT FIELD... offset and size of each field
 *   btf_inspect [--btf PATH] STRUCT @BYTE    the member that holds that byte
 *
 * PATH is raw BTF (default: /sys/kernel/btf/vmlinux) or an ELF with .BTF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "btf_file.h"
#include "cli.h"

static const char tool[] = "btf_inspect";

static const struct cli_option options[] = {
	{ 'b', "btf", "PATH", "raw BTF or an ELF with a .BTF section\n"
		"(default $BTF_PATH, or " DEFAULT_BTF_PATH ")" },
	{},
};

static const struct cli cli = { tool, "[STRUCT FIELD...]",
	"without STRUCT: size of the BTF, number of types, types per kind\n"
	"with STRUCT FIELD...: byte offset and size of each field; FIELD may be\n"
	"dotted (se.vruntime) and is found inside anonymous structs and unions;\n"
	"@BYTE (@1280) names the member of STRUCT that holds that byte instead", options, -1 };

static const char *kind_name(int kind)
{
	static const char *const names[] = {
		"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
		"TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO",
		"VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
	};

	if (kind >= 0 && kind < (int)(sizeof(names) / sizeof(names[0])))
		return names[kind];
	return "UNKNOWN";
}

#define MAX_KIND 32

static int print_summary(const struct btf *btf, const char *path)
{
	unsigned int counts[MAX_KIND] = { 0 };
	unsigned int id, n = btf__type_cnt(btf);
	struct stat st;
	int kind;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: stat %s: %s\n", tool, path, strerror(errno));
		return 1;
	}
	for (id = 1; id < n; id++)
		counts[btf_kind(btf__type_by_id(btf, id)) % MAX_KIND]++;

	printf("path: %s\n", path);
	printf("size: %lld bytes\n", (long long)st.st_size);
	/* Type id 0 is the implicit "void"; it is not stored, so it is not counted. */
	printf("types: %u\n", n - 1);
	for (kind = 0; kind < MAX_KIND; kind++)
		if (counts[kind])
			printf("  %-10s %u\n", kind_name(kind), counts[kind]);
	return 0;
}

static __s32 find_composite(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
	return id;
}

/* Walk a dotted FIELD path (se.vruntime) from struct STRUCT_ID. */
static int resolve_path(const struct btf *btf, __u32 struct_id, const char *sname,
			const char *path, struct btf_field_pos *pos)
{
	char *copy = strdup(path), *part, *save = NULL;
	__u32 cur = struct_id;
	int err = 0;

	if (!copy) {
		fprintf(stderr, "%s: strdup: %s\n", tool, strerror(errno));
		return 1;
	}
	memset(pos, 0, sizeof(*pos));
	for (part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		const struct btf_type *t = btf__type_by_id(btf, cur);

		if (!t || !(btf_is_struct(t) || btf_is_union(t))) {
			fprintf(stderr, "%s: %s.%s: '%s' is reached through a field that is not a struct or union\n",
				tool, sname, path, part);
			err = 1;
			break;
		}
		if (btf_find_member(btf, cur, part, pos)) {
			fprintf(stderr, "%s: field '%s' not found in %s %s\n", tool, part,
				btf_is_union(t) ? "union" : "struct", btf__name_by_offset(btf, t->name_off));
			err = 1;
			break;
		}
		cur = btf__resolve_type(btf, pos->type_id);
	}
	free(copy);
	return err;
}

/* Which direct member of STRUCT_ID holds byte SPEC ("@1280"): what a
 * program reading at a hard-coded offset gets on this kernel. */
static int print_member_at(const struct btf *btf, __u32 struct_id, const char *sname,
			   const char *spec)
{
	const struct btf_type *t = btf__type_by_id(btf, struct_id);
	const struct btf_member *m = btf_members(t);
	unsigned long long at;
	char *end;
	int i;

	errno = 0;
	at = strtoull(spec + 1, &end, 10);
	if (errno || end == spec + 1 || *end || spec[1] == '-') {
		fprintf(stderr, "%s: '%s' is not @BYTE (a byte offset such as @1280)\n", tool, spec);
		return 1;
	}
	for (i = 0; i < btf_vlen(t); i++, m++) {
		unsigned long long start = btf_member_bit_offset(t, i) / 8;
		__s64 size = btf__resolve_size(btf, m->type);
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (size <= 0 || at < start || at - start >= (unsigned long long)size)
			continue;
		printf("%s%s in %s offset=%llu size=%lld\n", sname, spec,
		       name && *name ? name : "(anon)", start, (long long)size);
		return 0;
	}
	fprintf(stderr, "%s: no member of %s holds byte %llu (padding, or past its %u bytes)\n",
		tool, sname, at, t->size);
	return 1;
}

static int print_fields(const struct btf *btf, const char *path, const char *sname,
			char **fields, int nfields)
{
	__s32 struct_id = find_composite(btf, sname);
	int i, err = 0;

	if (struct_id < 0) {
		fprintf(stderr, "%s: struct '%s' not found in %s\n", tool, sname, path);
		return 1;
	}
	for (i = 0; i < nfields; i++) {
		struct btf_field_pos pos;
		__s64 size;

		if (fields[i][0] == '@') {
			err |= print_member_at(btf, struct_id, sname, fields[i]);
			continue;
		}
		if (resolve_path(btf, struct_id, sname, fields[i], &pos)) {
			err = 1;
			continue;
		}
		size = btf__resolve_size(btf, pos.type_id);
		printf("%s.%s offset=%llu size=%lld", sname, fields[i], pos.bit_offset / 8,
		       (long long)size);
		if (pos.bitfield_bits)
			printf(" bit_offset=%llu bits=%u", pos.bit_offset, pos.bitfield_bits);
		printf("\n");
	}
	return err;
}

int main(int argc, char **argv)
{
	const char *path = kernel_btf_path(), *value;
	struct btf *btf;
	int err;

	while (cli_next(&cli, argc, argv, &value) == 'b')
		path = value;
	if (argc - optind == 1)
		return usage_error(tool, "struct '%s' given without a FIELD", argv[optind]);

	libbpf_quiet();
	btf = btf_file_load(tool, path);
	if (!btf)
		return 1;
	if (optind == argc)
		err = print_summary(btf, path);
	else
		err = print_fields(btf, path, argv[optind], argv + optind + 1, argc - optind - 1);
	btf__free(btf);
	return err;
}
