// SPDX-License-Identifier: MIT
/*
 * Exercise 02: a vmlinux.h with only the types lab 03's ppid.bpf.c needs,
 * from the kernel's BTF with libbpf's btf_dump, between the same guard and
 * preserve_access_index pragma as lab 02's gen_vmlinux_h.
 *
 *   mini_vmlinux_h [--btf PATH] -o FILE
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

static const char *prog = "mini_vmlinux_h";

/*
 * The types ppid.bpf.c uses (task_struct), and the fixed-size integer
 * typedefs libbpf's bpf_helper_defs.h declares the helpers with.
 */
static const char *const wanted[] = {
	"task_struct",
	"__u8", "__u16", "__u32", "__u64", "__s8", "__s16", "__s32", "__s64",
	"__be16", "__be32", "__wsum",
};

static const char header[] =
	"#ifndef __VMLINUX_H__\n"
	"#define __VMLINUX_H__\n\n"
	"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
	"#endif\n\n";

static const char footer[] =
	"\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	"#pragma clang attribute pop\n"
	"#endif\n\n"
	"#endif /* __VMLINUX_H__ */\n";

static void print_to_file(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* Write the types in wanted[] (and what they need) as C to OUT. */
static int dump_wanted(const struct btf *btf, FILE *out)
{
	struct btf_dump *d = btf_dump__new(btf, print_to_file, out, NULL);
	size_t i;

	if (!d) {
		fprintf(stderr, "%s: btf_dump__new: %s\n", prog, strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		__s32 id = btf__find_by_name_kind(btf, wanted[i], BTF_KIND_STRUCT);
		__u32 n = btf__type_cnt(btf), all;
		int err;

		if (id < 0)
			id = btf__find_by_name_kind(btf, wanted[i], BTF_KIND_TYPEDEF);
		if (id < 0) {
			fprintf(stderr, "%s: no struct or typedef '%s'\n", prog, wanted[i]);
			btf_dump__free(d);
			return 1;
		}
		/* Everything, to be sure. */
		for (all = 1, err = 0; all < n && !err; all++)
			err = btf_dump__dump_type(d, all);
		if (err) {
			fprintf(stderr, "%s: btf_dump__dump_type %s: %s\n", prog, wanted[i], strerror(-err));
			btf_dump__free(d);
			return 1;
		}
	}
	btf_dump__free(d);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = "/sys/kernel/btf/vmlinux", *output = NULL;
	struct btf *btf;
	FILE *out;
	int i, err;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--btf") == 0)
			path = argv[i + 1];
		else if (strcmp(argv[i], "-o") == 0)
			output = argv[i + 1];
		else
			break;
	}
	if (i != argc || !output) {
		fprintf(stderr, "usage: %s [--btf PATH] -o FILE\n", prog);
		return 2;
	}
	btf = btf__parse(path, NULL);
	if (!btf) {
		fprintf(stderr, "%s: btf__parse %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	out = fopen(output, "w");
	if (!out) {
		fprintf(stderr, "%s: %s: %s\n", prog, output, strerror(errno));
		btf__free(btf);
		return 1;
	}
	fputs(header, out);
	err = dump_wanted(btf, out);
	fputs(footer, out);
	if (fclose(out) && !err) {
		fprintf(stderr, "%s: %s: %s\n", prog, output, strerror(errno));
		err = 1;
	}
	btf__free(btf);
	return err;
}
