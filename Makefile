# btf-core-labs: BTF and CO-RE for eBPF, one lab at a time.
#   sudo make labs   install what is missing, then run every lab in order
#   sudo make test   install what is missing, then run every test
.DEFAULT_GOAL := help
include common/common.mk
include 06-run-everywhere/lab.mk
include 07-renamed-fields/lab.mk

# check-01 ... one per tests/NN-*.bats file; check-bench, check-robustness for the others
CHECKS := $(foreach f,$(wildcard tests/*.bats),check-$(firstword $(subst -, ,$(basename $(notdir $(f))))))

LAB_NUMBERS := $(sort $(foreach d,$(wildcard [0-9][0-9]-*/),$(firstword $(subst -, ,$(d)))))

.PHONY: help all settings setup unsetup doctor labs test check test-sanitized build-sanitized check-robustness-sanitized test-trixie clang-matrix bench fuzz mutants clean $(CHECKS) lab-01 lab-02 lab-03 lab-04 lab-05 lab-06 lab-07

help:
	@echo "btf-core-labs: BTF and CO-RE for eBPF, one lab at a time"
	@echo
	@echo "  make lab-01   btf-inspect: the kernel's own type information, and task_struct offsets"
	@echo "  make lab-02   vmlinux-h: turn that BTF into a C header, with bpftool and with libbpf"
	@echo "  make lab-03   core-read: BPF_CORE_READ, and the relocations clang leaves in the object"
	@echo "  make lab-04   load-and-trace: load, attach, and check the ppid it prints"
	@echo "  make lab-05   cleanup: unpin, and count the kernel's programs back to the start"
	@echo "  make lab-06   run-everywhere (bonus): the same object on other kernels, in QEMU"
	@echo "  make lab-07   renamed-fields (bonus): state became __state; guards, and BTFGen files"
	@echo
	@echo "  make exercise-01 ... exercise-07   your turn: your own code, judged (SOLUTION=1: the reference)"
	@echo "  make hint-01 ... hint-07   stuck on an exercise? its next hint, one at a time"
	@echo "  make progress which labs' checks passed here, which exercises you solved"
	@echo
	@echo "  make labs     setup, then labs 01 to 05 in order (the whole walkthrough)"
	@echo "  make test     setup, then every test; make check-NN runs one lab's tests"
	@echo "               (check-bench, check-robustness: the benchmark's and bad input's tests)"
	@echo "  make setup    install what labs 01-05 need; mount bpffs and tracefs"
	@echo "               (lab 06, bench and test install their own extras when first run)"
	@echo "  make unsetup  remove exactly what setup installed, and say what stays"
	@echo "  make doctor   check this machine, one line per requirement, then a verdict"
	@echo "  make bench    time and size the CO-RE tracer next to bpftool, bpftrace, BCC (QUICK=1)"
	@echo "  make test-trixie  make test in a Debian 13 root (clang 19, libbpf 1.5), built once"
	@echo "  make clang-matrix lab 03's object from every clang Debian packages, loaded here"
	@echo "  make fuzz     fuzz the BTF and .BTF.ext parsers (FUZZ_SECONDS=60 each)"
	@echo "  make mutants  break the code on purpose, bug by bug: each must fail a test"
	@echo "  make clean    remove build output, make progress's record and hints shown included"
	@echo "               (never pins: that is lab 05's job); a BUILD outside the checkout only"
	@echo "               with CLEAN_OUTSIDE_CHECKOUT=yes"

# The variables a learner sets, checked before any work starts: common/lib.sh
# says in one line which one is wrong, and what it takes.
LEARNER_VARS := PIN_DIR KERNELS KERNEL_PACKAGES RESULTS BTF_PATH LOADER RUNS BURST FUZZ_SECONDS SOLUTION PURGE QUICK
shell_word = '$(subst ','\'',$(1))'
settings_error = $(shell env $(foreach v,$(LEARNER_VARS),$(if $(filter command line,$(origin $v)),$v=$(call shell_word,$($v)))) \
	bash -c '. $(COMMON)/lib.sh' 2>&1 >/dev/null)
settings:
	$(if $(settings_error),$(error $(strip $(patsubst error:,,$(settings_error)))))
	@:

all: settings $(addprefix $(BUILD)/,$(TOOLS)) $(BUILD)/vmlinux.h $(LAB06_DEPS) $(LAB07_DEPS)

setup: settings
	@common/setup.sh

# What lab 06, bench, test... need on top of the labs: installed when first used.
SETUPS := setup-vm setup-bench setup-test setup-trixie setup-matrix
.PHONY: $(SETUPS)
$(SETUPS): setup-%: settings
	@common/setup.sh $*

unsetup:
	@common/setup.sh --undo

doctor: settings
	@common/doctor.sh

lab-01: settings $(BUILD)/btf_inspect
	01-btf-inspect/inspect.sh
lab-02: settings $(BUILD)/gen_vmlinux_h $(BUILD)/kernel-btf.id
	02-vmlinux-h/gen.sh
lab-03: settings $(BUILD)/vmlinux.h $(BUILD)/core_relocs
	03-core-read/build.sh
lab-04: settings $(BUILD)/ppid $(BUILD)/progcount $(BUILD)/core_relocs
	04-load-and-trace/lab.sh
lab-05: settings $(BUILD)/progcount
	05-cleanup/cleanup.sh
lab-06: settings setup-vm $(LAB06_DEPS)
	06-run-everywhere/run.sh
lab-07: settings setup-vm $(LAB07_DEPS)
	07-renamed-fields/run.sh

labs: setup
	@common/labs.sh

# make test: what is missing first, then (in a make that sees what setup
# installed) the build, every test, and the extras below.
test: setup-test
	@$(MAKE) --no-print-directory all fuzzers check $(TEST_EXTRAS)

# After the tests, bad input once more with the tools built with ASan and
# UBSan. CI instead reruns all the host tools' tests so built, fuzzes, breaks
# the code on purpose, then does it all again in a Debian 13 root; in there,
# the host did the sanitized tests and mutants: clang 19 only builds them.
TEST_EXTRAS := check-robustness-sanitized
ifeq ($(CI),true)
TEST_EXTRAS := test-sanitized fuzz mutants test-trixie FUZZ_SECONDS=30
endif
ifeq ($(IN_TRIXIE_ROOT),1)
TEST_EXTRAS := build-sanitized fuzz FUZZ_SECONDS=30
endif

TESTS ?= tests/*.bats
check: settings
	@common/run-tests.sh $(TESTS)

# Sanitized builds go to build-sanitize/; valgrind's tests use build/.
SANITIZED_TESTS := tests/0[1-5]-*.bats tests/robustness.bats tests/walkthrough.bats
test-sanitized:
	@echo "The tests of the host's C tools again, built with ASan and UBSan:"
	@$(MAKE) --no-print-directory SANITIZE=1 all fuzzers check TESTS="$(SANITIZED_TESTS)"
check-robustness-sanitized:
	@echo "Bad input once more, with the tools built with ASan and UBSan:"
	@$(MAKE) --no-print-directory SANITIZE=1 check-robustness
build-sanitized:
	@$(MAKE) --no-print-directory SANITIZE=1 all

$(CHECKS): check-%: settings
	@common/run-tests.sh $(wildcard tests/$*.bats tests/$*-*.bats)
# Each check builds what its lab and tests use, and nothing else.
check-01: $(BUILD)/btf_inspect
check-02: $(BUILD)/gen_vmlinux_h $(BUILD)/core_relocs
check-03: $(BUILD)/core_relocs $(BUILD)/ppid.bpf.o
check-04: $(BUILD)/ppid $(BUILD)/ppid.bpf.o $(BUILD)/progcount
check-05: $(BUILD)/ppid $(BUILD)/progcount
check-06: $(LAB06_DEPS)
check-bench: $(BUILD)/ppid $(BUILD)/ppid.static $(BUILD)/ppid.bpf.o
check-robustness: all $(FUZZERS)

bench: settings setup-bench $(BUILD)/ppid $(BUILD)/ppid.static $(BUILD)/ppid.bpf.o
	bench/bench.sh

test-trixie: settings setup-trixie
	@common/trixie-root.sh

clang-matrix: settings setup-matrix $(BUILD)/vmlinux.h $(BUILD)/core_relocs $(BUILD)/ppid.bpf.o
	@common/clang-matrix.sh

fuzz: settings $(FUZZERS) $(BUILD)/ppid.bpf.o
	tests/fuzz/run.sh

# Needs root, like the tests it runs; builds in a scratch copy of its own.
mutants: all $(FUZZERS)
	tests/mutants/run.sh

# Only a directory this make built; outside the checkout only when told plainly.
build_dir_problem = $(shell env BUILD_DIR=$(call shell_word,$(BUILD_DIR)) \
	CLEAN_OUTSIDE_CHECKOUT=$(call shell_word,$(CLEAN_OUTSIDE_CHECKOUT)) \
	bash -c '. $(COMMON)/lib.sh && build_dir_problem "$$BUILD_DIR"' 2>&1)
clean: settings
	$(if $(build_dir_problem),$(error $(build_dir_problem)))
	rm -rf $(BUILD)

# Exercises: the learner's own code, judged (exercises/README.md).
#   make exercise-NN [SOLUTION=1]   build and judge exercise NN (or its reference solution)
#   make progress                   what the checks decided, lab by lab and exercise by exercise
.PHONY: progress
EXERCISE_NUMBERS := $(sort $(foreach d,$(wildcard exercises/[0-9][0-9]-*/),$(word 2,$(subst /, ,$(firstword $(subst -, ,$(d)))))))
exercise-%: settings $(BUILD)/vmlinux.h $(BUILD)/ppid.bpf.o $(BUILD)/core_relocs
	$(if $(filter $*,$(EXERCISE_NUMBERS)),,$(error there is no exercise-$*: exercises are $(addprefix exercise-,$(EXERCISE_NUMBERS))))
	@exercises/check.sh $* $(if $(SOLUTION),--solution)
progress: settings
	@exercises/progress.sh
hint-%: settings
	$(if $(filter $*,$(EXERCISE_NUMBERS)),,$(error there is no hint-$*: exercises are $(addprefix hint-,$(EXERCISE_NUMBERS))))
	@exercises/hint.sh $*
# make bench has a row for exercise 06's ring buffer reader.
EXERCISE06_READER := $(BUILD)/exercises/06-ring-buffer/solution/ringbuf
bench: $(EXERCISE06_READER)
$(EXERCISE06_READER): $(wildcard exercises/solutions/06-ring-buffer/*.c) $(BUILD)/vmlinux.h
	exercises/check.sh 06 --solution --build-only

# A lab or check that does not exist: say which ones do (exercises/check.sh does the same for exercises).
lab-% check-%:
	$(error there is no $@: labs are $(addprefix lab-,$(LAB_NUMBERS)); checks are $(CHECKS))
