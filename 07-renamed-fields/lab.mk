# Lab 07's builds: one program in two builds, guarded and unguarded (reading
# __state only), each embedded in the same loader, linked statically so the
# VMs can run it. build/07/guarded/... and build/07/unguarded/...
LAB07 := $(BUILD)/07

$(LAB07)/%/taskstate.bpf.o: 07-renamed-fields/taskstate.bpf.c 07-renamed-fields/taskstate.h $(BUILD)/vmlinux.h
	mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(if $(filter unguarded,$*),-DUNGUARDED) -c $< -o $@

$(LAB07)/%/taskstate.skel.h: $(LAB07)/%/taskstate.bpf.o
	$(BPFTOOL) gen skeleton $< name taskstate > $@.tmp
	mv $@.tmp $@

$(LAB07)/%/taskstate.static: 07-renamed-fields/taskstate.c $(COMMON)/cli.c $(LAB07)/%/taskstate.skel.h
	$(CC) -I$(LAB07)/$* -I07-renamed-fields $(filter-out $(SANFLAGS),$(CFLAGS)) -static $(filter %.c,$^) $(LIBBPF_STATIC) -o $@

LAB07_DEPS := $(LAB07)/guarded/taskstate.static $(LAB07)/unguarded/taskstate.static $(BUILD)/btf_inspect $(BUILD)/core_relocs

# make bench times this loader from the kernel's BTF and from a BTFGen file.
bench: $(LAB07)/guarded/taskstate.static
