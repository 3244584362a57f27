/* The POSIX port: getaddrinfo over every address, non-blocking connect with a timeout,
 * poll() for send and receive timeouts, getentropy(), CLOCK_MONOTONIC. */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "dfd_err.h"
#include "dfd_posix.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket instead */
#endif

int getentropy(void *buf, size_t n);

typedef struct {
  FILE *log_file;
  dfd_log_level max_level;
} posix_ctx;

static posix_ctx the_ctx;

static uint64_t now_ms(void *ctx) {
  (void)ctx;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(void *ctx, uint32_t ms) {
  (void)ctx;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL); /* a signal ends the sleep early, on purpose */
}

static int entropy(void *ctx, uint8_t *buf, size_t n) {
  (void)ctx;
  while (n > 0) {
    size_t k = n < 256 ? n : 256; /* getentropy's limit per call */
    if (getentropy(buf, k) != 0)
      return DFD_E_TLS_RNG;
    buf += k;
    n -= k;
  }
  return 0;
}

static void log_line(void *ctx, dfd_log_level level, const char *msg) {
  posix_ctx *c = ctx;
  if (c->log_file && level <= c->max_level)
    fprintf(c->log_file, "dfdiff: %s\n", msg);
}

/* Waits for events on fd; 0 when ready, DFD_E_TIMEOUT, DFD_E_INTERRUPTED or DFD_E_IO. */
static int wait_fd(int fd, short events, uint32_t timeout_ms) {
  struct pollfd p = {fd, events, 0};
  int timeout = timeout_ms > 0x7FFFFFFF ? 0x7FFFFFFF : (int)timeout_ms;
  int r = poll(&p, 1, timeout);
  if (r == 0)
    return DFD_E_TIMEOUT;
  if (r < 0)
    return errno == EINTR ? DFD_E_INTERRUPTED : DFD_E_IO;
  return 0;
}

/* One address: 0 and *fd, or DFD_E_CONNECT_REFUSED / DFD_E_TIMEOUT_CONNECT / ... */
static int connect_one(const struct addrinfo *ai, uint32_t timeout_ms, int *fd_out) {
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (fd < 0)
    return DFD_E_CONNECT;
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  int err = 0;
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      err = errno;
    } else {
      int w = wait_fd(fd, POLLOUT, timeout_ms);
      if (w != 0) {
        close(fd);
        return w == DFD_E_TIMEOUT ? DFD_E_TIMEOUT_CONNECT : w;
      }
      socklen_t len = sizeof err;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    }
  }
  if (err != 0) {
    close(fd);
    return err == ECONNREFUSED ? DFD_E_CONNECT_REFUSED
           : err == ETIMEDOUT  ? DFD_E_TIMEOUT_CONNECT
                               : DFD_E_CONNECT;
  }
  *fd_out = fd;
  return 0;
}

static int port_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                        int *sock) {
  (void)ctx;
  char service[8];
  snprintf(service, sizeof service, "%u", (unsigned)port);
  struct addrinfo hints, *list = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  uint64_t deadline = now_ms(NULL) + timeout_ms;
  int g = getaddrinfo(host, service, &hints, &list);
  if (g != 0 || !list)
    return DFD_E_DNS;
  int count = 0;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next)
    count++;
  int result = DFD_E_CONNECT;
  int refused = 0, attempts = 0;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next, count--) {
    uint64_t now = now_ms(NULL);
    if (now >= deadline) {
      result = DFD_E_TIMEOUT_CONNECT;
      break;
    }
    /* share what is left among the addresses still to try, so one black hole
       does not eat the whole budget */
    uint32_t slice = (uint32_t)((deadline - now) / (uint64_t)count);
    result = connect_one(ai, slice ? slice : 1, sock);
    attempts++;
    if (result == 0 || result == DFD_E_INTERRUPTED)
      break;
    if (result == DFD_E_CONNECT_REFUSED)
      refused++;
  }
  freeaddrinfo(list);
  if (result != 0 && result != DFD_E_INTERRUPTED && refused > 0 && refused == attempts)
    result = DFD_E_CONNECT_REFUSED;
  return result;
}

static int port_send(void *ctx, int sock, const uint8_t *buf, size_t n, uint32_t timeout_ms) {
  (void)ctx;
  for (;;) {
    ssize_t r = send(sock, buf, n, MSG_NOSIGNAL);
    if (r > 0)
      return (int)(r > 0x7FFFFFFF ? 0x7FFFFFFF : r);
    if (r < 0 && errno == EINTR)
      return DFD_E_INTERRUPTED;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int w = wait_fd(sock, POLLOUT, timeout_ms);
      if (w != 0)
        return w;
      continue;
    }
    return (errno == ECONNRESET || errno == EPIPE) ? DFD_E_RESET : DFD_E_IO;
  }
}

static int port_recv(void *ctx, int sock, uint8_t *buf, size_t n, uint32_t timeout_ms) {
  (void)ctx;
  int w = wait_fd(sock, POLLIN, timeout_ms);
  if (w != 0)
    return w;
  for (;;) {
    ssize_t r = recv(sock, buf, n, 0);
    if (r >= 0)
      return (int)r;
    if (errno == EINTR)
      return DFD_E_INTERRUPTED;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      w = wait_fd(sock, POLLIN, timeout_ms);
      if (w != 0)
        return w;
      continue;
    }
    return errno == ECONNRESET ? DFD_E_RESET : DFD_E_IO;
  }
}

static void port_close(void *ctx, int sock) {
  (void)ctx;
  close(sock);
}

void dfd_posix_port_init(dfd_port *port, FILE *log_file, dfd_log_level max_level) {
  the_ctx.log_file = log_file;
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
