# Device images: the library cross-built for three microcontroller targets, linked into the
# reference board (boards/reference/), measured and checked. Included by the top-level
# Makefile after all its variables.
#
#   make cross   build $(BUILD)/cross/<target>/reference.elf for every target and check each
#                image: the symbols it leaves undefined must all be on
#                tests/cross/undefined-allowed.txt (the RTOS's and the board's), and it must
#                hold no allocator (malloc, calloc, realloc, free and their _r variants)
#   make size    the footprint table per component from the linker maps, the worst-case
#                stack of one dfd_get (Cortex-M4), into $(BUILD)/cross/size.md
#
# Targets: cm4 (STM32F4 class, Cortex-M4F, newlib-nano), cm7 (STM32F7, Cortex-M7 with a
# double-precision FPU, newlib-nano), rv32imc (the ESP32-C3 ISA, picolibc). Everything is
# -Os with function and data sections, linked with --gc-sections. Per target, under
# $(BUILD)/cross/<target>/: obj/ (objects, .su and .ci files), lib/ (one archive per
# component, which the footprint table is read by), reference.elf, reference.map,
# undefined.txt. CROSS_TARGETS="cm4" builds a subset; CROSS_RENDER=0 leaves the renderer out;
# CROSS_EXTRA adds preprocessor flags to every file (e.g. '-DLWIP_NOASSERT
# -DDFD_TLS_POOL_SIZE=32768'; a change of flags rebuilds the target's objects).
#
# What is compiled: the portable core (src/*.c), the built-in trust store
# ($(TRUST_GEN)), the renderer (src/render/*.c with qrcodegen) when src/render/render.h
# exists and compiles, the lwIP port, mbedTLS with src/dfd_mbedtls_config.h in its
# bare-metal form (-DDFD_MBEDTLS_BARE_METAL), and lwIP 2.2 (core, IPv4, DNS, DHCP, the
# netconn and socket API, Ethernet) with port/lwip/lwipopts.h and the arch headers of
# tests/cross/rtos/ in place of an RTOS port's; lwIP's sys_arch is the RTOS's and is not
# compiled. -DNDEBUG: qrcodegen's assert() would pull in newlib's __assert_func and stdio.

CROSS           := $(BUILD)/cross
CROSS_TARGETS   ?= cm4 cm7 rv32imc
CROSS_ALLOWLIST ?= tests/cross/undefined-allowed.txt

CROSS_CC_cm4     := arm-none-eabi-gcc
CROSS_ARCH_cm4   := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
CROSS_LIBC_cm4   := --specs=nano.specs
CROSS_LAYOUT_cm4 := -T boards/reference/cortex-m.ld \
  -Wl,--defsym=__flash_size=1024K,--defsym=__ram_size=128K
CROSS_NAME_cm4   := Cortex-M4F (STM32F4), newlib-nano

CROSS_CC_cm7     := arm-none-eabi-gcc
CROSS_ARCH_cm7   := -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16
CROSS_LIBC_cm7   := --specs=nano.specs
CROSS_LAYOUT_cm7 := -T boards/reference/cortex-m.ld \
  -Wl,--defsym=__flash_size=2048K,--defsym=__ram_size=512K
CROSS_NAME_cm7   := Cortex-M7 (STM32F7), newlib-nano

# picolibc's own linker script, told the ESP32-C3's memory (its defaults are 64 KB / 32 KB).
CROSS_CC_rv32imc     := riscv64-unknown-elf-gcc
CROSS_ARCH_rv32imc   := -march=rv32imc -mabi=ilp32
CROSS_LIBC_rv32imc   := --specs=picolibc.specs
CROSS_LAYOUT_rv32imc := -Wl,--defsym=__flash=0x42000000,--defsym=__flash_size=4M \
  -Wl,--defsym=__ram=0x3FC80000,--defsym=__ram_size=320K
CROSS_NAME_rv32imc   := RV32IMC (ESP32-C3 ISA), picolibc

# The renderer is built in when its header exists and compiles (it is optional: a board
# without a display links without it); main.c's DFD_REF_RENDER hook follows.
ifeq ($(origin CROSS_RENDER),undefined)
ifeq ($(filter $(NODEPS_GOALS),$(MAKECMDGOALS)),)
CROSS_RENDER := $(if $(wildcard src/render/render.h),$(shell printf '\043include "render/render.h"\n' | \
  $(CC) -std=c11 -fsyntax-only -Isrc -x c - >/dev/null 2>&1 && echo 1),)
endif
endif
CROSS_RENDER := $(if $(filter 1,$(CROSS_RENDER)),1,0)

CROSS_CORE_SRC   := $(wildcard src/*.c)
CROSS_PORT_SRC   := port/lwip/lwip_port.c
CROSS_RENDER_SRC := $(if $(filter 1,$(CROSS_RENDER)),$(wildcard src/render/*.c))
CROSS_QR_SRC     := $(if $(filter 1,$(CROSS_RENDER)),$(DEPS)/qrcodegen/c/qrcodegen.c)
CROSS_LWIP_SRC   := $(wildcard $(DEPS)/lwip/src/core/*.c $(DEPS)/lwip/src/core/ipv4/*.c \
                      $(DEPS)/lwip/src/api/*.c) $(DEPS)/lwip/src/netif/ethernet.c
CROSS_BOARD_SRC  := boards/reference/main.c
# The board files that need no vendor header (boards/common/: the panel loop, the console,
# SSD1306 page packing) are compiled for every target with the project's warnings and
# offered to the link; the panel loop draws with the renderer, so it comes with it.
CROSS_COMMON_SRC := boards/common/console.c boards/common/ssd1306_pages.c \
                    $(if $(filter 1,$(CROSS_RENDER)),boards/common/panel.c)

CROSS_CPPFLAGS := -DDFD_VERSION='"$(VERSION)"' -DNDEBUG -DDFD_REF_RENDER=$(CROSS_RENDER) \
  -Isrc -Iport -Iport/lwip -I$(DEPS)/jsmn -I$(DEPS)/mbedtls/include -I$(DEPS)/qrcodegen/c \
  -DMBEDTLS_CONFIG_FILE='"dfd_mbedtls_config.h"' -DDFD_MBEDTLS_BARE_METAL \
  -isystem tests/cross/rtos -isystem $(DEPS)/lwip/src/include $(CROSS_EXTRA)
# -fstack-usage and -fcallgraph-info: per-function frames and call edges for the stack
# analysis of `make size` (tests/cross/stack.py), and on the target it runs on
# (CROSS_STACK_TARGET) GCC's final GIMPLE, for the types of indirect calls. None of them
# changes the code.
CROSS_CFLAGS := -std=c11 -Os -g -ffunction-sections -fdata-sections -fstack-usage \
  -fcallgraph-info=su
CROSS_STACK_TARGET ?= $(firstword $(CROSS_TARGETS))
CROSS_LDFLAGS := -nostartfiles -Wl,--gc-sections -Wl,--warn-unresolved-symbols

cross_obj = $(patsubst %.c,$(CROSS)/$(1)/obj/%.o,$(2))

# cross_target(t): the objects, archives, image and check of one target.
define cross_target
CROSS_DUMP_$(1) := $(if $(filter $(1),$(CROSS_STACK_TARGET)),-fdump-tree-optimized)
CROSS_AR_$(1) := $(patsubst %-gcc,%-ar,$(CROSS_CC_$(1)))
CROSS_NM_$(1) := $(patsubst %-gcc,%-nm,$(CROSS_CC_$(1)))

# The flags each object was built with: a change (CROSS_RENDER when the renderer appears,
# CROSS_EXTRA) rewrites this file, which rebuilds the target's objects.
CROSS_SIG_$(1) := $(CROSS_CC_$(1)) $(CROSS_ARCH_$(1)) $(CROSS_LIBC_$(1)) $(CROSS_CPPFLAGS) \
  $(CROSS_CFLAGS) $$(CROSS_DUMP_$(1)) $(WARN)
$(CROSS)/$(1)/flags: cross-force
	$$(shell mkdir -p $$(dir $$@))$$(file >$$@.new,$$(CROSS_SIG_$(1)))
	@cmp -s $$@.new $$@ || mv $$@.new $$@; rm -f $$@.new

# A clear stop when the target's compiler is missing (test_cross.sh skips instead).
.PHONY: cross-toolchain-$(1)
cross-toolchain-$(1):
	@command -v $(CROSS_CC_$(1)) >/dev/null || { echo "make cross: $(CROSS_CC_$(1)) not found" \
	  "(Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi, gcc-riscv64-unknown-elf" \
	  "picolibc-riscv64-unknown-elf); CROSS_TARGETS=... builds a subset" >&2; exit 1; }

# Project code: the project's warnings, as errors.
$(CROSS)/$(1)/obj/%.o: %.c $(CROSS)/$(1)/flags | cross-toolchain-$(1)
	@mkdir -p $$(dir $$@)
	@echo "  CC  $$< ($(1))"
	$(Q)$(CROSS_CC_$(1)) $(CROSS_ARCH_$(1)) $(CROSS_LIBC_$(1)) $(CROSS_CPPFLAGS) $(CROSS_CFLAGS) \
	  $$(CROSS_DUMP_$(1)) $(WARN) -MMD -MP -c $$< -o $$@

# Third-party code: its own warnings are not ours to fix.
$(CROSS)/$(1)/obj/$(DEPS)/%.o: $(DEPS)/%.c $(CROSS)/$(1)/flags | cross-toolchain-$(1)
	@mkdir -p $$(dir $$@)
	$(Q)$(CROSS_CC_$(1)) $(CROSS_ARCH_$(1)) $(CROSS_LIBC_$(1)) $(CROSS_CPPFLAGS) $(CROSS_CFLAGS) \
	  $$(CROSS_DUMP_$(1)) -w -MMD -MP -c $$< -o $$@

$(CROSS)/$(1)/obj/gen/trust_builtin.o: $(TRUST_GEN) $(CROSS)/$(1)/flags | cross-toolchain-$(1)
	@mkdir -p $$(dir $$@)
	@echo "  CC  $$< ($(1))"
	$(Q)$(CROSS_CC_$(1)) $(CROSS_ARCH_$(1)) $(CROSS_LIBC_$(1)) $(CROSS_CPPFLAGS) $(CROSS_CFLAGS) \
	  $(WARN) -c $$< -o $$@

# One archive per component: the linker map names each input section's archive.
$(CROSS)/$(1)/lib/libdfd.a: $(call cross_obj,$(1),$(CROSS_CORE_SRC))
$(CROSS)/$(1)/lib/libdfd_trust.a: $(CROSS)/$(1)/obj/gen/trust_builtin.o
$(CROSS)/$(1)/lib/libdfd_lwip.a: $(call cross_obj,$(1),$(CROSS_PORT_SRC))
$(CROSS)/$(1)/lib/libdfd_render.a: $(call cross_obj,$(1),$(CROSS_RENDER_SRC))
$(CROSS)/$(1)/lib/libqrcodegen.a: $(call cross_obj,$(1),$(CROSS_QR_SRC))
$(CROSS)/$(1)/lib/libdfd_board.a: $(call cross_obj,$(1),$(CROSS_COMMON_SRC))
$(CROSS)/$(1)/lib/libmbedtls.a: $(call cross_obj,$(1),$(MBED_SRC))
$(CROSS)/$(1)/lib/liblwip.a: $(call cross_obj,$(1),$(CROSS_LWIP_SRC))
# lwIP's headers are system headers here, so -MMD does not list the options they include.
$(call cross_obj,$(1),$(CROSS_LWIP_SRC)): port/lwip/lwipopts.h $(wildcard tests/cross/rtos/arch/*.h)
$(CROSS)/$(1)/lib/%.a:
	@mkdir -p $$(dir $$@)
	@rm -f $$@; $$(CROSS_AR_$(1)) rcs $$@ $$^

CROSS_LIBS_$(1) := $(addprefix $(CROSS)/$(1)/lib/,libdfd.a libdfd_lwip.a libdfd_trust.a \
  $(if $(filter 1,$(CROSS_RENDER)),libdfd_render.a libqrcodegen.a) libdfd_board.a libmbedtls.a \
  liblwip.a)

# The image. Symbols the RTOS and the board supply stay undefined: the linker warns about
# each (--warn-unresolved-symbols) and those warnings are the list the check compares with
# the allowlist.
$(CROSS)/$(1)/reference.elf: $(call cross_obj,$(1),$(CROSS_BOARD_SRC)) $$(CROSS_LIBS_$(1)) \
  $(if $(findstring cortex-m.ld,$(CROSS_LAYOUT_$(1))),boards/reference/cortex-m.ld)
	@echo "  LD  $$@ ($(CROSS_NAME_$(1)))"
	$(Q)$(CROSS_CC_$(1)) $(CROSS_ARCH_$(1)) $(CROSS_LIBC_$(1)) $(CROSS_LDFLAGS) \
	  $(CROSS_LAYOUT_$(1)) -Wl,-Map=$(CROSS)/$(1)/reference.map -o $$@ \
	  $(call cross_obj,$(1),$(CROSS_BOARD_SRC)) -Wl,--start-group $$(CROSS_LIBS_$(1)) \
	  -Wl,--end-group 2>$(CROSS)/$(1)/link.log || { cat $(CROSS)/$(1)/link.log; exit 1; }
	$(Q)sed -n "s/.*undefined reference to \`\(.*\)'$$$$/\1/p" $(CROSS)/$(1)/link.log | \
	  LC_ALL=C sort -u >$(CROSS)/$(1)/undefined.txt
	$(Q)$$(CROSS_NM_$(1)) $$@ >$(CROSS)/$(1)/reference.nm

.PHONY: cross-$(1)
cross-$(1): $(CROSS)/$(1)/reference.elf
	$(Q)tests/cross/check_image.sh $(1) $(CROSS)/$(1) $(CROSS_ALLOWLIST)

-include $(shell find $(CROSS)/$(1)/obj -name '*.d' 2>/dev/null)
endef

$(foreach t,$(CROSS_TARGETS),$(eval $(call cross_target,$(t))))

.PHONY: cross size cross-force
cross-force:
cross: $(addprefix cross-,$(CROSS_TARGETS))
	@echo "  cross images: $(foreach t,$(CROSS_TARGETS),$(CROSS)/$(t)/reference.elf)" \
	  "(renderer $(if $(filter 1,$(CROSS_RENDER)),built in,absent))"

# The stack of one dfd_get is computed on CROSS_STACK_TARGET (Cortex-M4 by default); the
# budgets are checked on the first target.
size: cross
	$(Q)python3 tests/cross/footprint.py --pool-header port/lwip/dfd_opts.h \
	  --stack-objs $(CROSS)/$(CROSS_STACK_TARGET)/obj \
	  --stack-image $(CROSS)/$(CROSS_STACK_TARGET)/reference.elf \
	  --stack-tool-prefix $(patsubst %gcc,%,$(CROSS_CC_$(CROSS_STACK_TARGET))) \
	  --stack-target "$(CROSS_NAME_$(CROSS_STACK_TARGET))" \
	  --armhf-bench $(BUILD)/rpi-armhf/tests/bench_get --bench-md $(BUILD)/bench/tls.md --out $(CROSS)/size.md \
	  $(foreach t,$(CROSS_TARGETS),--target "$(t)=$(CROSS_NAME_$(t))=$(CROSS)/$(t)/reference.map")
