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
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btf_ext.h"
#include "btf_file.h"
#include "cli.h"
#include "core_resolve.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

static const char tool[] = "core_relocs";

static const struct cli_option options[] = {
	{ 'b', "btf", "PATH", "the target: raw BTF or an ELF with .BTF\n"
		"(default $BTF_PATH, or " DEFAULT_BTF_PATH ")" },
	{},
};

static const struct cli cli = { tool, "OBJ",
	"list the CO-RE relocations in BPF object OBJ and resolve each against PATH", options, 1 };

struct object {
	Elf *elf;
	int fd;
	struct btf *btf;	/* the object's own .BTF: the "local" types */
	struct btf *target;	/* the kernel's: the "target" types */
	size_t symtab;		/* section index of .symtab */
};

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
	struct core_access a;
	const char *name;
	__u32 insn;

	if (core_access_parse(o->btf, r, &a) || core_local_value(o->btf, r, &a, &local)) {
		fprintf(stderr, "%s: relocation at %s+%u: bad access string '%s'\n",
			tool, r->sec_name, r->insn_off, r->access);
		return -EINVAL;
	}
	name = prog_of(o, r, &insn);
	printf("%s insn=%u kind=%s field=%s access=%s local=%lld ", name, insn,
	       core_relo_kind_str(r->kind), a.path, r->access, local);
	if (core_target_value(o->btf, o->target, r, &a, &target))
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
		fprintf(stderr, "%s: %s: elf_getshdrstrndx: %s\n", tool, obj, elf_errmsg(-1));
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

	if (require_regular_file(tool, obj))
		return 1;
	o->fd = open(obj, O_RDONLY | O_CLOEXEC);
	if (o->fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", tool, obj, strerror(errno));
		return 1;
	}
	elf_version(EV_CURRENT);
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF || !gelf_getehdr(o->elf, &ehdr)) {
		fprintf(stderr, "%s: %s: not an ELF file; give a BPF object built with clang -target bpf\n",
			tool, obj);
		return 1;
	}
	if (ehdr.e_machine != EM_BPF) {
		fprintf(stderr, "%s: %s: an ELF file, but not a BPF object (machine %u, BPF is %u)\n",
			tool, obj, ehdr.e_machine, EM_BPF);
		return 1;
	}
	o->btf = btf__parse(obj, NULL);
	if (!o->btf) {
		fprintf(stderr, "%s: %s: no readable .BTF section: the object is damaged, or was built without clang -g\n", tool, obj);
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
		fprintf(stderr, "%s: %s: malformed .BTF.ext section\n", tool, obj);
		return 1;
	}
	if (n == 0)
		printf("%s: no CO-RE relocation records\n", obj);
	return n < 0;
}

int main(int argc, char **argv)
{
	struct object o = { .fd = -1 };
	const char *target = kernel_btf_path(), *value;
	int err;

	while (cli_next(&cli, argc, argv, &value) == 'b')
		target = value;
	if (optind == argc)
		return usage_error(tool, "give a BPF object", NULL);

	libbpf_quiet();
	err = open_object(&o, argv[optind]);
	if (!err) {
		o.target = btf_file_load(tool, target);
		err = o.target ? list_relocs(&o, argv[optind]) : 1;
	}
	close_object(&o);
	return err;
}
