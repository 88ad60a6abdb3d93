# mk/instructor.mk - the instructor edition's tests and benchmark row.
#
#   make test-instructor    only the instructor edition's tests
#
# A student edition (`grader release`) leaves this file out, with the tests
# it lists (.release-exclude): they grade solutions and mutants.

.PHONY: test-instructor

INSTRUCTOR_TESTS := tests/instructor/test_release.sh \
                    tests/instructor/test_batch.sh tests/instructor/test_exports.sh \
                    tests/instructor/test_similarity.sh
TEST_SCRIPTS += $(INSTRUCTOR_TESTS)
TEST_DEPS    += $(GRADER_RUN_DEPS) $(KIT_LIBS) $(B)/bin/sitegen

test-instructor: $(GRADER_RUN_DEPS) $(KIT_LIBS) $(B)/bin/sitegen
	@B=$(B) tests/run-tests.sh -- $(INSTRUCTOR_TESTS)

# `make bench`: grading a class (tools/bench-batch.sh; BATCH_N=24 copies of
# exercise 03, BATCH_PATTERNS=after|beside).
BENCH_CMDS += tools/bench-batch.sh
BENCH_DEPS += $(GRADER_RUN_DEPS) $(KIT_LIBS)
