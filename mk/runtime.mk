# The threaded runtime: GIL policies, threads, blocking I/O, counters, trace.
RT_SRCS += runtime/runtime.c runtime/gil.c runtime/gil_cpython.c runtime/gil_ticks.c \
           runtime/thread.c runtime/io.c runtime/work.c runtime/stats.c \
           runtime/trace.c runtime/diag.c
RUNTIME_TESTS += tests/runtime/test_gil.c tests/runtime/test_gil_checks.c \
                 tests/runtime/test_threads.c tests/runtime/test_trace.c
TEST_LDLIBS_test_trace = -ljansson -lexpat
BENCH_SRCS += bench/bench_gil.c
BENCH_PY += bench/py/gil_twin.py

.PHONY: runtime test-runtime
runtime: $(B)/lib/librt-rel.a
test-runtime: $(foreach v,$(VARIANTS),$(B)/tests/$(v)/test_gil $(B)/tests/$(v)/test_gil_checks \
                $(B)/tests/$(v)/test_threads $(B)/tests/$(v)/test_trace)
	@B=$(B) tests/run-tests.sh $^
