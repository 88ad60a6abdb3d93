# The learner's entry points: `make chapterN` and `grader` on the PATH.
CHAPTER_NUMS := 1 2 3 4 5 6 7 8 9 10 11
CHAPTER_TARGETS := $(addprefix chapter,$(CHAPTER_NUMS))
.PHONY: $(CHAPTER_TARGETS) link-grader
$(CHAPTER_TARGETS): chapter%:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(B)/lib/librt-rel.a $(B)/bin/grader
	@B=$(B) MAKE="$(MAKE)" tools/chapter.sh $*

# Plain `make` ends by making `grader` runnable by name.
link-grader: $(B)/bin/grader
	@tools/link-grader.sh $(B)/bin/grader
