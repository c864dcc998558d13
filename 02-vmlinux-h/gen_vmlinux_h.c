// SPDX-License-Identifier: MIT
/*
 * gen_vmlinux_h: what `bpftool btf dump file ... format c` does, on libbpf's
 * btf_dump API: every type of a BTF, as C, between the guard and the
 * preserve_access_index pragma that make CO-RE work.
 *
 *   gen_vmlinux_h [--btf PATH] [-o FILE]
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "btf_file.h"
#include "cli.h"

static const char tool[] = "gen_vmlinux_h";

static const struct cli_option options[] = {
	{ 'b', "btf", "PATH", "raw BTF or an ELF with .BTF (default $BTF_PATH, or " DEFAULT_BTF_PATH ")" },
	{ 'o', "output", "FILE", "write to FILE (replaced only when complete); default stdout" },
	{},
};

static const struct cli cli = { tool, "",
	"write every type of PATH as C, like bpftool btf dump ... format c", options, 0 };

static const char header[] =
	"#ifndef __VMLINUX_H__\n"
	"#define __VMLINUX_H__\n"
	"\n"
	/* Every struct below becomes a CO-RE relocation wherever a BPF program touches it. */
	"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
	"#endif\n"
	"\n";

static const char footer[] =
	"\n"
	"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	"#pragma clang attribute pop\n"
	"#endif\n"
	"\n"
	"#endif /* __VMLINUX_H__ */\n";

static void print_to_file(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* Dump every type, in id order, as C. Returns 0 or a negative error. */
static int dump_types(const struct btf *btf, FILE *out)
{
	struct btf_dump *d = btf_dump__new(btf, print_to_file, out, NULL);
	__u32 id, n = btf__type_cnt(btf);
	int err = 0;

	if (!d)
		return -errno;
	for (id = 1; id < n && !err; id++)
		err = btf_dump__dump_type(d, id);
	btf_dump__free(d);
	return err;
}

static int write_header(const struct btf *btf, FILE *out)
{
	int err;

	fputs(header, out);
	err = dump_types(btf, out);
	if (err) {
		fprintf(stderr, "%s: btf_dump__dump_type: %s\n", tool, strerror(-err));
		return 1;
	}
	fputs(footer, out);
	return 0;
}

/*
 * Write to a temporary file beside OUTPUT and rename it into place, so a
 * failure never leaves a half-written header behind.
 */
static int write_file(const struct btf *btf, const char *output)
{
	char tmp[PATH_MAX];
	FILE *out;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", output) >= (int)sizeof(tmp)) {
		fprintf(stderr, "%s: %s: path too long\n", tool, output);
		return 1;
	}
	fd = mkstemp(tmp);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: cannot write next to %s: %s\n", tool, output, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	err = write_header(btf, out);
	if (fclose(out) && !err) {
		fprintf(stderr, "%s: %s: %s\n", tool, tmp, strerror(errno));
		err = 1;
	}
	if (!err && rename(tmp, output)) {
		fprintf(stderr, "%s: rename to %s: %s\n", tool, output, strerror(errno));
		err = 1;
	}
	if (err)
		unlink(tmp);
	return err;
}

int main(int argc, char **argv)
{
	const char *path = kernel_btf_path(), *output = NULL, *value;
	struct btf *btf;
	int key, err;

	while ((key = cli_next(&cli, argc, argv, &value))) {
		if (key == 'b')
			path = value;
		else
			output = value;
	}

	libbpf_quiet();
	btf = btf_file_load(tool, path);
	if (!btf)
		return 1;
	err = output ? write_file(btf, output) : write_header(btf, stdout);
	btf__free(btf);
	return err;
}
