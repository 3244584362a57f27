/* The lwIP port: lwip_getaddrinfo over every address, non-blocking lwip_connect with a
 * timeout, lwip_poll() for connect, send and receive timeouts, sys_now() extended to 64
 * bits, entropy from the board's hook. Error codes as in port/posix.
 *
 * Only lwIP's own headers are included for sockets: with LWIP_COMPAT_SOCKETS=0 they define
 * their own O_NONBLOCK, F_SETFL and POLLIN values, which must be the ones lwIP's sockets.c
 * was built with (<fcntl.h> or <poll.h> here would silently change them). */
#include <string.h>

#include "dfd_config.h"
#include "dfd_err.h"
#include "dfd_lwip.h"
#include "lwip/errno.h"
#include "lwip/netdb.h"
#include "lwip/opt.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#if NO_SYS || !LWIP_SOCKET || !LWIP_DNS
#error "the dfdiff lwIP port needs NO_SYS=0, LWIP_SOCKET=1 and LWIP_DNS=1"
#endif
#if !LWIP_SOCKET_POLL
#error "the dfdiff lwIP port needs LWIP_SOCKET_POLL=1"
#endif
/* Failures are read from errno, which lwIP sets (only) when a call fails: with an RTOS,
 * errno must be per thread (newlib's reentrancy, or LWIP_ERRNO_INCLUDE to the RTOS's). */

/* How the port sleeps: lwIP's sys_msleep (a semaphore wait) unless the board has better,
 * e.g. #define DFD_LWIP_SLEEP_MS(ms) vTaskDelay(pdMS_TO_TICKS(ms)) in its dfd_opts.h. */
#ifndef DFD_LWIP_SLEEP_MS
#define DFD_LWIP_SLEEP_MS(ms) sys_msleep(ms)
#endif

#define MAX_WAIT_MS 0x7FFFFFFFu

typedef struct {
  dfd_lwip_log_fn log;
  dfd_log_level max_level;
  dfd_lwip_clock clock;
} lwip_ctx;

static lwip_ctx the_ctx;

uint64_t dfd_lwip_clock_extend(dfd_lwip_clock *clk, uint32_t now32) {
  if (now32 < clk->last)
    clk->wraps++;
  clk->last = now32;
  return ((uint64_t)clk->wraps << 32) | now32;
}

static uint64_t now_ms(void *ctx) {
  lwip_ctx *c = ctx;
  SYS_ARCH_DECL_PROTECT(lev);
  SYS_ARCH_PROTECT(lev); /* two threads must not both see the wrap */
  uint64_t t = dfd_lwip_clock_extend(&c->clock, (uint32_t)sys_now());
  SYS_ARCH_UNPROTECT(lev);
  return t;
}

static void sleep_ms(void *ctx, uint32_t ms) {
  (void)ctx;
  if (ms > 0)
    DFD_LWIP_SLEEP_MS(ms);
}

static int entropy(void *ctx, uint8_t *buf, size_t n) {
  (void)ctx;
  return dfd_lwip_entropy_hook(buf, n) == 0 ? 0 : DFD_E_TLS_RNG;
}

static void log_line(void *ctx, dfd_log_level level, const char *msg) {
  lwip_ctx *c = ctx;
  if (c->log && level <= c->max_level)
    c->log(level, msg);
}

static uint32_t until(lwip_ctx *c, uint64_t deadline) {
  uint64_t t = now_ms(c);
  return t >= deadline ? 0 : (uint32_t)(deadline - t);
}

/* Waits for events on s: 0 when ready (or in error: the next call says which),
 * DFD_E_TIMEOUT, DFD_E_INTERRUPTED or DFD_E_IO. */
static int wait_sock(int s, short events, uint32_t timeout_ms) {
  struct pollfd p;
  p.fd = s;
  p.events = events;
  p.revents = 0;
  int r = lwip_poll(&p, 1, (int)(timeout_ms > MAX_WAIT_MS ? MAX_WAIT_MS : timeout_ms));
  if (r == 0)
    return DFD_E_TIMEOUT;
  if (r < 0)
    return errno == EINTR ? DFD_E_INTERRUPTED : DFD_E_IO;
  return 0;
}

/* lwIP's errno for a connection the peer (or the stack) tore down. ENOTCONN is lwIP's
 * ERR_CLSD/ERR_CONN: on send it means the connection is gone, which POSIX says EPIPE. */
static int is_reset(int e) {
  return e == ECONNRESET || e == ECONNABORTED || e == ENOTCONN || e == EPIPE;
}

static socklen_t addr_len(const struct addrinfo *ai) {
#if LWIP_IPV6
  if (ai->ai_family == AF_INET6)
    return (socklen_t)sizeof(struct sockaddr_in6);
#endif
  (void)ai;
  return (socklen_t)sizeof(struct sockaddr_in);
}

/* One address: 0 and *s_out, or DFD_E_CONNECT_REFUSED / DFD_E_TIMEOUT_CONNECT / ... */
static int connect_one(const struct addrinfo *ai, uint32_t timeout_ms, int *s_out) {
  int s = lwip_socket(ai->ai_family, SOCK_STREAM, 0);
  if (s < 0)
    return DFD_E_CONNECT; /* out of sockets (MEMP_NUM_NETCONN) or memory */
  lwip_fcntl(s, F_SETFL, O_NONBLOCK);
  int one = 1; /* TLS records go out whole and at once; Nagle only adds delay */
  lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int err = 0;
  if (lwip_connect(s, ai->ai_addr, addr_len(ai)) != 0) {
    if (errno != EINPROGRESS) {
      err = errno;
    } else {
      int w = wait_sock(s, POLLOUT, timeout_ms);
      if (w != 0) {
        lwip_close(s); /* aborts the pending SYN */
        return w == DFD_E_TIMEOUT ? DFD_E_TIMEOUT_CONNECT : w;
      }
      socklen_t len = sizeof err;
      if (lwip_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    }
  }
  if (err != 0) {
    lwip_close(s);
    /* lwIP reports a RST answering the SYN as ERR_RST (ECONNRESET), never ECONNREFUSED;
       ERR_ABRT (ECONNABORTED) in SYN_SENT means its SYN retries ran out */
    return (err == ECONNREFUSED || err == ECONNRESET)  ? DFD_E_CONNECT_REFUSED
           : (err == ETIMEDOUT || err == ECONNABORTED) ? DFD_E_TIMEOUT_CONNECT
                                                       : DFD_E_CONNECT;
  }
  *s_out = s;
  return 0;
}

static int port_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                        int *sock) {
  lwip_ctx *c = ctx;
  char service[6], digits[5];
  unsigned p = port, nd = 0, i;
  do
    digits[nd++] = (char)('0' + p % 10);
  while ((p /= 10) != 0);
  for (i = 0; i < nd; i++)
    service[i] = digits[nd - 1 - i];
  service[nd] = '\0';
  struct addrinfo hints, *list = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  uint64_t deadline = now_ms(c) + timeout_ms;
  /* blocks for as long as lwIP's resolver takes: the local host list and the cache
     answer at once, a query is bounded by DNS_MAX_RETRIES (see lwipopts.h) */
  int g = lwip_getaddrinfo(host, service, &hints, &list);
  if (g != 0 || !list)
    return DFD_E_DNS;
  int count = 0;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next)
    count++;
  int result = DFD_E_CONNECT;
  int refused = 0, attempts = 0;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next, count--) {
    uint32_t left = until(c, deadline);
    if (left == 0) {
      result = DFD_E_TIMEOUT_CONNECT;
      break;
    }
    /* share what is left among the addresses still to try */
    uint32_t slice = left / (uint32_t)count;
    result = connect_one(ai, slice ? slice : 1, sock);
    attempts++;
    if (result == 0 || result == DFD_E_INTERRUPTED)
      break;
    if (result == DFD_E_CONNECT_REFUSED)
      refused++;
  }
  lwip_freeaddrinfo(list);
  if (result != 0 && result != DFD_E_INTERRUPTED && refused > 0 && refused == attempts)
    result = DFD_E_CONNECT_REFUSED;
  return result;
}

static int port_send(void *ctx, int sock, const uint8_t *buf, size_t n, uint32_t timeout_ms) {
  lwip_ctx *c = ctx;
  uint64_t deadline = now_ms(c) + timeout_ms;
  if (n > MAX_WAIT_MS)
    n = MAX_WAIT_MS; /* the count must fit the int we return */
  for (;;) {
    ssize_t r = lwip_send(sock, buf, n, 0);
    if (r > 0)
      return (int)r;
    int e = r < 0 ? errno : EIO;
    if (e == EWOULDBLOCK || e == EAGAIN) { /* the send buffer is full: wait for room */
      int w = wait_sock(sock, POLLOUT, until(c, deadline));
      if (w != 0)
        return w;
      continue;
    }
    if (e == EINTR)
      return DFD_E_INTERRUPTED;
    return is_reset(e) ? DFD_E_RESET : DFD_E_IO;
  }
}

static int port_recv(void *ctx, int sock, uint8_t *buf, size_t n, uint32_t timeout_ms) {
  lwip_ctx *c = ctx;
  uint64_t deadline = now_ms(c) + timeout_ms;
  if (n > MAX_WAIT_MS)
    n = MAX_WAIT_MS;
  for (;;) {
    /* try first: while data streams in, this saves a poll (and its semaphore) per call */
    ssize_t r = lwip_recv(sock, buf, n, 0);
    if (r >= 0)
      return (int)r; /* 0: the peer's FIN */
    int e = errno;
    if (e == EWOULDBLOCK || e == EAGAIN) {
      int w = wait_sock(sock, POLLIN, until(c, deadline));
      if (w != 0)
        return w;
      continue;
    }
    if (e == ENOTCONN)
      return 0; /* lwIP's ERR_CLSD/ERR_CONN: the stream already ended */
    if (e == EINTR)
      return DFD_E_INTERRUPTED;
    return is_reset(e) ? DFD_E_RESET : DFD_E_IO;
  }
}

static void port_close(void *ctx, int sock) {
  (void)ctx;
  lwip_close(sock);
}

void dfd_lwip_port_init(dfd_port *port, dfd_lwip_log_fn log, dfd_log_level max_level) {
  the_ctx.log = log;
  the_ctx.max_level = max_level;
  port->ctx = &the_ctx;
  port->connect = port_connect;
  port->send = port_send;
  port->recv = port_recv;
  port->close = port_close;
  port->now_ms = now_ms;
  port->sleep_ms = sleep_ms;
  port->entropy = entropy;
  port->log = log_line;
}
