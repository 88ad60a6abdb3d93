# mk/kit.mk - the exercise kit (exercises/common/): main(), the grader's
# protocol and the helpers every exercise driver and chapter demo shares.
# Built like the runtime, once per variant, as $(B)/lib/libexkit-<v>.a; the
# grader links it with the learner's files and the driver.
KIT_SRCS := $(sort $(wildcard exercises/common/*.c))
kit_objs = $(patsubst %.c,$(B)/obj/$(1)/%.o,$(KIT_SRCS))
define kit_lib_rule
$(B)/lib/libexkit-$(1).a: $(call kit_objs,$(1))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach v,$(VARIANTS),$(eval $(call kit_lib_rule,$(v))))
KIT_LIBS = $(foreach v,$(VARIANTS),$(B)/lib/libexkit-$(v).a)
ALL_TARGETS += $(KIT_LIBS)
TEST_DEPS += $(KIT_LIBS)
