/* SPDX-License-Identifier: MIT */
#ifndef CORE_RESOLVE_H
#define CORE_RESOLVE_H

#include <bpf/btf.h>
#include "btf_ext.h"

#define CORE_MAX_STEPS 64

/* One step of an access string, kept by name so it can be replayed on another BTF. */
struct step {
	const char *name;	/* member name; NULL for an array index or an anonymous member */
	__u32 index;
};

struct core_access {
	__u32 root_id;
	int nsteps;
	struct step steps[CORE_MAX_STEPS];
	char path[256];		/* task_struct.real_parent */
};

/*
 * Parse R's access string ("0:95:3") against LOCAL, the object's own BTF,
 * recording each step by name so it can be replayed on another BTF.
 */
int core_access_parse(const struct btf *local, const struct core_relo *r, struct core_access *a);

/* The value clang wrote into the instruction: R resolved on the object's BTF. */
int core_local_value(const struct btf *local, const struct core_relo *r,
		     const struct core_access *a, long long *value);

/*
 * The value libbpf would write: R resolved on TARGET, trying each type with
 * the same name (ignoring ___flavor suffixes). -ENOENT when none has the field.
 */
int core_target_value(const struct btf *local, const struct btf *target,
		      const struct core_relo *r, const struct core_access *a, long long *value);

#endif
