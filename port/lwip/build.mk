# The lwIP port: its host test on a real lwIP 2.2.1 stack, and its bench.
# Included by the top-level Makefile after all its variables.
#
#   make test-lwip    build and run tests/lwip/test_lwip alone (also part of `make test`)
#   make bench-lwip   1 MB over TLS through lwIP loopback vs the POSIX path, lwIP RAM
#
# Everything of the host test is built under $(BUILD)/lwip-host with its own flags:
# - lwIP's core, api and loopback netif plus its unix port (contrib/ports/unix, pthreads),
#   configured by port/lwip/test/lwipopts.h (which includes the board's port/lwip/lwipopts.h);
# - mbedTLS again with tests/lwip/lwip_test_mbedtls_config.h: dfdiff's client configuration
#   plus the TLS server and threading, so client and in-process server share one mbedTLS;
# - dfdiff's core again with that configuration: MBEDTLS_SSL_SRV_C changes the layout of
#   mbedtls_ssl_config, which src/tls.c embeds, so the objects of $(CORE_LIB) cannot be
#   mixed with it; and the pool is sized for both ends (DFD_TLS_POOL_SIZE, below).
# - sys_arch.c allocates its threads, mailboxes and semaphores with malloc: it is compiled
#   with tests/lwip/sys_arch_alloc.h forced in, which hands it fixed static blocks (an RTOS
#   with static allocation), so the test still links with the aborting $(NOALLOC) wrappers.

LWH        := $(BUILD)/lwip-host
LWIP_DIR   := $(DEPS)/lwip
LWIP_UNIX  := $(LWIP_DIR)/contrib/ports/unix/port
LWIP_TEST  := $(BUILD)/tests/lwip/test_lwip
LWIP_BENCH := $(BUILD)/tests/lwip/bench_lwip

# Client and server TLS state come from the one static pool of src/tls.c (16 KB input
# records on both ends, the server's certificate and key): measured peak 54 KB in the test,
# 73 KB in the bench (which parses the server's credentials twice, one per server).
LWH_POOL   := (120 * 1024)

LWIP_SRC := $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c \
              $(LWIP_DIR)/src/core/ipv6/*.c $(LWIP_DIR)/src/api/*.c) $(LWIP_UNIX)/sys_arch.c

# lwipopts.h and dfd_opts.h of port/lwip come before everything else; lwIP's headers are
# system headers for our warnings.
LWH_CPPFLAGS := -Iport/lwip/test -Iport/lwip -Itests/lwip -Itests -I$(LWH) \
  $(filter-out -Iport/posix -DMBEDTLS_CONFIG_FILE=%,$(CPPFLAGS)) -Iport/posix \
  -isystem $(LWIP_DIR)/src/include -isystem $(LWIP_UNIX)/include \
  -DMBEDTLS_CONFIG_FILE='"lwip_test_mbedtls_config.h"' -DDFD_TLS_POOL_SIZE='$(LWH_POOL)'

lwh_obj = $(patsubst %.c,$(LWH)/obj/%.o,$(1))

LWH_LWIP_OBJ := $(call lwh_obj,$(LWIP_SRC))
# lwIP's headers are system headers here, so -MD does not list the options they include.
$(LWH_LWIP_OBJ): port/lwip/lwipopts.h port/lwip/test/lwipopts.h
LWH_MBED_OBJ := $(call lwh_obj,$(MBED_SRC))
$(LWH_MBED_OBJ): src/dfd_mbedtls_config.h tests/lwip/lwip_test_mbedtls_config.h
# The client's modules (src/*.c; subsystems in subdirectories, such as src/render, are not
# part of a GET) and the port.
LWH_CORE_OBJ := $(call lwh_obj,$(wildcard src/*.c) port/lwip/lwip_port.c)
LWH_SUPPORT  := $(call lwh_obj,tests/lwip/lwip_host.c tests/lwip/tls_server.c \
                  tests/lwip/srv_net_lwip.c)
LWH_CERTS    := $(LWH)/lwip_test_certs.h

LWH_LWIP_LIB := $(LWH)/liblwip_host.a
LWH_MBED_LIB := $(LWH)/libmbedtls_lwiptest.a
LWH_CORE_LIB := $(LWH)/libdfd_lwiptest.a
LWH_LIBS     := $(LWH_CORE_LIB) $(LWH_MBED_LIB) $(LWH_LWIP_LIB)

# Project code (src, port/lwip, tests/lwip): the project's warnings.
$(LWH)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (lwIP host test)"
	$(Q)$(CC) $(LWH_CPPFLAGS) $(CFLAGS) -MD -MP -c $< -o $@

# Third-party code: lwIP and mbedTLS with -w, as the top-level rule does.
$(LWH)/obj/$(DEPS)/%.o: $(DEPS)/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LWH_CPPFLAGS) $(LWH_EXTRA) -std=c11 $(OPT) -ffunction-sections -fdata-sections \
	  -w -MD -MP -c $< -o $@

$(call lwh_obj,$(LWIP_UNIX)/sys_arch.c): LWH_EXTRA := -D_GNU_SOURCE \
  -include tests/lwip/sys_arch_alloc.h
$(call lwh_obj,$(LWIP_UNIX)/sys_arch.c): tests/lwip/sys_arch_alloc.h

$(LWH_LWIP_LIB): $(LWH_LWIP_OBJ)
	@echo "  AR  $@ (lwIP $(shell cat $(LWIP_DIR)/.dfd-version 2>/dev/null), test lwipopts)"
	@rm -f $@; ar rcs $@ $^
$(LWH_MBED_LIB): $(LWH_MBED_OBJ)
	@echo "  AR  $@ (mbedTLS, client + server + threading)"
	@rm -f $@; ar rcs $@ $^
$(LWH_CORE_LIB): $(LWH_CORE_OBJ)
	@rm -f $@; ar rcs $@ $^

# A fresh throw-away PKI at build time, embedded in the test (nothing committed).
$(LWH_CERTS): tests/lwip/gen_certs.sh tests/servers/mkcerts.sh
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	$(Q)tests/lwip/gen_certs.sh $(LWH)/certs $@
$(call lwh_obj,tests/lwip/test_lwip.c tests/lwip/bench_lwip.c): $(LWH_CERTS)

LWH_LINK = $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) \
  -Wl,--start-group $(LWH_LIBS) -Wl,--end-group -lpthread -lm

$(LWIP_TEST): $(call lwh_obj,tests/lwip/test_lwip.c) $(LWH_SUPPORT) \
  $(call obj,tests/support/noalloc.c) $(LWH_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(LWH_LINK) $(NOALLOC)

$(LWIP_BENCH): $(call lwh_obj,tests/lwip/bench_lwip.c tests/lwip/srv_net_posix.c) \
  $(LWH_SUPPORT) $(call obj,port/posix/posix_port.c) $(call obj,tests/support/noalloc.c) \
  $(LWH_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(LWH_LINK) $(NOALLOC)

# `make test` runs it too: the prerequisites of `test:` were expanded when the top-level
# Makefile read that rule, so the binary is added to them here; its recipe reads
# $(C_TESTS) late and sees the addition.
C_TESTS += $(LWIP_TEST)
test: $(LWIP_TEST)

.PHONY: test-lwip bench-lwip
test-lwip: $(LWIP_TEST)
	@BUILD=$(abspath $(BUILD)) tests/run.sh $(LWIP_TEST)

bench-lwip: $(LWIP_BENCH)
	@BUILD=$(abspath $(BUILD)) DEPS=$(abspath $(DEPS)) tests/bench/bench_lwip.sh

-include $(shell find $(LWH) -name '*.d' 2>/dev/null)
