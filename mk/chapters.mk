# mk/chapters.mk - every chapter's programs, from one template.
#
# A chapter's folder chapters/NN/ holds C programs built on the runtime and
# the exercise kit.  Adding one needs no edit here:
#   chapters/NN/demo.c   the demo: `make demo-N` runs `demo show`, and
#                        `make chapterN` runs it after rendering the page
#   chapters/NN/<x>.c    a figure program: `make figure-N` runs
#                        `<x> chapters/NN/<x>.svg` to redraw the committed figure
#   chapters/NN/<x>-traces.c   a trace recorder for an interactive timeline:
#                        `make traces-N` re-records chapters/NN/<x>-traces.json
#   `make measure-N` records this machine's figures for the chapter's page
#   (`demo show --json` and the trace recorders; tools/sitedata.c), and
#   `make chapterN` runs it.
# Each is built as $(B)/demos/NN/<name>.  Tests: tests/chapters/.
CHAPTER_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard chapters/[0-9][0-9]/*.c))))
CHAPTER_PROGS := $(patsubst chapters/%.c,$(B)/demos/%,$(wildcard chapters/[0-9][0-9]/*.c))

$(B)/demos/%: chapters/%.c $(B)/lib/libexkit-rel.a $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -Iexercises/common -MMD -MP $< \
	    $(B)/lib/libexkit-rel.a $(B)/lib/librt-rel.a $(LDLIBS_rt) -o $@

# demo-N, figure-N, traces-N and measure-N for each chapter folder NN (N
# without the leading 0).
chapter_figures = $(filter-out $(B)/demos/$(1)/demo %-traces,$(filter $(B)/demos/$(1)/%,$(CHAPTER_PROGS)))
chapter_traces = $(filter $(B)/demos/$(1)/%-traces,$(CHAPTER_PROGS))
define chapter_rules
.PHONY: demo-$(2) figure-$(2) traces-$(2) measure-$(2)
demo-$(2): $(B)/demos/$(1)/demo
	@$(B)/demos/$(1)/demo show
figure-$(2): $(call chapter_figures,$(1))
	@for p in $$^; do echo "$$$$p chapters/$(1)/$$$${p##*/}.svg"; \
	    "$$$$p" "chapters/$(1)/$$$${p##*/}.svg" || exit 1; done
traces-$(2): $(call chapter_traces,$(1)) $(B)/tools/sitedata
	@for p in $$(filter-out %/sitedata,$$^); do t=$$$${p##*/}; \
	    "$$$$p" "$(B)/demos/$(1)/$$$$t.json" && \
	    $(B)/tools/sitedata stamp "$(B)/demos/$(1)/$$$$t.json" "chapters/$(1)/$$$$t.json" && \
	    echo "re-recorded chapters/$(1)/$$$$t.json" || exit 1; done
# The load is read before the runs: the page shows it beside them.  A demo
# without `show --json` records only its traces.
measure-$(2): $(B)/demos/$(1)/demo $(call chapter_traces,$(1)) $(B)/tools/sitedata
	@mkdir -p $(B)/measured
	@read -r load _ </proc/loadavg; args=""; \
	if $(B)/demos/$(1)/demo show --json >$(B)/measured/$(1)-runs.jsonl 2>/dev/null; then \
	    args="--demo $(B)/measured/$(1)-runs.jsonl"; fi; \
	for p in $(call chapter_traces,$(1)); do t=$$$${p##*/}; \
	    "$$$$p" "$(B)/measured/$(1)-$$$$t.json" || exit 1; \
	    args="$$$$args --traces $$$$t=$(B)/measured/$(1)-$$$$t.json"; done; \
	$(B)/tools/sitedata --build $(B) chapter $(2) --load "$$$$load" $$$$args
endef
$(foreach d,$(CHAPTER_DIRS),$(eval $(call chapter_rules,$(notdir $(d)),$(patsubst 0%,%,$(notdir $(d))))))

ALL_TARGETS += $(CHAPTER_PROGS)
TEST_DEPS += $(CHAPTER_PROGS)
-include $(wildcard $(B)/demos/*/*.d)
TEST_SCRIPTS += tests/chapters/test_chapters.sh tests/chapters/test_scaffold.sh
.PHONY: test-chapters
test-chapters: $(CHAPTER_PROGS) $(foreach v,$(VARIANTS),$(B)/lib/libexkit-$(v).a $(B)/lib/librt-$(v).a) \
               $(B)/bin/grader
	@B=$(B) tests/run-tests.sh -- tests/chapters/test_chapters.sh tests/chapters/test_scaffold.sh

# exercise-N: the exercise's program from the learner's current files, to
# run by hand (`build/exercises/NN/prog test <case>`, `... measure ...`).
# The grader builds its own copy; this one is for poking at.  Learner code
# gets warnings, not -Werror: a warning is the learner's to read, not a wall.
EXERCISE_DIRS := $(sort $(patsubst %/exercise.yaml,%,$(wildcard exercises/[0-9][0-9]/exercise.yaml)))
define exercise_rules
.PHONY: exercise-$(2)
exercise-$(2): $(B)/exercises/$(1)/prog
	@echo "built $(B)/exercises/$(1)/prog: try $(B)/exercises/$(1)/prog list"
$(B)/exercises/$(1)/prog: $(wildcard exercises/$(1)/*.c exercises/$(1)/*.h) \
                          $(B)/lib/libexkit-rel.a $(B)/lib/librt-rel.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CSTD) -Wall -Wextra -O2 -g -pthread $$(INCLUDES) -Iexercises/common -Iexercises/$(1) \
	    $$(wildcard exercises/$(1)/*.c) $(B)/lib/libexkit-rel.a $(B)/lib/librt-rel.a \
	    $$(LDLIBS_rt) -o $$@
endef
$(foreach d,$(EXERCISE_DIRS),$(eval $(call exercise_rules,$(notdir $(d)),$(patsubst 0%,%,$(notdir $(d))))))

# make new-exercise N=12 SLUG=my-topic TITLE="My topic": scaffolds chapter
# N, its demo and claims, exercise NN, its solution and a mutant.
.PHONY: new-exercise
new-exercise:
	@tools/new-exercise.sh "$(N)" "$(SLUG)" "$(TITLE)"
