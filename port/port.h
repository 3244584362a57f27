/* The port: everything dfdiff's portable core needs from an OS or a network stack, and
 * nothing more. A port fills one dfd_port; the core calls only these functions.
 * Implementations: port/posix (Linux, macOS) and port/lwip (lwIP sockets). */
#ifndef DFD_PORT_H
#define DFD_PORT_H

#include <stddef.h>
#include <stdint.h>

typedef enum { DFD_LOG_ERROR, DFD_LOG_WARN, DFD_LOG_INFO, DFD_LOG_DEBUG } dfd_log_level;

typedef struct dfd_port {
  void *ctx; /* passed back to every function */

  /** Connects to host:port (a name or an IP literal), trying every address the name
   *  resolves to, in order, within timeout_ms in all. Out: *sock, a handle >= 0.
   *  Returns 0, DFD_E_DNS, DFD_E_CONNECT_REFUSED, DFD_E_TIMEOUT_CONNECT or DFD_E_CONNECT. */
  int (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms, int *sock);

  /** Sends up to n bytes, waiting at most timeout_ms for room. Returns the bytes sent
   *  (> 0), DFD_E_TIMEOUT, DFD_E_RESET or DFD_E_IO. */
  int (*send)(void *ctx, int sock, const uint8_t *buf, size_t n, uint32_t timeout_ms);

  /** Receives up to n bytes, waiting at most timeout_ms for the first. Returns the bytes
   *  received (> 0), 0 for a clean end of stream (the peer closed), DFD_E_TIMEOUT,
   *  DFD_E_RESET or DFD_E_IO. */
  int (*recv)(void *ctx, int sock, uint8_t *buf, size_t n, uint32_t timeout_ms);

  /** Closes the connection; the handle is invalid afterwards. */
  void (*close)(void *ctx, int sock);

  /** Milliseconds from a monotonic clock (never goes back; any origin). */
  uint64_t (*now_ms)(void *ctx);

  /** Sleeps for ms milliseconds (may return early when interrupted). */
  void (*sleep_ms)(void *ctx, uint32_t ms);

  /** Fills buf with n bytes from a cryptographically secure source (OS or hardware RNG).
   *  Returns 0 or DFD_E_TLS_RNG. */
  int (*entropy)(void *ctx, uint8_t *buf, size_t n);

  /** A log line (no newline). May be NULL. */
  void (*log)(void *ctx, dfd_log_level level, const char *msg);
} dfd_port;

#endif
