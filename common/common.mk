# Build rules shared by every lab. The top-level Makefile includes this file;
# everything built lands in $(BUILD), so `make clean` removes one directory.

# Paths are relative to the top of the checkout, where make runs.
MAKEFLAGS += --no-builtin-rules
COMMON   := common
CLANG    ?= clang
BPFTOOL  ?= bpftool
BTF_PATH ?= /sys/kernel/btf/vmlinux

# `make test SANITIZE=1` builds every tool with ASan+UBSan, in a build dir of
# its own so it never mixes with a normal build.
ifeq ($(SANITIZE),1)
OUR_BUILD := build-sanitize
CC       := clang
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# A sanitizer's report exits 86, never 1: a memory error must not pass for a
# tool's "bad input, exit 1". (ASan and UBSan share one runtime here, and the
# last of the two settings read wins: both say 86.)
export ASAN_OPTIONS  := exitcode=86
export UBSAN_OPTIONS := exitcode=86:print_stacktrace=1
else
OUR_BUILD := build
endif
# Build output goes where this project decides, or where make's command line
# says (make BUILD=dir): never where an environment variable called BUILD,
# a name any tool may set, happens to point.
ifneq ($(origin BUILD),command line)
BUILD := $(OUR_BUILD)
endif
ifneq ($(words $(BUILD)),1)
$(error BUILD='$(BUILD)': BUILD takes one directory, e.g. BUILD=build)
endif
export BUILD_DIR := $(abspath $(BUILD))

# BPF programs are built for the machine's arch, named the way libbpf's
# bpf_tracing.h expects (__TARGET_ARCH_x86, _arm64, ...).
ARCH := $(shell bash -c '. $(COMMON)/lib.sh && bpf_arch' 2>/dev/null)

LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS   := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)
# Static links need libbpf's own dependencies too: Debian 13's libelf uses zstd.
LIBBPF_STATIC := $(shell pkg-config --static --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
# ... and Debian 13's libelf.a lacks two of its own functions: see the file.
LIBBPF_STATIC += $(shell nm "$$($(CC) -print-file-name=libelf.a)" 2>/dev/null | \
	awk '$$NF == "eu_search_tree_init" { kind[$$(NF-1)] = 1 } END { if (kind["U"] && !kind["T"]) print "$(COMMON)/libelf_static_fix.c" }')
CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Werror -I$(COMMON) $(LIBBPF_CFLAGS) $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
# Recursive (=), so that a lab may add its defines for one object (lab.mk).
BPF_CFLAGS = -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD)

# A failed or interrupted recipe leaves no half-written file behind.
.DELETE_ON_ERROR:
# Objects and skeletons made on the way to a loader are kept, not deleted as intermediates.
.SECONDARY:

# The mark that lets `make clean` tell a directory this make created.
$(BUILD):
	mkdir -p $@
	touch $@/.btf-core-labs-build

# Which kernel BTF this build describes, as its size and hash. The recipe runs
# every time but rewrites the file only when they change: after a kernel
# upgrade, or a reboot into another kernel.
$(BUILD)/kernel-btf.id: FORCE | $(BUILD)
	@id="$$(stat -L -c %s $(BTF_PATH)) $$(sha256sum < $(BTF_PATH))"; \
	[ "$$id" = "$$(cat $@ 2>/dev/null)" ] || echo "$$id" > $@
.PHONY: FORCE

# What each tool and lab 03's program are built from: the lab's sources, then
# the shared ones. Labs 06 and 07 list theirs in their lab.mk; the rules below
# make them all.
TOOLS := btf_inspect gen_vmlinux_h core_relocs ppid progcount
$(BUILD)/btf_inspect:   01-btf-inspect/btf_inspect.c $(COMMON)/btf_file.c $(COMMON)/cli.c
$(BUILD)/gen_vmlinux_h: 02-vmlinux-h/gen_vmlinux_h.c $(COMMON)/btf_file.c $(COMMON)/cli.c
$(BUILD)/ppid.bpf.o:    03-core-read/ppid.bpf.c
$(BUILD)/core_relocs:   03-core-read/core_relocs.c 03-core-read/btf_ext.c 03-core-read/core_resolve.c \
                        03-core-read/btf_ext.h 03-core-read/core_resolve.h $(COMMON)/btf_file.c $(COMMON)/cli.c
$(BUILD)/ppid $(BUILD)/ppid.static: 04-load-and-trace/ppid.c $(BUILD)/ppid.skel.h $(COMMON)/cli.c
$(BUILD)/progcount:     05-cleanup/progcount.c $(COMMON)/cli.c

# One rule per kind of artifact.

# The running kernel's types as a C header, remade when that kernel's BTF changes.
$(BUILD)/vmlinux.h: $(BUILD)/kernel-btf.id
	$(BPFTOOL) btf dump file $(BTF_PATH) format c > $@

# A BPF program, from its .bpf.c and vmlinux.h alone. It is rebuilt when the
# kernel changes, not when lab 02 writes the same vmlinux.h again.
%.bpf.o: $(BUILD)/kernel-btf.id | $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $(filter %.bpf.c,$^) -o $@

# The object embedded in a C header, so that its loader is a single binary.
%.skel.h: %.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

# A loader's #include "NAME.skel.h" finds the skeleton among its prerequisites.
skeleton_dir = $(patsubst %/,-I%,$(dir $(filter %.skel.h,$^)))

# A tool, linked with this machine's libbpf.
$(addprefix $(BUILD)/,$(TOOLS)): $(wildcard $(COMMON)/*.h) | $(BUILD)
	$(CC) $(skeleton_dir) $(CFLAGS) $(LDFLAGS) $(filter %.c,$^) $(LIBBPF_LIBS) -lelf -lz -o $@

# The same with libbpf, libelf and zlib linked in: one file that runs on a
# machine (or in a VM) with no libraries installed. Never sanitized: the
# sanitizers' runtimes do not link statically. Lab 06 sets another compiler
# and libraries for arm64.
STATIC_CC     = $(CC)
STATIC_CFLAGS = $(filter-out $(SANFLAGS),$(CFLAGS))
STATIC_LIBS   = $(LIBBPF_STATIC)
%.static: $(wildcard $(COMMON)/*.h)
	@mkdir -p $(@D)
	$(STATIC_CC) $(skeleton_dir) $(STATIC_CFLAGS) -static $(filter %.c,$^) $(STATIC_LIBS) -o $@

# libFuzzer targets for the two parsers that read untrusted files (make fuzz).
FUZZERS := $(BUILD)/fuzz/fuzz_btf_ext $(BUILD)/fuzz/fuzz_btf_walk
.PHONY: fuzzers
fuzzers: $(FUZZERS)
	@:
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -I$(COMMON) -I03-core-read $(LIBBPF_CFLAGS)
$(BUILD)/fuzz/fuzz_btf_ext: tests/fuzz/fuzz_btf_ext.c $(COMMON)/btf_file.c 03-core-read/btf_ext.c 03-core-read/core_resolve.c
$(BUILD)/fuzz/fuzz_btf_walk: tests/fuzz/fuzz_btf_walk.c $(COMMON)/btf_file.c
$(FUZZERS): | $(BUILD)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(filter %.c,$^) $(LIBBPF_LIBS) -lelf -lz -o $@
