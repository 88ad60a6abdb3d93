# mk/grader.mk - the autograder (grader/) and its tests (tests/grader/).
#
#   make grader          build $(B)/bin/grader
#   make grading         the grader, the runtime and the kit: all grading needs
#   make grade           grade every exercise, summary table (xv6-style)
#   make reliability     grade each reference solution and mutant K times
#                        (K=20; K=200 for the full run) with a CPU hog on one
#                        core; prints false fails / false passes.  QUOTA=0.5
#                        grades under a 0.5-core cgroup quota (HOG=0 to drop
#                        the hog), EXERCISES=03, MUTANTS=glob and
#                        ARGS="--skip ..." narrow
#   make test-grader     only the grader's tests
#
# `grader` typed bare: put $(B)/bin on PATH (export PATH="$PWD/build/bin:$PATH")
# or `make grader-link`, which links ~/.local/bin/grader to it.

GRADER_SRCS   := $(sort $(wildcard grader/*.c))
GRADER_OBJS   := $(patsubst %.c,$(B)/obj/grader/%.o,$(GRADER_SRCS))
GRADER_LDLIBS := $(COURSE_LDLIBS) -lelf -pthread -lm
K ?= 20

$(B)/obj/grader/%.o: %.c grader/grader.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -g -I. -MMD -MP -c $< -o $@

# The course library (mk/course.mk): quiz blocks, exercise.yaml, gradebook.
$(B)/bin/grader: $(GRADER_OBJS) $(COURSE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $^ $(GRADER_LDLIBS) -o $@

# What grading needs at hand: the runtime in all three variants.
GRADER_RUN_DEPS := $(B)/bin/grader $(foreach v,$(VARIANTS),$(B)/lib/librt-$(v).a \
                                     $(B)/lib/libexkit-$(v).a)

# Unit tests of the grader's pure parts: the pattern judge (judge.c), the
# binaries' hashes (binary.c); no program runs.
GRADER_UNIT := $(B)/tests/grader/test_judge $(B)/tests/grader/test_binary
# (grader.h includes the course library's headers; util.c calls it.)
$(B)/tests/grader/test_judge: tests/grader/test_judge.c grader/judge.c grader/util.c \
		grader/grader.h tests/check.h $(B)/lib/libcourse-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_asan) -I. -Itests $(filter %.c %.a,$^) $(COURSE_LDLIBS) -lm -o $@
$(B)/tests/grader/test_binary: tests/grader/test_binary.c grader/binary.c grader/util.c \
		grader/grader.h tests/check.h $(B)/lib/libcourse-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_asan) -I. -Itests $(filter %.c %.a,$^) $(COURSE_LDLIBS) -lm \
	    -o $@

ALL_TARGETS  += $(B)/bin/grader
TEST_SCRIPTS += tests/grader/test_grader.sh tests/grader/test_sandbox.sh \
                tests/grader/test_badinput.sh tests/grader/test_formats.sh \
                tests/grader/test_gradebook.sh tests/grader/test_statuses.sh \
                tests/grader/test_quota.sh tests/grader/test_reliability.sh \
                tests/grader/test_adversarial.sh tests/grader/test_anywhere.sh \
                $(GRADER_UNIT)
TEST_DEPS    += $(GRADER_RUN_DEPS) $(GRADER_UNIT)
# make bench: what a grading of exercise 03 costs (tools/bench-grader.sh).
BENCH_CMDS   += tools/bench-grader.sh
BENCH_DEPS   += $(GRADER_RUN_DEPS)

.PHONY: grader grade reliability test-grader grader-link grading
grader: $(B)/bin/grader

# What grading a copy needs: the grader, the runtime and the exercise kit
# in every variant (an autograder's build: tools/export/setup.sh).  The
# kit's rules are read after this file, so its archives are named here.
grading: $(GRADER_RUN_DEPS) $(foreach v,$(VARIANTS),$(B)/lib/libexkit-$(v).a)

# Exit status 1 (graded, not all passed) is a result, not a make error.
grade: $(GRADER_RUN_DEPS)
	@$(B)/bin/grader grade; rc=$$?; [ $$rc -le 1 ]

reliability: $(GRADER_RUN_DEPS)
	@B=$(B) K=$(K) QUOTA="$(QUOTA)" HOG="$(HOG)" MUTANTS="$(MUTANTS)" ARGS="$(ARGS)" \
		EXERCISES="$(EXERCISES)" \
		tools/reliability.sh

test-grader: $(GRADER_RUN_DEPS) $(GRADER_UNIT)
	@B=$(B) tests/run-tests.sh -- $(filter tests/grader/% $(GRADER_UNIT),$(TEST_SCRIPTS))

grader-link: $(B)/bin/grader
	@mkdir -p $(HOME)/.local/bin && ln -sf $(abspath $(B)/bin/grader) $(HOME)/.local/bin/grader
	@echo "linked $(HOME)/.local/bin/grader -> $(abspath $(B)/bin/grader)"

-include $(wildcard $(B)/obj/grader/grader/*.d)
