# The GIL Workbook - top-level Makefile.
#
#   make          install missing system packages, build runtime, grader, site
#   make test     the project's own test suite (prints "N passed, N failed")
#   make bench    runtime benchmarks beside CPython; writes build/bench.json
#
# Everything generated goes under $(B) (default build/).  Each part of the
# project adds itself through a fragment in mk/: it appends its sources to
# RT_SRCS (runtime library), RUNTIME_TESTS (C test files, built plain, with
# ThreadSanitizer and with ASan+UBSan), TEST_SCRIPTS (other test commands),
# BENCH_SRCS / BENCH_PY (benchmarks and their CPython twins) and ALL_TARGETS.
# Building in another directory (make B=build/mine test-gil) keeps parallel
# work apart.

B        ?= build
CC       ?= cc
PYTHON   ?= python3
CSTD      = -std=c11 -D_GNU_SOURCE
WARN      = -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS_rel  = $(CSTD) $(WARN) -O2 -g -pthread
CFLAGS_tsan = $(CSTD) $(WARN) -O1 -g -pthread -fsanitize=thread
CFLAGS_asan = $(CSTD) $(WARN) -O1 -g -pthread -fsanitize=address,undefined \
              -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS_rt   = -pthread -lm
VARIANTS    = rel tsan asan
# Everything outside the runtime sees only its public headers.  The
# runtime's own sources also see its internal headers, and are compiled
# with hidden visibility: only what the public headers mark RT_API leaves
# the archive (see "the runtime archive" below).
INCLUDES    = -Iruntime/include
RT_CFLAGS   = -Iruntime -Iruntime/include -fvisibility=hidden

RT_SRCS       :=
RUNTIME_TESTS :=
TEST_SCRIPTS  :=
TEST_DEPS     :=
BENCH_SRCS    :=
BENCH_PY      :=
BENCH_CMDS    :=
BENCH_DEPS    :=
ALL_TARGETS   :=

.PHONY: all build deps test test-all bench bench-all clean compdb help
# The default goal.  System packages come first, in a make of their own:
# nothing else may start compiling before the headers exist.
all:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory build

include mk/*.mk

# ---------------------------------------------------------------- runtime
# The runtime archive.  Its objects are linked into one relocatable object
# (ld -r), whose hidden symbols - everything not marked RT_API - are then
# made local (objcopy --localize-hidden), and that one object is the
# archive's only member.  So a program linked with it can reach exactly
# the public API: an internal name is an undefined reference, and a
# program that defines a runtime symbol itself gets "multiple definition"
# instead of quietly replacing a module.  tests/runtime/test_exports.sh
# checks both.
rt_objs = $(patsubst %.c,$(B)/obj/$(1)/%.o,$(RT_SRCS))
# Objects of one variant: the runtime's own sources with RT_CFLAGS, any
# other library built per variant (under $(B)/obj/<variant>/) with the
# public headers only.
define obj_rule
$(B)/obj/$(1)/runtime/%.o: runtime/%.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_$(1)) $$(RT_CFLAGS) -MMD -MP -c $$< -o $$@
$(B)/obj/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_$(1)) $$(INCLUDES) -MMD -MP -c $$< -o $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call obj_rule,$(v))))
define lib_rule
$(B)/obj/$(1)/librt.o: $(call rt_objs,$(1))
	ld -r -o $$@.tmp $$^ && objcopy --localize-hidden $$@.tmp $$@ && rm -f $$@.tmp
$(B)/lib/librt-$(1).a: $(B)/obj/$(1)/librt.o
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$<
endef
$(foreach v,$(VARIANTS),$(eval $(call lib_rule,$(v))))

# ---------------------------------------------------------------- tests
# tests/runtime/test_x.c -> $(B)/tests/<variant>/test_x, linked with the
# runtime of the same variant.  Every test binary forks one child per case.
test_bin = $(patsubst tests/runtime/%.c,$(B)/tests/$(1)/%,$(RUNTIME_TESTS))
define test_rule
$(B)/tests/$(1)/%: tests/runtime/%.c tests/check.h $(B)/lib/librt-$(1).a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_$(1)) $$(INCLUDES) -Itests -MMD -MP $$< $(B)/lib/librt-$(1).a \
	    $$(LDLIBS_rt) $$(TEST_LDLIBS_$$*) -o $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call test_rule,$(v))))
ALL_TEST_BINS = $(foreach v,$(VARIANTS),$(call test_bin,$(v)))

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory test-all
test-all: $(ALL_TEST_BINS) $(TEST_DEPS)
	@B=$(B) tests/run-tests.sh $(ALL_TEST_BINS) -- $(TEST_SCRIPTS)

# ---------------------------------------------------------------- bench
bench_bin = $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRCS))
$(B)/bench/%: bench/%.c $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -MMD -MP $< $(B)/lib/librt-rel.a $(LDLIBS_rt) \
	    $(BENCH_LDLIBS_$*) -o $@
$(B)/tools/benchtab: tools/benchtab.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $< -ljansson -o $@
bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory bench-all
bench-all: $(bench_bin) $(B)/tools/benchtab $(BENCH_DEPS)
	@B=$(B) PYTHON=$(PYTHON) tools/run-bench.sh $(bench_bin) $(BENCH_CMDS) -- $(BENCH_PY)

# ---------------------------------------------------------------- the rest
deps: $(B)/.deps-ok
$(B)/.deps-ok: tools/deps.sh
	@tools/deps.sh
	@mkdir -p $(B) && touch $@

# Every C file in the tree, with the runtime's flags and include paths, so
# clangd understands the runtime, the grader, the site and the exercises.
COMPDB_SRCS = $(sort $(wildcard $(RT_SRCS) $(RUNTIME_TESTS) $(BENCH_SRCS) grader/*.c \
              site/*.c course/*.c tests/course/*.c tools/*.c chapters/*/*.c \
              exercises/*/*.c solutions/*/*.c))
compdb: compile_commands.json
compile_commands.json: $(COMPDB_SRCS) Makefile $(wildcard mk/*.mk) tools/compdb.sh
	@RT_CFLAGS="$(RT_CFLAGS)" tools/compdb.sh "$(CC) $(CFLAGS_rel) $(INCLUDES) -I. -Itests" \
	    $(COMPDB_SRCS) > $@

build: $(B)/lib/librt-rel.a $(ALL_TARGETS) compile_commands.json
	@tools/link-grader.sh $(B)/bin/grader
	@B=$(B) tools/next-steps.sh

# Cleaning removes what the build made, never the learner's work: the
# gradebook (every graded attempt) lives in .workbook/, answers and hints
# beside each exercise.  Say so, so nobody wonders whether it went too.
clean:
	rm -rf $(B) compile_commands.json
	@if [ -e .workbook/gradebook.sqlite ]; then echo "kept .workbook/gradebook.sqlite:" \
	    "your graded attempts (rm -r .workbook forgets them)"; fi
	@kept=$$(ls -d exercises/*/answers.txt exercises/*/.hints exercises/*/.backup \
	    2>/dev/null | tr '\n' ' '); [ -z "$$kept" ] || echo "kept your work: $$kept"

help:
	@sed -n '2,8p' Makefile

-include $(shell find $(B)/obj $(B)/tests $(B)/bench -name '*.d' 2>/dev/null)
