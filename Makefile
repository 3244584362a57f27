# dfdiff: host build, tests and benchmarks. `make help` lists the targets.

CC      ?= cc
BUILD   ?= build
DEPS    ?= deps
VERSION := 0.1.0

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wvla -Wformat=2
OPT      ?= -O2 -g
CFLAGS   ?=
CFLAGS   += -std=c11 $(OPT) $(WARN) -ffunction-sections -fdata-sections
CPPFLAGS += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -DDFD_VERSION='"$(VERSION)"' \
            -Isrc -Iport -Iport/posix -I$(DEPS)/jsmn -I$(DEPS)/mbedtls/include -I$(DEPS)/qrcodegen/c \
            -DMBEDTLS_CONFIG_FILE='"dfd_mbedtls_config.h"' $(DFD_DEFS)
LDFLAGS  += -Wl,--gc-sections

# Fetch the pinned third-party sources when they are missing (a no-op otherwise).
NODEPS_GOALS := clean help format
ifeq ($(filter $(NODEPS_GOALS),$(MAKECMDGOALS)),)
ifneq ($(shell .ci/deps.sh >&2 && echo ok),ok)
$(error fetching dependencies failed: see .ci/deps.sh)
endif
endif

CORE_SRC  := $(wildcard src/*.c src/render/*.c)
POSIX_SRC := $(wildcard port/posix/*.c)
CLI_SRC   := $(wildcard boards/posix/*.c)
MBED_SRC  := $(wildcard $(DEPS)/mbedtls/library/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# The built-in trust store, generated from Debian's ca-certificates at build time.
TRUST_GEN := $(BUILD)/gen/trust_builtin.c
CORE_OBJ  := $(call obj,$(CORE_SRC) $(DEPS)/qrcodegen/c/qrcodegen.c) $(BUILD)/obj/gen/trust_builtin.o

CORE_LIB  := $(BUILD)/libdfd.a
POSIX_LIB := $(BUILD)/libdfd_posix.a
MBED_LIB  := $(BUILD)/libmbedtls_dfd.a
DFDIFF    := $(BUILD)/dfdiff

C_TESTS   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
SCRIPT_TESTS := $(sort $(wildcard tests/*/test_*.sh tests/*/test_*.py))

PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all deps test bench clean help format lint analyze install demo soak
all: $(DFDIFF)

deps:
	@.ci/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# Third-party code: its own warnings are not ours to fix.
$(BUILD)/obj/$(DEPS)/%.o: $(DEPS)/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -std=c11 $(OPT) -ffunction-sections -fdata-sections -w -c $< -o $@

$(TRUST_GEN): src/trust_builtin.py
	@echo "  GEN $@"
	$(Q)python3 src/trust_builtin.py $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@; ar rcs $@ $^
$(POSIX_LIB): $(call obj,$(POSIX_SRC))
	@rm -f $@; ar rcs $@ $^
# The config is ours: a change to it rebuilds the library (its own headers do not change).
$(call obj,$(MBED_SRC)): src/dfd_mbedtls_config.h
$(MBED_LIB): $(call obj,$(MBED_SRC))
	@echo "  AR  $@ (mbedTLS $(shell cat $(DEPS)/mbedtls/.dfd-version 2>/dev/null), dfdiff's config)"
	@rm -f $@; ar rcs $@ $^

LIBS := $(CORE_LIB) $(POSIX_LIB) $(MBED_LIB)

$(DFDIFF): $(call obj,$(CLI_SRC)) $(LIBS)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(call obj,$(CLI_SRC)) $(LIBS)

# Unit tests link with allocator wrappers that abort: project code and mbedTLS never
# allocate, so any call that reaches them is a bug.
NOALLOC := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
$(BUILD)/tests/%: tests/%.c $(call obj,tests/support/noalloc.c) $(LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) $(NOALLOC) -MMD -MP -MF $@.d -MT $@ \
	  -o $@ $< $(call obj,tests/support/noalloc.c) $(LIBS) -lm

test: $(DFDIFF) $(C_TESTS)
	@DFDIFF=$(abspath $(DFDIFF)) BUILD=$(abspath $(BUILD)) CC="$(CC)" OBJDUMP="$(OBJDUMP)" \
	  TEST_RUNNER="$(TEST_RUNNER)" tests/run.sh $(C_TESTS) $(SCRIPT_TESTS)

# The Raspberry Pi builds (64-bit and 32-bit Raspberry Pi OS), cross-compiled with
# Debian's toolchains, run the whole suite under qemu-user; the servers the tests start
# run natively on 127.0.0.1.
RPI_CC_aarch64 := aarch64-linux-gnu-gcc
RPI_CC_armhf := arm-linux-gnueabihf-gcc
RPI_RUN_aarch64 := qemu-aarch64 -L /usr/aarch64-linux-gnu
RPI_RUN_armhf := qemu-arm -L /usr/arm-linux-gnueabihf
# test-rpi-aarch64 and test-rpi-armhf are independent: `make -j2 -Otarget test-rpi` runs
# the two suites side by side, each one's output in one piece.
.PHONY: rpi test-rpi test-rpi-aarch64 test-rpi-armhf
rpi:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/rpi-aarch64 CC="$(RPI_CC_aarch64)" all
	$(MAKE) --no-print-directory BUILD=$(BUILD)/rpi-armhf CC="$(RPI_CC_armhf)" all
test-rpi: test-rpi-aarch64 test-rpi-armhf
test-rpi-aarch64 test-rpi-armhf: test-rpi-%:
	+$(MAKE) --no-print-directory BUILD=$(BUILD)/rpi-$* CC="$(RPI_CC_$*)" \
	  OBJDUMP=$(patsubst %-gcc,%-objdump,$(RPI_CC_$*)) TEST_RUNNER="$(RPI_RUN_$*)" test

bench: $(DFDIFF) $(BUILD)/tests/bench_extract $(BUILD)/tests/bench_get $(BUILD)/tests/cjson_status
	@BUILD=$(abspath $(BUILD)) tests/bench/run.sh

$(BUILD)/tests/bench_get: tests/bench/bench_get.c $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) -lpthread

$(BUILD)/tests/cjson_status: tests/bench/cjson_status.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -o $@ $< -lcjson

$(BUILD)/tests/bench_extract: tests/bench/bench_extract.c $(LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) -lpthread

install: $(DFDIFF)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(DFDIFF) $(DESTDIR)$(PREFIX)/bin/dfdiff
	install -m 644 docs/dfdiff.1 $(DESTDIR)$(PREFIX)/share/man/man1/dfdiff.1

demo: $(DFDIFF)
	@BUILD=$(abspath $(BUILD)) DFDIFF=$(abspath $(DFDIFF)) tests/servers/demo.sh

# A long watch (10,000 polls) through random faults; not part of `make test`.
SOAK_POLLS ?= 10000
soak: $(DFDIFF)
	@BUILD=$(abspath $(BUILD)) DFDIFF=$(abspath $(DFDIFF)) python3 tests/soak/soak.py \
	  --polls $(SOAK_POLLS)

format:
	clang-format -i $(CORE_SRC) $(wildcard src/*.h) $(POSIX_SRC) $(wildcard port/*/*.h) \
	  $(CLI_SRC) $(wildcard boards/posix/*.h) $(wildcard tests/*.c tests/*.h tests/*/*.c)

LINT_SRC := $(CORE_SRC) $(POSIX_SRC) $(CLI_SRC)
# The lwIP port and the boards' shared files are checked as a device build sees them: the
# port's lwipopts.h, lwIP's headers and the cross build's stand-in RTOS arch headers.
LINT_LWIP_SRC := port/lwip/lwip_port.c boards/common/console.c boards/common/panel.c \
                 boards/common/ssd1306_pages.c
LINT_LWIP_CPPFLAGS := -Isrc -Iport -Iport/lwip -I$(DEPS)/jsmn -I$(DEPS)/mbedtls/include \
  -I$(DEPS)/qrcodegen/c -DMBEDTLS_CONFIG_FILE='"dfd_mbedtls_config.h"' \
  -isystem tests/cross/rtos -isystem $(DEPS)/lwip/src/include
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem -D__GNUC__ -Isrc -Iport -Iport/posix src port/posix boards/posix
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem -D__GNUC__ -Isrc -Iport -Iport/lwip -Itests/cross/rtos \
	  -I$(DEPS)/lwip/src/include $(LINT_LWIP_SRC)
	clang-tidy --quiet $(LINT_SRC) -- $(CPPFLAGS) -std=c11 2>&1 | { ! grep -E '(warning|error):'; }
	clang-tidy --quiet $(LINT_LWIP_SRC) -- $(LINT_LWIP_CPPFLAGS) -std=c11 2>&1 | \
	  { ! grep -E '(warning|error):'; }

# GCC's static analyser over the same files as lint, every check on. Findings are
# errors; a false positive is worked around in the code, with a comment, not silenced.
ANALYZE_FLAGS := -std=c11 -O2 $(WARN) -fanalyzer -fdiagnostics-plain-output
ANALYZE_OUT   := $(BUILD)/analyze
analyze: $(TRUST_GEN)
	@mkdir -p $(ANALYZE_OUT)
	$(Q)for f in $(LINT_SRC); do \
	  $(CC) $(CPPFLAGS) -I$(dir $(TRUST_GEN)) $(ANALYZE_FLAGS) -c $$f -o $(ANALYZE_OUT)/a.o || exit 1; \
	done
	$(Q)for f in $(LINT_LWIP_SRC); do \
	  $(CC) $(LINT_LWIP_CPPFLAGS) $(ANALYZE_FLAGS) -c $$f -o $(ANALYZE_OUT)/a.o || exit 1; \
	done
	@echo "  analyze: gcc -fanalyzer quiet on $(words $(LINT_SRC) $(LINT_LWIP_SRC)) files"

clean:
	rm -rf $(BUILD)

help:
	@echo "make          build $(DFDIFF) (fetches pinned dependencies into $(DEPS)/ first)"
	@echo "make demo     watch a scripted diff progress on a local mock API (HTTPS)"
	@echo "make test     build and run every test; ends with 'N passed, N failed'"
	@echo "make install  install dfdiff and dfdiff(1) under PREFIX (DESTDIR for staging)"
	@echo "make bench    measure the extractor against jq and cJSON"
	@echo "make deps     fetch the pinned mbedTLS, lwIP and jsmn sources"
	@echo "make lint     cppcheck and clang-tidy;  make format  clang-format"

# Build fragments of the other targets (each documents its own goals).
-include $(wildcard port/*/build.mk tests/*/build.mk)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
# A test program's headers and the .c files it includes (boards/common/*.c, ...).
-include $(wildcard $(BUILD)/tests/*.d)
