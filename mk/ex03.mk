# mk/ex03.mk - chapter 3 and exercise 03 ("Threads and the GIL").
#
#   make demo-3      build and run chapter 3's demo (make chapter3 runs it)
#   make figure-3    re-draw chapters/03/timeline.svg from a real run
#   make test        includes tests/chapters/test_ch03.sh: the reference
#                    solution (plain, TSan, ASan+UBSan), the starter, the
#                    mutants, and the chapter's claims checked by counters

$(B)/demos/03: chapters/03/demo.c $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -MMD -MP $< $(B)/lib/librt-rel.a $(LDLIBS_rt) -o $@

$(B)/demos/03-timeline: chapters/03/timeline.c $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -MMD -MP $< $(B)/lib/librt-rel.a $(LDLIBS_rt) -o $@

ALL_TARGETS += $(B)/demos/03 $(B)/demos/03-timeline

.PHONY: demo-3 figure-3
demo-3: $(B)/demos/03
	@$(B)/demos/03

figure-3: $(B)/demos/03-timeline
	$(B)/demos/03-timeline chapters/03/timeline.svg

TEST_SCRIPTS += tests/chapters/test_ch03.sh
TEST_DEPS += $(foreach v,$(VARIANTS),$(B)/lib/librt-$(v).a) \
             $(B)/demos/03 $(B)/demos/03-timeline

-include $(wildcard $(B)/demos/03*.d)
