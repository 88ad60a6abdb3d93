# Fuzzing beyond the site's: the pool codec's decoder.  `make fuzz` runs
# every fuzz target for FUZZ_SECONDS each; not part of `make test`.
# RT_SRCS is complete only once every fragment is read: expand it late.
.SECONDEXPANSION:
$(B)/fuzz/fuzz_codec: tests/fuzz/fuzz_codec.c $$(RT_SRCS)
	@mkdir -p $(dir $@)
	clang $(CSTD) -g -O1 -pthread -fsanitize=fuzzer,address,undefined -Iruntime -Iruntime/include \
	    $^ -lm -o $@

.PHONY: fuzz-codec
fuzz-codec: $(B)/fuzz/fuzz_codec
	@mkdir -p $(B)/fuzz/codec-corpus
	cd $(B)/fuzz && ./fuzz_codec -max_total_time=$(FUZZ_SECONDS) -max_len=4096 codec-corpus
fuzz: fuzz-codec
