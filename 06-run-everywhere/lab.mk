# Lab 06's builds, made by common.mk's rules: the program without CO-RE, and
# both loaders linked statically, so that a VM with nothing but busybox can run them.
LAB06 := $(BUILD)/06

# The fixed-offset program, named ppid too so that the very same ppid.c loads
# it, with the build machine's offsets read from its BTF by lab 01's tool.
offset_of = $$($(BUILD)/btf_inspect --btf $(BTF_PATH) task_struct $(1) | sed 's/.*offset=\([0-9]*\).*/\1/')
$(LAB06)/fixed/ppid.bpf.o: 06-run-everywhere/ppid_fixed.bpf.c $(BUILD)/btf_inspect
$(LAB06)/fixed/ppid.bpf.o: private BPF_CFLAGS += -DREAL_PARENT_OFFSET=$(call offset_of,real_parent) -DTGID_OFFSET=$(call offset_of,tgid)
$(LAB06)/ppid_fixed.static: 04-load-and-trace/ppid.c $(COMMON)/cli.c $(LAB06)/fixed/ppid.skel.h

LAB06_DEPS := $(BUILD)/ppid.static $(LAB06)/ppid_fixed.static $(LAB06)/fixed/ppid.bpf.o $(BUILD)/ppid.bpf.o $(BUILD)/btf_inspect $(BUILD)/core_relocs

# arm64: the same two loaders, cross-compiled against arm64's libbpf, libelf
# and zlib, unpacked from the Debian packages run.sh keeps in the cache. The
# BPF objects inside them are the very ones built above, never rebuilt.
LAB06_CACHE   := $(or $(CACHE_DIR),build/cache)
ARM64_SYSROOT := $(LAB06)/arm64/sysroot
$(LAB06)/arm64/ppid.static:       04-load-and-trace/ppid.c $(COMMON)/cli.c $(BUILD)/ppid.skel.h $(ARM64_SYSROOT)/.unpacked
$(LAB06)/arm64/ppid_fixed.static: 04-load-and-trace/ppid.c $(COMMON)/cli.c $(LAB06)/fixed/ppid.skel.h $(ARM64_SYSROOT)/.unpacked
# Debian 13's libelf uses zstd, and its libelf.a lacks two of its own
# functions (common/libelf_static_fix.c), as on the host.
$(LAB06)/arm64/%.static: private STATIC_CC = aarch64-linux-gnu-gcc
$(LAB06)/arm64/%.static: private STATIC_CFLAGS = -O2 -g -Wall -Wextra -Werror -I$(COMMON) -isystem $(ARM64_SYSROOT)/usr/include
$(LAB06)/arm64/%.static: private STATIC_LIBS = $$(nm $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/libelf.a 2>/dev/null | \
	awk '$$NF == "eu_search_tree_init" { kind[$$(NF-1)] = 1 } END { if (kind["U"] && !kind["T"]) print "$(COMMON)/libelf_static_fix.c" }') \
	-L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu -lbpf -lelf -lz -lzstd

$(ARM64_SYSROOT)/.unpacked: $(wildcard $(LAB06_CACHE)/arm64/*.deb)
	@[ -n "$^" ] || { echo "error: no arm64 packages in $(LAB06_CACHE)/arm64: run 'make lab-06' or 'make prefetch'" >&2; exit 1; }
	rm -rf $(@D) && mkdir -p $(@D)
	for deb in $^; do dpkg-deb -x $$deb $(@D); done
	touch $@

# Everything labs 06 and 07 download at run time, once, into one directory a
# room can share: with it, the labs need no network.
.PHONY: prefetch
prefetch:
	FETCH_ONLY=1 CACHE_DIR=$(LAB06_CACHE) 06-run-everywhere/run.sh
	@for lab in 07-*/run.sh; do [ ! -x "$$lab" ] || (set -x; FETCH_ONLY=1 CACHE_DIR=$(LAB06_CACHE) "$$lab") || exit 1; done
	@echo
	@echo "The cache is $(LAB06_CACHE)/ ($$(du -sh $(LAB06_CACHE) | cut -f1)). For the other machines of a room, either copy it"
	@echo "into each clone before the day:      rsync -a $(LAB06_CACHE)/ HOST:PATH-OF-THEIR-CLONE/build/cache/"
	@echo "or share one copy (NFS, USB stick):  sudo make lab-06 CACHE_DIR=/mnt/btf-labs-cache"
	@echo "With a complete cache the labs ask apt nothing and download nothing."
