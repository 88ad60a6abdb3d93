# The threaded runtime: GIL policies, threads, blocking I/O, counters, trace.
RT_SRCS += runtime/runtime.c runtime/gil.c runtime/gil_cpython.c runtime/gil_ticks.c \
           runtime/thread.c runtime/io.c runtime/work.c runtime/stats.c \
           runtime/trace.c runtime/diag.c
RUNTIME_TESTS += tests/runtime/test_gil.c tests/runtime/test_gil_checks.c \
                 tests/runtime/test_threads.c tests/runtime/test_api_misuse.c \
                 tests/runtime/test_trace.c
TEST_LDLIBS_test_trace = -ljansson -lexpat
# The archives export the public API only (see "the runtime archive" in the
# Makefile).  Every runtime test uses the public API too: none links the
# runtime's objects directly, so there is no internal archive.
TEST_SCRIPTS += tests/runtime/test_exports.sh
TEST_DEPS += $(foreach v,$(VARIANTS),$(B)/lib/librt-$(v).a)
BENCH_SRCS += bench/bench_gil.c
BENCH_PY += bench/py/gil_twin.py

.PHONY: runtime test-runtime
runtime: $(B)/lib/librt-rel.a
test-runtime: $(foreach v,$(VARIANTS),$(B)/tests/$(v)/test_gil $(B)/tests/$(v)/test_gil_checks \
              $(B)/tests/$(v)/test_threads $(B)/tests/$(v)/test_trace \
              $(B)/tests/$(v)/test_api_misuse $(B)/lib/librt-$(v).a)
	@B=$(B) tests/run-tests.sh $(filter-out %.a,$^) -- tests/runtime/test_exports.sh
