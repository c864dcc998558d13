// SPDX-License-Identifier: MIT
/*
 * Exercise 01: every member of a struct, as the C compiler sees it, from the
 * kernel's BTF, one line each:
 *
 *   NAME offset=BYTE size=BYTES                       a member
 *   NAME offset=BYTE size=BYTES bit_offset=BITS bits=N  a bitfield
 *
 * Members of an anonymous struct or union are members of the struct around
 * it (task->pid, even when pid sits in an unnamed union), so they are
 * printed in its place, with offsets counted from the outer struct's start.
 *
 *   members [--btf PATH] STRUCT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static const char *prog = "members";

/* Print the members of struct or union TYPE_ID, which starts at bit BASE. */
static void print_members(const struct btf *btf, __u32 type_id, unsigned long long base)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);

	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		unsigned long long bits = base + btf_member_bit_offset(t, i);
		__u32 bitfield = btf_member_bitfield_size(t, i);

		printf("%s offset=%llu size=%lld", *name ? name : "(anon)", bits / 8,
		       (long long)btf__resolve_size(btf, m->type));
		if (bitfield)
			printf(" bit_offset=%llu bits=%u", bits, bitfield);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct btf *btf;
	__s32 id;

	if (argc == 4 && strcmp(argv[1], "--btf") == 0) {
		path = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--btf PATH] STRUCT\n", prog);
		return 2;
	}
	btf = btf__parse(path, NULL);
	if (!btf) {
		fprintf(stderr, "%s: btf__parse %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	id = btf__find_by_name_kind(btf, argv[1], BTF_KIND_STRUCT);
	if (id < 0) {
		fprintf(stderr, "%s: struct '%s' not found in %s\n", prog, argv[1], path);
		btf__free(btf);
		return 1;
	}
	print_members(btf, id, 0);
	btf__free(btf);
	return 0;
}
