# Lab 06's builds: the program without CO-RE, and both loaders linked
# statically so that a VM with nothing but busybox can run them.
LAB06 := $(BUILD)/06

# The build machine's offsets, read from its BTF by lab 01's tool.
offset_of = $$($(BUILD)/btf_inspect --btf $(BTF_PATH) task_struct $(1) | sed 's/.*offset=\([0-9]*\).*/\1/')

$(LAB06)/ppid_fixed.bpf.o: 06-run-everywhere/ppid_fixed.bpf.c $(BUILD)/vmlinux.h $(BUILD)/btf_inspect
	mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DREAL_PARENT_OFFSET=$(call offset_of,real_parent) \
		-DTGID_OFFSET=$(call offset_of,tgid) -c $< -o $@

# Named "ppid" too, so that the very same ppid.c loads it.
$(LAB06)/fixed/ppid.skel.h: $(LAB06)/ppid_fixed.bpf.o
	mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name ppid > $@.tmp
	mv $@.tmp $@

$(LAB06)/ppid_fixed.static: 04-load-and-trace/ppid.c $(COMMON)/cli.c $(LAB06)/fixed/ppid.skel.h
	$(CC) -I$(LAB06)/fixed $(filter-out $(SANFLAGS),$(CFLAGS)) -static $(filter %.c,$^) $(LIBBPF_STATIC) -o $@

LAB06_DEPS := $(BUILD)/ppid.static $(LAB06)/ppid_fixed.static $(BUILD)/ppid.bpf.o $(BUILD)/btf_inspect $(BUILD)/core_relocs
