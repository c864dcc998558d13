# Lab 07's builds, made by common.mk's rules: one program in two builds,
# guarded and unguarded (reading __state only), each embedded in the same
# loader, linked statically so the VMs can run it.
LAB07 := $(BUILD)/07

$(LAB07)/guarded/taskstate.bpf.o $(LAB07)/unguarded/taskstate.bpf.o: 07-renamed-fields/taskstate.bpf.c 07-renamed-fields/taskstate.h
$(LAB07)/unguarded/taskstate.bpf.o: private BPF_CFLAGS += -DUNGUARDED
$(LAB07)/guarded/taskstate.static:   07-renamed-fields/taskstate.c 07-renamed-fields/taskstate.h $(COMMON)/cli.c $(LAB07)/guarded/taskstate.skel.h
$(LAB07)/unguarded/taskstate.static: 07-renamed-fields/taskstate.c 07-renamed-fields/taskstate.h $(COMMON)/cli.c $(LAB07)/unguarded/taskstate.skel.h

LAB07_DEPS := $(LAB07)/guarded/taskstate.static $(LAB07)/unguarded/taskstate.static $(BUILD)/btf_inspect $(BUILD)/core_relocs

# make bench times this loader from the kernel's BTF and from a BTFGen file.
bench: $(LAB07)/guarded/taskstate.static
