/* The lwIP port: lwIP's socket API (lwip_* names), lwip_poll() for every timeout,
 * sys_now() for the clock, and entropy from a hook the board provides.
 *
 * Needs lwIP 2.1 or later built with NO_SYS=0, LWIP_SOCKET=1, LWIP_SOCKET_POLL=1 and
 * LWIP_DNS=1 (port/lwip/lwipopts.h is the starting point). Call dfd_lwip_port_init once
 * tcpip_init() has finished (its callback ran) and a netif is up. */
#ifndef DFD_LWIP_H
#define DFD_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

/** Implemented by the board: fills buf with n bytes from a cryptographically secure
 *  source (the MCU's TRNG, a secure element, getrandom() on a host). Returns 0 on
 *  success, anything else on failure (the TLS handshake then fails with DFD_E_TLS_RNG). */
int dfd_lwip_entropy_hook(uint8_t *buf, size_t n);

/** Where log lines go (a UART, RTT, syslog...). msg has no newline. */
typedef void (*dfd_lwip_log_fn)(dfd_log_level level, const char *msg);

/** Fills *port with the lwIP implementation. Log lines at or below max_level go to log
 *  (NULL: no log). One port serves any number of clients. */
void dfd_lwip_port_init(dfd_port *port, dfd_lwip_log_fn log, dfd_log_level max_level);

/* sys_now() is 32 bits of milliseconds and wraps after 49.7 days; the port's clock is 64
 * bits. The extension only needs to be called at least once per wrap period, which any
 * request does; it is exposed for tests. */
typedef struct {
  uint32_t last;  /* the previous sys_now() reading */
  uint32_t wraps; /* how many times it wrapped */
} dfd_lwip_clock;

/** Extends one 32-bit reading `now32` (taken after the previous one) to 64 bits. */
uint64_t dfd_lwip_clock_extend(dfd_lwip_clock *clk, uint32_t now32);

#endif
