# The event loop (issue 3): asyncio's model on epoll.  See runtime/loop.c.
RT_SRCS += runtime/loop.c runtime/loop_core.c runtime/loop_task.c runtime/loop_io.c \
           runtime/loop_pool.c
LOOP_TESTS := tests/runtime/test_loop.c tests/runtime/test_loop_task.c \
              tests/runtime/test_loop_io.c tests/runtime/test_loop_pool.c
RUNTIME_TESTS += $(LOOP_TESTS)
BENCH_SRCS += bench/bench_loop.c
BENCH_PY += bench/py/loop_twin.py

# The libuv twin is built only where libuv's header is installed.
HAVE_UV := $(shell printf '\043include <uv.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_UV),yes)
BENCH_SRCS += bench/bench_uv.c
BENCH_LDLIBS_bench_uv = -luv
endif

LOOP_TEST_BINS = $(foreach v,$(VARIANTS),$(patsubst tests/runtime/%.c,$(B)/tests/$(v)/%,$(LOOP_TESTS)))
LOOP_BENCH_BINS = $(B)/bench/bench_loop $(if $(filter yes,$(HAVE_UV)),$(B)/bench/bench_uv)

.PHONY: test-loop bench-loop
# Only the event loop's tests (plain, TSan, ASan+UBSan).
test-loop: $(LOOP_TEST_BINS)
	@B=$(B) tests/run-tests.sh $^
# Only the event loop's rows (ours, libuv's, CPython's), as make bench does.
bench-loop: $(LOOP_BENCH_BINS) $(B)/tools/benchtab
	@B=$(B) PYTHON=$(PYTHON) tools/run-bench.sh $(LOOP_BENCH_BINS) -- bench/py/loop_twin.py
