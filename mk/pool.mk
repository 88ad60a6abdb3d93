# The process pool (issue 4): ProcessPoolExecutor's model, with its codec
# (the pickle analogue).  See the essay at the top of runtime/pool.c.
RT_SRCS += runtime/codec.c runtime/pool_shm.c runtime/pool.c runtime/pool_future.c \
           runtime/pool_manager.c runtime/pool_worker.c
POOL_TESTS := tests/runtime/test_codec.c tests/runtime/test_pool.c \
              tests/runtime/test_pool_fail.c tests/runtime/test_pool_spawn.c
RUNTIME_TESTS += $(POOL_TESTS)
BENCH_SRCS += bench/bench_pool.c
BENCH_PY += bench/py/pool_twin.py

POOL_TEST_BINS = $(foreach v,$(VARIANTS),$(patsubst tests/runtime/%.c,$(B)/tests/$(v)/%,$(POOL_TESTS)))

.PHONY: test-pool bench-pool
# Only the pool's and the codec's tests (plain, TSan, ASan+UBSan).
test-pool: $(POOL_TEST_BINS)
	@B=$(B) tests/run-tests.sh $^
# Only the pool's rows (ours and CPython's), as make bench prints them.
bench-pool: $(B)/bench/bench_pool $(B)/tools/benchtab
	@B=$(B) PYTHON=$(PYTHON) tools/run-bench.sh $(B)/bench/bench_pool -- bench/py/pool_twin.py
