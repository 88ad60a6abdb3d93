# mk/instructor.mk - the instructor edition: its tests, its benchmark row,
# and `make grading`, what an autograder needs built (tools/export/setup.sh).
#
#   make grading            the grader, the runtime and the exercise kit,
#                           every variant: all that grading a copy needs
#   make test-instructor    only the instructor edition's tests
#
# A student edition (`grader release`) leaves this file out, with the tests
# it lists (.release-exclude): they grade solutions and mutants.

.PHONY: grading test-instructor
grading: $(GRADER_RUN_DEPS) $(KIT_LIBS)

INSTRUCTOR_TESTS := tests/instructor/test_starters.sh tests/instructor/test_release.sh \
                    tests/instructor/test_batch.sh tests/instructor/test_exports.sh \
                    tests/instructor/test_similarity.sh
TEST_SCRIPTS += $(INSTRUCTOR_TESTS)
TEST_DEPS    += $(GRADER_RUN_DEPS) $(KIT_LIBS) $(B)/bin/sitegen

test-instructor: $(GRADER_RUN_DEPS) $(KIT_LIBS) $(B)/bin/sitegen
	@B=$(B) tests/run-tests.sh -- $(INSTRUCTOR_TESTS)
