# btf-core-labs: BTF and CO-RE for eBPF, one lab at a time.
#   sudo make labs   install what is missing, then run every lab in order
#   sudo make test   install what is missing, then run every test
.DEFAULT_GOAL := help
include common/common.mk
include 06-run-everywhere/lab.mk

TOOLS  := btf_inspect gen_vmlinux_h core_relocs ppid progcount
# check-01 ... one per tests/NN-*.bats file; check-bench, check-robustness for the others
CHECKS := $(foreach f,$(wildcard tests/*.bats),check-$(firstword $(subst -, ,$(basename $(notdir $(f))))))

.PHONY: help all setup doctor labs test bench fuzz mutants clean $(CHECKS) lab-01 lab-02 lab-03 lab-04 lab-05 lab-06

help:
	@echo "btf-core-labs: BTF and CO-RE for eBPF, one lab at a time"
	@echo
	@echo "  make lab-01   btf-inspect: the kernel's own type information, and task_struct offsets"
	@echo "  make lab-02   vmlinux-h: turn that BTF into a C header, with bpftool and with libbpf"
	@echo "  make lab-03   core-read: BPF_CORE_READ, and the relocations clang leaves in the object"
	@echo "  make lab-04   load-and-trace: load, attach, and check the ppid it prints"
	@echo "  make lab-05   cleanup: unpin, and count the kernel's programs back to the start"
	@echo "  make lab-06   run-everywhere (bonus): the same object on other kernels, in QEMU"
	@echo
	@echo "  make labs     setup, then labs 01 to 05 in order (the whole walkthrough)"
	@echo "  make test     setup, then every test; make check-NN runs one lab's tests"
	@echo "               (check-bench, check-robustness: the benchmark's and bad input's tests)"
	@echo "  make setup    install what is missing; mount bpffs and tracefs"
	@echo "  make doctor   check this machine, one line per requirement"
	@echo "  make bench    time and size the CO-RE tracer next to bpftool, bpftrace, BCC (QUICK=1)"
	@echo "  make fuzz     fuzz the BTF and .BTF.ext parsers (FUZZ_SECONDS=60 each)"
	@echo "  make mutants  break the code on purpose, bug by bug: each must fail a test"
	@echo "  make clean    remove build output (never pins: that is lab 05's job)"

all: $(addprefix $(BUILD)/,$(TOOLS)) $(BUILD)/vmlinux.h $(LAB06_DEPS)

setup:
	@common/setup.sh

doctor:
	@common/doctor.sh

# Tools that share the BTF loading code.
$(BUILD)/btf_inspect $(BUILD)/gen_vmlinux_h $(BUILD)/core_relocs: $(BUILD)/btf_file.o
$(BUILD)/core_relocs: $(BUILD)/btf_ext.o $(BUILD)/core_resolve.o
# The loader embeds the lab-03 object through its skeleton.
$(BUILD)/ppid.o $(BUILD)/ppid.static: $(BUILD)/ppid.skel.h
$(BUILD)/ppid.static: $(COMMON)/cli.c

lab-01: $(BUILD)/btf_inspect
	01-btf-inspect/inspect.sh
lab-02: $(BUILD)/gen_vmlinux_h
	02-vmlinux-h/gen.sh
lab-03: $(BUILD)/ppid.bpf.o $(BUILD)/core_relocs $(BUILD)/ppid
	03-core-read/build.sh
lab-04: $(BUILD)/ppid $(BUILD)/progcount
	04-load-and-trace/load.sh
	04-load-and-trace/trace.sh
lab-05: $(BUILD)/progcount
	05-cleanup/cleanup.sh
lab-06: $(LAB06_DEPS)
	06-run-everywhere/run.sh

labs: setup
	@for n in 01 02 03 04 05; do $(MAKE) --no-print-directory lab-$$n || exit 1; done

test: setup
	@$(MAKE) --no-print-directory all $(FUZZERS)
ifeq ($(SANITIZE),1)
	@# valgrind runs the plain build; sanitized binaries cannot run under it.
	@$(MAKE) --no-print-directory all SANITIZE=
endif
	@common/run-tests.sh tests/*.bats
ifneq ($(SANITIZE),1)
ifeq ($(CI),true)
	@echo "CI: every test again with the tools built with ASan and UBSan, then each fuzzer for 30 s"
	@$(MAKE) --no-print-directory test SANITIZE=1
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30
	@$(MAKE) --no-print-directory mutants
else
	@echo "Bad input once more, with the tools built with ASan and UBSan:"
	@$(MAKE) --no-print-directory check-robustness SANITIZE=1
endif
endif

$(CHECKS): check-%: all $(FUZZERS)
	@common/run-tests.sh $(wildcard tests/$*.bats tests/$*-*.bats)

bench: setup $(BUILD)/ppid $(BUILD)/ppid.static $(BUILD)/ppid.bpf.o
	bench/bench.sh

fuzz: $(FUZZERS) $(BUILD)/ppid.bpf.o
	tests/fuzz/run.sh

# Needs root, like the tests it runs; builds in a scratch copy of its own.
mutants: all $(FUZZERS)
	tests/mutants/run.sh

clean:
	rm -rf $(BUILD)
