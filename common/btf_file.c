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
