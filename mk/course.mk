# mk/course.mk - the course library (course/): what the grader and the site
# share, built once as $(B)/lib/libcourse.a and linked by both.
#
#   make test-course     its unit tests (tests/course/), plain and ASan+UBSan
#
# Programs that link it add $(COURSE_LIB) to their prerequisites and
# $(COURSE_LDLIBS) to their libraries, and compile with -I. so that they
# include "course/quiz.h" and the like.  (This file sorts before grader.mk
# and site.mk, so COURSE_LIB is set when their rules are read.)

COURSE_SRCS   := $(sort $(wildcard course/*.c))
COURSE_LIB    := $(B)/lib/libcourse.a
COURSE_LDLIBS := -lcmark-gfm -ljansson -lyaml -lsqlite3 -lcrypto
COURSE_CFLAGS  = $(CSTD) $(WARN) -O2 -g

$(B)/obj/course/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(COURSE_CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/course-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_asan) -MMD -MP -c $< -o $@

$(COURSE_LIB): $(patsubst %.c,$(B)/obj/course/%.o,$(COURSE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The unit tests run under ASan+UBSan too: the readers take authors' input.
$(B)/lib/libcourse-asan.a: $(patsubst %.c,$(B)/obj/course-asan/%.o,$(COURSE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# tests/course/test_x.c -> $(B)/tests/course/test_x and test_x-asan.  They
# print "ok N - name" lines (tests/check.h), so make test runs them as
# scripts.
COURSE_TESTS     := $(sort $(wildcard tests/course/test_*.c))
COURSE_TEST_BINS := $(patsubst tests/course/%.c,$(B)/tests/course/%,$(COURSE_TESTS)) \
                    $(patsubst tests/course/%.c,$(B)/tests/course/%-asan,$(COURSE_TESTS))

$(B)/tests/course/%-asan: tests/course/%.c tests/check.h $(B)/lib/libcourse-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_asan) -I. -Itests -MMD -MP $< $(B)/lib/libcourse-asan.a \
	    $(COURSE_LDLIBS) -o $@

$(B)/tests/course/%: tests/course/%.c tests/check.h $(COURSE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g -I. -Itests -MMD -MP $< $(COURSE_LIB) \
	    $(COURSE_LDLIBS) -o $@

TEST_SCRIPTS += $(COURSE_TEST_BINS)
TEST_DEPS    += $(COURSE_TEST_BINS)

.PHONY: course test-course
course: $(COURSE_LIB)
test-course: $(COURSE_TEST_BINS)
	@B=$(B) tests/run-tests.sh -- $^
# (Their .d files, like the objects', are read by the top-level Makefile.)
