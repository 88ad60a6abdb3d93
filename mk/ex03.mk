# mk/ex03.mk - chapter 3 and exercise 03 ("Threads and the GIL").
#
#   make demo-3      build and run chapter 3's demo (make chapter3 runs it)
#   make figure-3    re-draw chapters/03/timeline.svg from a real run
#   make traces-3    re-record chapters/03/gil-traces.json (the interactive
#                    timeline's traces) from real runs
#   make measure-3   record this machine's demo runs and traces for the
#                    chapter's page (make chapter3 runs it)
#   make test        includes tests/chapters/test_ch03.sh: the reference
#                    solution (plain, TSan, ASan+UBSan), the starter, the
#                    mutants, and the chapter's claims checked by counters

$(B)/demos/03: chapters/03/demo.c $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -MMD -MP $< $(B)/lib/librt-rel.a $(LDLIBS_rt) -o $@

$(B)/demos/03-timeline: chapters/03/timeline.c $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -MMD -MP $< $(B)/lib/librt-rel.a $(LDLIBS_rt) -o $@

$(B)/demos/03-traces: chapters/03/traces.c $(B)/lib/librt-rel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_rel) $(INCLUDES) -MMD -MP $< $(B)/lib/librt-rel.a $(LDLIBS_rt) -o $@

ALL_TARGETS += $(B)/demos/03 $(B)/demos/03-timeline $(B)/demos/03-traces

.PHONY: demo-3 figure-3 traces-3 measure-3
demo-3: $(B)/demos/03
	@$(B)/demos/03

figure-3: $(B)/demos/03-timeline
	$(B)/demos/03-timeline chapters/03/timeline.svg

traces-3: $(B)/demos/03-traces $(B)/tools/sitedata
	$(B)/demos/03-traces $(B)/demos/03-traces.json
	$(B)/tools/sitedata stamp $(B)/demos/03-traces.json chapters/03/gil-traces.json

# The load is read before the runs: the figure the page shows beside them.
measure-3: $(B)/demos/03 $(B)/demos/03-traces $(B)/tools/sitedata
	@mkdir -p $(B)/measured
	@read -r load _ </proc/loadavg; \
	$(B)/demos/03 --json >$(B)/measured/03-runs.jsonl && \
	$(B)/demos/03-traces $(B)/measured/03-traces.json && \
	$(B)/tools/sitedata --build $(B) chapter 3 --load "$$load" \
	    --demo $(B)/measured/03-runs.jsonl --traces gil-traces=$(B)/measured/03-traces.json

TEST_SCRIPTS += tests/chapters/test_ch03.sh
TEST_DEPS += $(foreach v,$(VARIANTS),$(B)/lib/librt-$(v).a) \
             $(B)/demos/03 $(B)/demos/03-timeline $(B)/demos/03-traces

-include $(wildcard $(B)/demos/03*.d)
