# mk/site.mk - the book's static site (site/), its tests and its bench row.
#
#   make site               the whole book into $(B)/site/ (open index.html)
#   make site-chapter-3     the same, then prints chapter 3's page path
#   make test-site          only the site's tests (build, links, bad input, browser)
#   make fuzz               fuzz the quiz and fence parsers (libFuzzer, FUZZ_SECONDS)
#
# The generator is $(B)/bin/sitegen; its objects live under $(B)/obj/sitegen
# so they never mix with the runtime's.  The site itself is always rebuilt:
# it takes well under a second (make bench: site.build_ms), and Make cannot
# see every file a chapter includes.

SITE_SRCS   = site/main.c site/render.c site/page.c site/quiz.c site/fence.c \
              site/widget.c site/dot.c site/highlight.c site/include.c site/exercise.c \
              site/util.c site/svgfit.c site/mdinline.c site/search.c site/results.c \
              site/timeline.c site/data.c
SITE_LIBS   = -lcmark-gfm-extensions $(COURSE_LDLIBS) -lgvc -lcgraph -lcdt
SITE_CFLAGS = $(CSTD) $(WARN) -O2 -g -I.
SITEGEN     = $(B)/bin/sitegen
SITE_OBJS   = $(patsubst site/%.c,$(B)/obj/sitegen/%.o,$(SITE_SRCS))
# The gradebook the book shows progress from: sitegen's default is the
# grader's (.workbook/gradebook.sqlite, or $GRADER_GRADEBOOK).
GRADEBOOK  ?=
FUZZ_SECONDS ?= 60

$(B)/obj/sitegen/%.o: site/%.c site/site.h site/parts.h
	@mkdir -p $(dir $@)
	$(CC) $(SITE_CFLAGS) -MMD -MP -c $< -o $@

# The course library (mk/course.mk): quiz blocks, exercise.yaml, gradebook.
$(SITEGEN): $(SITE_OBJS) $(COURSE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SITE_CFLAGS) $^ $(SITE_LIBS) -o $@

.PHONY: site test-site fuzz
site: $(SITEGEN)
	@$(SITEGEN) --out $(B)/site $(if $(GRADEBOOK),--gradebook $(GRADEBOOK))

site-chapter-%: $(SITEGEN)
	@$(SITEGEN) --out $(B)/site $(if $(GRADEBOOK),--gradebook $(GRADEBOOK)) --quiet --page $*

# The reader's own figures for the pages (tools/sitedata.c): `make chapterN`
# and `make bench` run it to write $(B)/site/data/measured.js.
$(B)/tools/sitedata: tools/sitedata.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $< -ljansson -o $@

# Tests: the build with its link check and the bad-input cases
# (tests/site/test-site.sh), then the pages in headless Chromium
# (tests/browser/test-browser.sh, which installs Chromium and playwright-core if
# they are missing).
SITE_TEST_SCRIPTS = tests/site/test-site.sh tests/browser/test-browser.sh
TEST_SCRIPTS += $(SITE_TEST_SCRIPTS)
TEST_DEPS    += $(SITEGEN) $(B)/tools/sitedata
ALL_TARGETS  += site
BENCH_CMDS   += tests/site/bench.sh
BENCH_DEPS   += $(SITEGEN) $(B)/tools/sitedata

test-site: $(SITEGEN) $(B)/tools/sitedata $(GRADER_RUN_DEPS) $(B)/demos/03/demo \
           $(B)/demos/03/gil-traces $(B)/demos/04/demo $(B)/demos/05/demo
	@B=$(B) tests/run-tests.sh -- $(SITE_TEST_SCRIPTS)

# libFuzzer over the quiz and fence parsers; crashes land in $(B)/fuzz/.  The
# course library's quiz reader is compiled in (not linked from libcourse.a)
# so that the fuzzer's coverage instrumentation reaches it.
FUZZ_QUIZ_SRCS = site/fuzz_quiz.c site/quiz.c site/fence.c site/util.c site/mdinline.c \
                 course/quiz.c course/util.c course/diag.c course/files.c
$(B)/fuzz/fuzz_quiz: $(FUZZ_QUIZ_SRCS) site/site.h site/parts.h course/quiz.h course/util.h
	@mkdir -p $(dir $@)
	clang $(CSTD) -I. -g -O1 -fsanitize=fuzzer,address,undefined $(filter %.c,$^) \
	    -lcmark-gfm -ljansson -o $@

fuzz: $(B)/fuzz/fuzz_quiz
	@mkdir -p $(B)/fuzz/corpus
	@cp tests/site/fuzz-seeds/* $(B)/fuzz/corpus/ 2>/dev/null || true
	cd $(B)/fuzz && ./fuzz_quiz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus
