# Fuzzing, sanitizers, valgrind and coverage: tests/fuzz/README.md.
# Included by the top-level Makefile after all its variables.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="http extract"] [FUZZ_JOBS=2]
#                       build the libFuzzer harnesses into $(BUILD)/fuzz/ and run each for
#                       FUZZ_SECONDS, FUZZ_JOBS at a time; exit 1 when any crashed (each
#                       crash file named)
#   make fuzz-build     only build them (clang, -fsanitize=fuzzer,address,undefined)
#   make test-sanitize  the whole suite under ASan+UBSan in $(BUILD)/asan
#                       (the same as make test SANITIZE=1 BUILD=$(BUILD)/asan)
#   make test-valgrind  the C test programs under valgrind's memcheck
#   make coverage       the whole suite with --coverage in $(BUILD)/coverage, then branch
#                       coverage per file of src/ (gcovr, else gcov)
#   make coverage-unit  the same over the C test programs only (unit tests, fuzz replays)
#
# `make test` also runs $(BUILD)/tests/fuzz_replay: every input saved under
# tests/fuzz/regressions/<target>/ (and the fixtures) through the harness bodies, built
# with the project's compiler, the aborting allocator wrappers, and ASan+UBSan when that
# compiler has them.

.PHONY: fuzz fuzz-build fuzz-seeds test-sanitize test-valgrind coverage coverage-unit

# ---- build variants ---------------------------------------------------------------------
# Flags are not tracked by make: a variant needs a build directory of its own.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

ifeq ($(SANITIZE),1)
ifeq ($(abspath $(BUILD)),$(abspath build))
$(error SANITIZE=1 needs its own build directory: make test-sanitize, or add BUILD=build/asan)
endif
CFLAGS  += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
# tests/support/test_noalloc.sh links a probe with this object and plain $(CC).
$(call obj,tests/support/noalloc.c): CFLAGS += -fno-sanitize=all
# LeakSanitizer cannot run its exit check while a debugger is attached (the soak and
# security tests sample dfdiff with gdb); test-valgrind's leak check covers the C tests.
ASAN_OPTIONS  ?= detect_leaks=0
UBSAN_OPTIONS ?= print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
# The source checks (lint, analyze) read the same files in every build: the plain run has.
export DFD_TEST_VARIANT := sanitize
endif

ifeq ($(COVERAGE),1)
ifeq ($(abspath $(BUILD)),$(abspath build))
$(error COVERAGE=1 needs its own build directory: make coverage, or add BUILD=build/coverage)
endif
# -O0 keeps the branches gcov reports those of the source. Third-party code (the deps
# rule does not use CFLAGS) stays optimised and uninstrumented.
# (the -f forms, not --coverage, so that one object can turn them off again)
CFLAGS  += -fprofile-arcs -ftest-coverage -O0
LDFLAGS += --coverage
$(call obj,tests/support/noalloc.c): CFLAGS += -fno-profile-arcs -fno-test-coverage
# libgcov writes the .gcda files at exit with malloc: the aborting wrappers would stop
# every test there. The plain build keeps checking that nothing allocates.
NOALLOC :=
export DFD_TEST_VARIANT := coverage
endif

test-sanitize:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SANITIZE=1 test

# Memcheck on the C test programs (the script tests time real servers: too slow under it).
# DFD_TEST_LIGHT=1 runs a twentieth of their random and exhaustive loops (tests/test.h).
# The replay program runs without ASan here (the two do not mix). "possibly lost" blocks
# are the lwIP test's thread stacks; add --track-origins=yes to VALGRIND to trace an
# uninitialised value (twice as slow).
VALGRIND ?= valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q
VG_TESTS = $(filter-out $(BUILD)/tests/fuzz_replay%,$(C_TESTS)) $(BUILD)/fuzz/replay_plain
# Then dfdiff itself under memcheck against real servers (tests/support/valgrind_get.sh).
test-valgrind: $(filter-out $(BUILD)/tests/fuzz_replay%,$(C_TESTS)) $(BUILD)/fuzz/replay_plain \
  $(DFDIFF)
	@BUILD=$(abspath $(BUILD)) TEST_RUNNER="$(VALGRIND)" DFD_TEST_LIGHT=1 tests/run.sh $(VG_TESTS)
	@tests/support/valgrind_get.sh $(BUILD) "$(filter-out --error-exitcode=%,$(VALGRIND))"

coverage:
	@find $(BUILD)/coverage -name '*.gcda' -delete 2>/dev/null; \
	$(MAKE) --no-print-directory BUILD=$(BUILD)/coverage COVERAGE=1 test; rc=$$?; \
	tests/support/coverage.sh $(BUILD)/coverage || rc=1; exit $$rc

# The C test programs only (about a minute; CI): the unit tests and the fuzz replays.
coverage-unit:
	@find $(BUILD)/coverage -name '*.gcda' -delete 2>/dev/null; \
	$(MAKE) --no-print-directory BUILD=$(BUILD)/coverage COVERAGE=1 SCRIPT_TESTS= test; rc=$$?; \
	COVERAGE_OF="the C test programs of make test" tests/support/coverage.sh $(BUILD)/coverage \
	  || rc=1; exit $$rc

# ---- the replay program (part of make test) ------------------------------------------------
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_ALL     := http extract errbody trust number
FUZZ_LIB_SRC := src/http.c src/rfc3339.c src/extract.c src/jsmn.c src/number.c src/status.c \
                src/trust.c src/dfd_err.c src/client.c src/url.c src/tls.c
# The renderer (src/render/) is fuzzed once it exists, with the QR encoder it uses.
ifneq ($(wildcard src/render/render.h),)
FUZZ_ALL     += render
FUZZ_LIB_SRC += $(wildcard src/render/*.c)
FUZZ_DEP_SRC := $(wildcard $(DEPS)/qrcodegen/c/qrcodegen.c)
FUZZ_DEFS    := -DFUZZ_HAVE_RENDER
endif
FUZZ_HARNESS := $(patsubst %,tests/fuzz/fuzz_%.c,$(FUZZ_ALL))

# extract_small: the extractor harness over an extractor configured with small buffers
# (dfd_config.h sizes), so member overflow, rollback and string cuts happen within a few
# hundred bytes of input. Its own objects: the sizes change dfd_status's layout.
FUZZ_SMALL_DEFS := -DFUZZ_SMALL -DDFD_MEMBER_BUF=160 -DDFD_MEMBER_TOKENS=12 \
  -DDFD_MEMBER_STRING_MAX=48 -DDFD_ERROR_TEXT_MAX=40 -DDFD_TABLE_MAX=32 \
  -DDFD_ERROR_TYPE_MAX=24 -DDFD_TIME_MAX=24 -DDFD_KEY_MAX=20
FUZZ_SMALL_SRC  := src/extract.c src/jsmn.c src/number.c src/status.c src/dfd_err.c
FUZZ_ALL        += extract_small

# ASan+UBSan for the replay when the compiler has them and the tests run natively (not
# under qemu), with its own instrumented copies of the sources. Otherwise (SANITIZE=1 has
# them in CFLAGS already; COVERAGE=1 wants one object per source) it links the objects
# of the libraries.
ifeq ($(TEST_RUNNER)$(SANITIZE)$(COVERAGE),)
REPLAY_SAN := $(shell echo 'int main(void){return 0;}' | $(CC) $(SAN_FLAGS) -x c - \
                -o /dev/null >/dev/null 2>&1 && echo '$(SAN_FLAGS)')
endif
REPLAY_LIB_OBJ = $(if $(REPLAY_SAN),$(call replay_obj,$(FUZZ_LIB_SRC) $(FUZZ_DEP_SRC),replay),\
                   $(call obj,$(FUZZ_LIB_SRC) $(FUZZ_DEP_SRC)))
ifeq ($(COVERAGE),1)
# The small-buffer copies compile the same lines into other branches: not counted.
$(FUZZ_OUT)/replay-small/src/%.o: CFLAGS += -fno-profile-arcs -fno-test-coverage
endif

REPLAY_CPPFLAGS = $(CPPFLAGS) -Itests/fuzz -Itests $(FUZZ_DEFS) -DFUZZ_ROOT='"$(CURDIR)"'
replay_obj = $(patsubst %.c,$(FUZZ_OUT)/$(2)/%.o,$(1))
REPLAY_SRC := tests/fuzz/replay.c $(FUZZ_HARNESS) $(FUZZ_LIB_SRC) $(FUZZ_DEP_SRC)

# Third-party code: its own warnings are not ours to fix (as in the top-level rule).
$(FUZZ_OUT)/replay/$(DEPS)/%.o $(FUZZ_OUT)/replay-plain/$(DEPS)/%.o: $(DEPS)/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -std=c11 $(OPT) -w -c $< -o $@

$(FUZZ_OUT)/replay/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (fuzz replay)"
	$(Q)$(CC) $(REPLAY_CPPFLAGS) $(CFLAGS) $(REPLAY_SAN) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/replay-small/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (fuzz replay, small buffers)"
	$(Q)$(CC) $(REPLAY_CPPFLAGS) $(FUZZ_SMALL_DEFS) $(CFLAGS) $(REPLAY_SAN) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/replay-plain/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (fuzz replay, plain)"
	$(Q)$(CC) $(REPLAY_CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/fuzz_replay: $(call replay_obj,tests/fuzz/replay.c $(FUZZ_HARNESS),replay) \
  $(REPLAY_LIB_OBJ) $(call obj,tests/support/noalloc.c) $(MBED_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(REPLAY_SAN) $(LDFLAGS) $(NOALLOC) -o $@ $(filter %.o,$^) $(MBED_LIB) -lm

$(BUILD)/tests/fuzz_replay_small: $(call replay_obj,tests/fuzz/replay.c \
  tests/fuzz/fuzz_extract.c $(FUZZ_SMALL_SRC),replay-small) $(call obj,tests/support/noalloc.c)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(REPLAY_SAN) $(LDFLAGS) $(NOALLOC) -o $@ $(filter %.o,$^) -lm

$(FUZZ_OUT)/replay_plain: $(call replay_obj,$(REPLAY_SRC),replay-plain) \
  $(call obj,tests/support/noalloc.c) $(MBED_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(NOALLOC) -o $@ $(filter %.o,$^) $(MBED_LIB) -lm

# `test:`'s prerequisites were fixed when the Makefile read it: add the program here; its
# recipe reads $(C_TESTS) late and sees the addition.
FUZZ_REPLAYS := $(BUILD)/tests/fuzz_replay $(BUILD)/tests/fuzz_replay_small
C_TESTS += $(FUZZ_REPLAYS)
test: $(FUZZ_REPLAYS)

# ---- libFuzzer harnesses ----------------------------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_JOBS    ?= 1
FUZZ_SAN     := $(SAN_FLAGS)
FUZZ_CFLAGS  := -std=c11 -O1 -g $(WARN) -DFUZZ_LIBFUZZER $(FUZZ_SAN)

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (libFuzzer)"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz -Itests $(FUZZ_DEFS) $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_OUT)/obj/$(DEPS)/%.o: $(DEPS)/%.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -std=c11 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -w -c $< -o $@

$(FUZZ_OUT)/libdfd_fuzz.a: $(call replay_obj,$(FUZZ_LIB_SRC) $(FUZZ_DEP_SRC),obj)
	@rm -f $@; ar rcs $@ $^

$(FUZZ_OUT)/small/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (libFuzzer, small buffers)"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz -Itests $(FUZZ_SMALL_DEFS) $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_OUT)/fuzz_extract_small: \
  $(call replay_obj,tests/fuzz/fuzz_extract.c $(FUZZ_SMALL_SRC),small)
	@echo "  LD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lm

# mbedTLS is linked as the host build made it (only src/tls.c's references need it).
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_ALL))
$(filter-out %_small,$(FUZZ_BINS)): $(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o \
  $(FUZZ_OUT)/libdfd_fuzz.a $(MBED_LIB)
	@echo "  LD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OUT)/libdfd_fuzz.a $(MBED_LIB) -lm

fuzz-build: $(FUZZ_BINS)

# Seed corpora: the fixtures, hand-made HTTP responses, the system's CA certificates.
$(FUZZ_OUT)/corpus/.stamp: tests/fuzz/seeds.py \
  $(wildcard tests/fixtures/*.json tests/fixtures/bad/*.json)
	@echo "  GEN $(FUZZ_OUT)/corpus"
	$(Q)python3 tests/fuzz/seeds.py $(FUZZ_OUT)/corpus
	@touch $@
fuzz-seeds: $(FUZZ_OUT)/corpus/.stamp

fuzz: $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS)) fuzz-seeds
	@FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

-include $(shell find $(FUZZ_OUT) -name '*.d' 2>/dev/null)
