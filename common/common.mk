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
CFLAGS   += -Wall -Wextra -Werror -I$(COMMON) -I$(BUILD) $(LIBBPF_CFLAGS) $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD)

# Every lab's C sources are found by name, wherever the lab keeps them.
vpath %.c $(wildcard 0*-*) $(COMMON)

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

# The running kernel's types as a C header, remade when that kernel's BTF changes.
$(BUILD)/vmlinux.h: $(BUILD)/kernel-btf.id
	$(BPFTOOL) btf dump file $(BTF_PATH) format c > $@.tmp
	mv $@.tmp $@

# Kernel side: one object per program, from vmlinux.h alone. It is rebuilt when
# the kernel changes, not when lab 02 writes the same vmlinux.h again.
$(BUILD)/%.bpf.o: %.bpf.c $(BUILD)/kernel-btf.id | $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The object embedded in a C header, so the loader is a single binary.
$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp
	mv $@.tmp $@

# User side: one binary per tool.
$(BUILD)/%.o: %.c | $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%: $(BUILD)/%.o $(BUILD)/cli.o
	$(CC) $(LDFLAGS) $^ $(LIBBPF_LIBS) -lelf -lz -o $@

# The same tool with libbpf, libelf and zlib linked in: one file that runs on
# a machine (or in a VM) with no libraries installed.
# Never sanitized: the sanitizers' runtimes do not link statically.
$(BUILD)/%.static: %.c | $(BUILD)
	$(CC) $(filter-out $(SANFLAGS),$(CFLAGS)) -static $(filter %.c,$^) $(LIBBPF_STATIC) -o $@

# libFuzzer targets for the two parsers that read untrusted files (make fuzz).
FUZZERS := $(BUILD)/fuzz/fuzz_btf_ext $(BUILD)/fuzz/fuzz_btf_walk
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -I$(COMMON) -I03-core-read $(LIBBPF_CFLAGS)

$(BUILD)/fuzz/fuzz_btf_ext: tests/fuzz/fuzz_btf_ext.c $(COMMON)/btf_file.c 03-core-read/btf_ext.c 03-core-read/core_resolve.c
$(BUILD)/fuzz/fuzz_btf_walk: tests/fuzz/fuzz_btf_walk.c $(COMMON)/btf_file.c
$(FUZZERS): | $(BUILD)
	mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $^ $(LIBBPF_LIBS) -lelf -lz -o $@

.SECONDARY:
