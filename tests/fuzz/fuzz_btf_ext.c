// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: core_relocs' reader of .BTF.ext, and the replay of each
 * record's access string, on bytes an attacker could put in a BPF object.
 * The strings the records point at come from a real object's .BTF, named by
 * $FUZZ_BPF_OBJ (make fuzz sets it); the input is the .BTF.ext section.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "btf_ext.h"
#include "btf_file.h"
#include "core_resolve.h"

static struct btf *local;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *obj = getenv("FUZZ_BPF_OBJ");

	(void)argc;
	(void)argv;
	libbpf_quiet();
	local = obj ? btf_file_load("fuzz_btf_ext", obj) : NULL;
	if (!local) {
		fprintf(stderr, "fuzz_btf_ext: set FUZZ_BPF_OBJ to a BPF object with .BTF\n");
		exit(1);
	}
	return 0;
}

static int resolve(const struct core_relo *r, void *ctx)
{
	struct core_access a;
	long long value;

	(void)ctx;
	if (core_access_parse(local, r, &a) == 0) {
		core_local_value(local, r, &a, &value);
		core_target_value(local, local, r, &a, &value);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	btf_ext_for_each_core_relo(data, size, local, resolve, NULL);
	return 0;
}
