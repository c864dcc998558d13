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
 * TODO: the names of the types ppid.bpf.c and the libbpf headers it
 * includes use. Compile it against your header: the errors name what is
 * missing.
 */
static const char *const wanted[] = {
	"task_struct",
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
		/*
		 * TODO: find the type called wanted[i] in BTF (a struct, or a
		 * typedef) and dump it; btf_dump prints what it depends on first.
		 */
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
