/* SPDX-License-Identifier: MIT */
#ifndef BTF_FILE_H
#define BTF_FILE_H

#include <bpf/btf.h>

#define DEFAULT_BTF_PATH "/sys/kernel/btf/vmlinux"

/*
 * Where the running kernel's BTF is: $BTF_PATH when set (the labs' scripts
 * and doctor honour it too, which is how a kernel without BTF is simulated),
 * else /sys/kernel/btf/vmlinux.
 */
const char *kernel_btf_path(void);

/*
 * Load BTF from a raw BTF file (like /sys/kernel/btf/vmlinux) or from an ELF
 * file with a .BTF section (a vmlinux, a BPF object). On failure print one
 * line to stderr that names the file and the problem, and return NULL.
 */
struct btf *btf_file_load(const char *tool, const char *path);

/* Refuse directories, devices and the like with one line naming PATH. */
int require_regular_file(const char *tool, const char *path);

/* Keep libbpf's own messages off stderr unless the user asked for them. */
void libbpf_quiet(void);

/* Where one field sits, in bits from the start of the outermost struct. */
struct btf_field_pos {
	unsigned long long bit_offset;
	unsigned int bitfield_bits;	/* 0 when not a bitfield */
	__u32 type_id;
};

/*
 * Find member NAME in the struct/union TYPE_ID, looking inside anonymous
 * struct/union members the way the C compiler does. Adds the member's
 * offset to POS and returns 0; -ENOENT when there is no such member, -ELOOP
 * when crafted BTF nests anonymous members past any sane depth or count.
 */
int btf_find_member(const struct btf *btf, __u32 type_id, const char *name,
		    struct btf_field_pos *pos);

#endif
