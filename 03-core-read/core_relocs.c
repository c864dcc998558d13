// SPDX-License-Identifier: MIT
/*
 * core_relocs: the CO-RE relocation records clang left in a BPF object, and
 * what each one resolves to against a target kernel's BTF — the work libbpf
 * does at load time, done by hand so it can be read.
 *
 *   core_relocs OBJ [--btf PATH]   (default target: the running kernel)
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btf_ext.h"
#include "btf_file.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

enum { BYTE_OFF, BYTE_SZ, FIELD_EXISTS, SIGNED, LSHIFT_U64, RSHIFT_U64,
       LOCAL_TYPE_ID, TARGET_TYPE_ID, TYPE_EXISTS, TYPE_SIZE,
       ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES };

static const char *prog = "core_relocs";

#define MAX_STEPS 64

/* One step of an access string, kept by name so it can be replayed on another BTF. */
struct step {
	const char *name;	/* member name; NULL for an array index or an anonymous member */
	__u32 index;
};

struct access {
	__u32 root_id;
	int nsteps;
	struct step steps[MAX_STEPS];
	char path[256];		/* task_struct.real_parent */
};

struct object {
	Elf *elf;
	int fd;
	struct btf *btf;	/* the object's own .BTF: the "local" types */
	struct btf *target;	/* the kernel's: the "target" types */
	size_t symtab;		/* section index of .symtab */
};

/* A field's place as libbpf sees it: bits from the root, width, the int type. */
struct field {
	unsigned long long bit_off;
	unsigned int bit_sz;	/* 0: not a bitfield */
	__u32 type_id;
};

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	__s32 rid = btf__resolve_type(btf, id);

	if (rid < 0)
		return NULL;
	if (res_id)
		*res_id = rid;
	return btf__type_by_id(btf, rid);
}

/* "task_struct___old" and "task_struct" are the same type to CO-RE. */
static size_t essential_len(const char *name)
{
	const char *flavor = strstr(name, "___");

	return flavor ? (size_t)(flavor - name) : strlen(name);
}

static void append(char *buf, size_t size, const char *fmt, const char *s, __u32 n)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, fmt, s, n);
}

/* Parse "0:95:3" against the local BTF, recording each step by name. */
static int parse_access(const struct btf *btf, const struct core_relo *r, struct access *a)
{
	const char *s = r->access;
	const struct btf_type *t;
	__u32 id = r->type_id;
	char *end;

	memset(a, 0, sizeof(*a));
	t = skip_mods(btf, id, &a->root_id);
	if (!t)
		return -EINVAL;
	append(a->path, sizeof(a->path), "%s", btf__name_by_offset(btf, t->name_off), 0);
	if (r->kind >= LOCAL_TYPE_ID && r->kind != ENUMVAL_EXISTS && r->kind != ENUMVAL_VALUE)
		return 0;
	for (; *s && a->nsteps < MAX_STEPS; s = *end ? end + 1 : end) {
		unsigned long idx = strtoul(s, &end, 10);
		struct step *st = &a->steps[a->nsteps++];

		if (end == s || (*end && *end != ':'))
			return -EINVAL;
		st->index = idx;
		if (a->nsteps == 1 && r->kind != ENUMVAL_EXISTS && r->kind != ENUMVAL_VALUE)
			continue;	/* the first index steps through the pointer */
		t = skip_mods(btf, id, &id);
		if (!t)
			return -EINVAL;
		if (btf_is_composite(t) && idx < btf_vlen(t)) {
			const struct btf_member *m = btf_members(t) + idx;

			st->name = btf__name_by_offset(btf, m->name_off);
			if (st->name && !*st->name)
				st->name = NULL;
			if (st->name)
				append(a->path, sizeof(a->path), ".%s", st->name, 0);
			id = m->type;
		} else if ((btf_is_enum(t) || btf_is_enum64(t)) && idx < btf_vlen(t)) {
			st->name = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[idx].name_off
							   : btf_enum64(t)[idx].name_off);
			append(a->path, sizeof(a->path), "::%s", st->name, 0);
		} else if (btf_is_array(t)) {
			append(a->path, sizeof(a->path), "%s[%u]", "", idx);
			id = btf_array(t)->type;
		} else {
			return -EINVAL;
		}
	}
	return *s ? -EINVAL : 0;
}

/* Replay the access by name on BTF starting from ROOT_ID: the field it reaches. */
static int walk_field(const struct btf *btf, __u32 root_id, const struct access *a,
		      bool by_index, struct field *f)
{
	__u32 id = root_id;
	int i;

	memset(f, 0, sizeof(*f));
	f->bit_off = a->steps[0].index * 8ULL * btf__resolve_size(btf, root_id);
	for (i = 1; i < a->nsteps; i++) {
		const struct step *st = &a->steps[i];
		const struct btf_type *t = skip_mods(btf, id, &id);

		if (!t)
			return -ENOENT;
		if (btf_is_array(t)) {
			id = btf_array(t)->type;
			f->bit_off += st->index * 8ULL * btf__resolve_size(btf, id);
		} else if (by_index && btf_is_composite(t)) {
			f->bit_off += btf_member_bit_offset(t, st->index);
			f->bit_sz = btf_member_bitfield_size(t, st->index);
			id = btf_members(t)[st->index].type;
		} else if (st->name && btf_is_composite(t)) {
			struct btf_field_pos pos = {};

			if (btf_find_member(btf, id, st->name, &pos))
				return -ENOENT;
			f->bit_off += pos.bit_offset;
			f->bit_sz = pos.bitfield_bits;
			id = pos.type_id;
		} else if (!st->name && btf_is_composite(t)) {
			continue;	/* anonymous member: found through its named child */
		} else {
			return -ENOENT;
		}
	}
	f->type_id = id;
	return 0;
}

/*
 * The number libbpf writes into the instruction, for the field kinds. For a
 * bitfield the load is widened until it covers every bit, as libbpf does.
 */
static int field_value(const struct btf *btf, __u32 kind, const struct field *f, long long *value)
{
	__u32 id = f->type_id;
	const struct btf_type *t = skip_mods(btf, f->type_id, &id);
	__s64 size = btf__resolve_size(btf, id);
	unsigned long long byte_sz, byte_off;
	unsigned int bit_sz;

	if (!t || size <= 0)
		return -EINVAL;
	byte_sz = size;
	bit_sz = f->bit_sz ? f->bit_sz : byte_sz * 8;
	byte_off = f->bit_off / 8 / byte_sz * byte_sz;
	while (f->bit_sz && f->bit_off + bit_sz - byte_off * 8 > byte_sz * 8 && byte_sz < 8) {
		byte_sz *= 2;
		byte_off = f->bit_off / 8 / byte_sz * byte_sz;
	}
	switch (kind) {
	case BYTE_OFF:
		*value = f->bit_sz ? byte_off : f->bit_off / 8;
		break;
	case BYTE_SZ:
		*value = byte_sz;
		break;
	case FIELD_EXISTS:
		*value = 1;
		break;
	case SIGNED:
		*value = (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED)) ||
			 (btf_is_any_enum(t) && btf_kflag(t));
		break;
	case LSHIFT_U64:
		*value = 64 - (long long)(f->bit_off + bit_sz - byte_off * 8);
		break;
	default: /* RSHIFT_U64 */
		*value = 64 - bit_sz;
	}
	return 0;
}

static bool same_kind(const struct btf_type *a, const struct btf_type *b)
{
	if (btf_is_any_enum(a))
		return btf_is_any_enum(b);
	return btf_kind(a) == btf_kind(b);
}

static long long enum_value(const struct btf *btf, __u32 id, const char *name, bool *found)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int i;

	for (i = 0; i < btf_vlen(t); i++) {
		bool is32 = btf_is_enum(t);
		const char *n = btf__name_by_offset(btf, is32 ? btf_enum(t)[i].name_off
							: btf_enum64(t)[i].name_off);

		if (n && strcmp(n, name) == 0) {
			*found = true;
			return is32 ? btf_enum(t)[i].val : (long long)btf_enum64_value(btf_enum64(t) + i);
		}
	}
	*found = false;
	return 0;
}

/*
 * The value for relocation R on BTF, whose root type is ROOT_ID. LOCAL says
 * whether BTF is the object's own (where the access string's indices hold).
 */
static int relo_value(const struct btf *btf, __u32 root_id, const struct core_relo *r,
		      const struct access *a, bool local, long long *value)
{
	struct field f;
	bool found;

	switch (r->kind) {
	case LOCAL_TYPE_ID:
	case TARGET_TYPE_ID:
		*value = root_id;
		return 0;
	case TYPE_EXISTS:
	case TYPE_MATCHES:
		*value = 1;
		return 0;
	case TYPE_SIZE:
		*value = btf__resolve_size(btf, root_id);
		return 0;
	case ENUMVAL_EXISTS:
	case ENUMVAL_VALUE:
		*value = enum_value(btf, root_id, a->steps[0].name, &found);
		if (r->kind == ENUMVAL_EXISTS)
			*value = 1;
		return found ? 0 : -ENOENT;
	}
	if (walk_field(btf, root_id, a, local, &f))
		return -ENOENT;
	return field_value(btf, r->kind, &f, value);
}

/* Try each target type with the same essential name, as libbpf does. */
static int target_value(const struct object *o, const struct core_relo *r,
			const struct access *a, long long *value)
{
	const struct btf_type *local = btf__type_by_id(o->btf, a->root_id);
	const char *lname = btf__name_by_offset(o->btf, local->name_off);
	size_t len = essential_len(lname);
	__u32 id, n = btf__type_cnt(o->target);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(o->target, id);
		const char *tname = btf__name_by_offset(o->target, t->name_off);

		if (!same_kind(local, t) || !tname || essential_len(tname) != len ||
		    strncmp(tname, lname, len) != 0)
			continue;
		if (relo_value(o->target, id, r, a, false, value) == 0)
			return 0;
	}
	return -ENOENT;
}

/* The program whose code holds the instruction: the FUNC symbol around it. */
static const char *prog_of(const struct object *o, const struct core_relo *r, __u32 *insn)
{
	Elf_Scn *scn = elf_getscn(o->elf, o->symtab);
	size_t shstrndx, i, sec_idx = 0;
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	GElf_Shdr shdr;
	GElf_Sym sym;

	*insn = r->insn_off / 8;
	if (!data || !gelf_getshdr(scn, &shdr) || elf_getshdrstrndx(o->elf, &shstrndx))
		return r->sec_name;
	for (scn = NULL; (scn = elf_nextscn(o->elf, scn));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(o->elf, shstrndx, sh.sh_name) : NULL;

		if (name && strcmp(name, r->sec_name) == 0)
			sec_idx = elf_ndxscn(scn);
	}
	for (i = 0; shdr.sh_entsize && i < shdr.sh_size / shdr.sh_entsize; i++) {
		if (!gelf_getsym(data, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx != sec_idx || r->insn_off < sym.st_value ||
		    r->insn_off >= sym.st_value + sym.st_size)
			continue;
		*insn = (r->insn_off - sym.st_value) / 8;
		return elf_strptr(o->elf, shdr.sh_link, sym.st_name);
	}
	return r->sec_name;
}

static int print_relo(const struct core_relo *r, void *ctx)
{
	const struct object *o = ctx;
	long long local, target;
	struct access a;
	const char *name;
	__u32 insn;

	if (parse_access(o->btf, r, &a) || relo_value(o->btf, a.root_id, r, &a, true, &local)) {
		fprintf(stderr, "%s: relocation at %s+%u: bad access string '%s'\n",
			prog, r->sec_name, r->insn_off, r->access);
		return -EINVAL;
	}
	name = prog_of(o, r, &insn);
	printf("%s insn=%u kind=%s field=%s access=%s local=%lld ", name, insn,
	       core_relo_kind_str(r->kind), a.path, r->access, local);
	if (target_value(o, r, &a, &target))
		printf("target=missing\n");
	else
		printf("target=%lld\n", target);
	return 0;
}

static Elf_Data *find_section(struct object *o, const char *obj, const char *want)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	/* Note .symtab on the way: prog_of() names programs from it. */
	if (elf_getshdrstrndx(o->elf, &shstrndx)) {
		fprintf(stderr, "%s: %s: elf_getshdrstrndx: %s\n", prog, obj, elf_errmsg(-1));
		return NULL;
	}
	Elf_Data *found = NULL;

	while ((scn = elf_nextscn(o->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			o->symtab = elf_ndxscn(scn);
		name = elf_strptr(o->elf, shstrndx, sh.sh_name);
		if (name && strcmp(name, want) == 0)
			found = elf_getdata(scn, NULL);
	}
	return found;
}

static int open_object(struct object *o, const char *obj)
{
	GElf_Ehdr ehdr;

	o->fd = open(obj, O_RDONLY | O_CLOEXEC);
	if (o->fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, obj, strerror(errno));
		return 1;
	}
	elf_version(EV_CURRENT);
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF || !gelf_getehdr(o->elf, &ehdr)) {
		fprintf(stderr, "%s: %s: not an ELF file; give a BPF object built with clang -target bpf\n",
			prog, obj);
		return 1;
	}
	if (ehdr.e_machine != EM_BPF) {
		fprintf(stderr, "%s: %s: an ELF file, but not a BPF object (machine %u, BPF is %u)\n",
			prog, obj, ehdr.e_machine, EM_BPF);
		return 1;
	}
	o->btf = btf__parse(obj, NULL);
	if (!o->btf) {
		fprintf(stderr, "%s: %s: no usable .BTF section: build the object with clang -g\n", prog, obj);
		return 1;
	}
	return 0;
}

static void close_object(struct object *o)
{
	btf__free(o->target);
	btf__free(o->btf);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd >= 0)
		close(o->fd);
}

static int list_relocs(struct object *o, const char *obj)
{
	Elf_Data *ext = find_section(o, obj, ".BTF.ext");
	int n;

	if (!ext) {
		printf("%s: no CO-RE relocation records (no .BTF.ext section)\n", obj);
		return 0;
	}
	n = btf_ext_for_each_core_relo(ext->d_buf, ext->d_size, o->btf, print_relo, o);
	if (n == -EINVAL) {
		fprintf(stderr, "%s: %s: malformed .BTF.ext section\n", prog, obj);
		return 1;
	}
	if (n == 0)
		printf("%s: no CO-RE relocation records\n", obj);
	return n < 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "btf", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct object o = { .fd = -1 };
	const char *target = DEFAULT_BTF_PATH;
	int opt, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			target = optarg;
			break;
		case 'h':
			printf("usage: %s OBJ [--btf PATH]\n"
			       "  list the CO-RE relocations in BPF object OBJ and resolve each against\n"
			       "  PATH: raw BTF or an ELF with .BTF (default %s)\n", prog, DEFAULT_BTF_PATH);
			return 0;
		default:
			usage_error(prog, opt, argv[optind - 1]);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: give exactly one BPF object; see '%s --help'\n", prog, prog);
		return 2;
	}

	libbpf_quiet();
	err = open_object(&o, argv[optind]);
	if (!err) {
		o.target = btf_file_load(prog, target);
		err = o.target ? list_relocs(&o, argv[optind]) : 1;
	}
	close_object(&o);
	return err;
}
