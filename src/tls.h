/* TLS over the port's transport: mbedTLS 3.6 with every byte from a static pool. */
#ifndef DFD_TLS_H
#define DFD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfd_config.h"
#include "mbedtls/ssl.h"
#include "port.h"
#include "trust.h"

#ifndef DFD_TLS_POOL_SIZE
#define DFD_TLS_POOL_SIZE (48 * 1024)
#endif

typedef struct {
  const dfd_trust_source *trust; /* where trust anchors are looked up */
  bool insecure;                 /* verify, report, but do not stop (--insecure) */
} dfd_tls_options;

typedef struct {
  mbedtls_ssl_context ssl;
  mbedtls_ssl_config conf;
  mbedtls_ssl_session *session; /* the last session, for resumption (in the pool) */
  bool have_session;
  bool ready; /* conf and ssl set up */
  bool open;  /* a connection is in use */
  const dfd_port *port;
  int sock;
  uint64_t deadline; /* of the current operation, port clock */
  int io_err;        /* what the port said when a callback failed */
  uint32_t verify_flags;
  bool tls12_fallback; /* TLS 1.2 without RSA-PSS schemes (see tls.c) */
  bool peeking;        /* dfd_tls_stale is looking without waiting */
  uint8_t ip[16];      /* the host as an IP address, when it is one */
  uint8_t ip_len;
} dfd_tls;

/** Initialises the static pool and PSA crypto once; later calls do nothing.
 *  Returns DFD_OK or DFD_E_TLS_MEMORY / DFD_E_TLS_RNG. */
int dfd_tls_global_init(const dfd_port *port);

/** Configures a TLS client (TLS 1.2 minimum, AEAD ciphersuites only, certificate and
 *  host name verified). Returns DFD_OK or DFD_E_TLS_MEMORY. */
int dfd_tls_setup(dfd_tls *t, const dfd_port *port, const dfd_tls_options *opt);

/** Runs the handshake on a connected socket, offering the saved session when there is
 *  one. host is the name verified against the certificate (and sent as SNI).
 *  Returns DFD_OK, DFD_E_TIMEOUT_TLS, DFD_E_TLS_CERT_* (which check failed),
 *  DFD_E_TLS_VERSION, DFD_E_TLS_ALERT, DFD_E_TLS_PROTOCOL, DFD_E_TLS_MEMORY,
 *  DFD_E_TLS_HANDSHAKE, the port's error (DFD_E_RESET, DFD_E_IO, DFD_E_INTERRUPTED), or
 *  DFD_E_TLS_RETRY_TLS12 (reconnect after dfd_tls_use_tls12_fallback). */
int dfd_tls_handshake(dfd_tls *t, int sock, const char *host, uint64_t deadline);

/** After DFD_E_TLS_RETRY_TLS12 from a handshake: the next handshakes offer TLS 1.2 with
 *  the signature schemes mbedTLS 3.6.6 can verify there. */
void dfd_tls_use_tls12_fallback(dfd_tls *t);

/** Sends all n bytes. Returns DFD_OK, DFD_E_TIMEOUT, DFD_E_RESET, DFD_E_IO or
 *  DFD_E_TLS_PROTOCOL. */
int dfd_tls_send(dfd_tls *t, const uint8_t *buf, size_t n, uint64_t deadline);

/** Receives up to n bytes. Returns the count (> 0), 0 at the end of the stream
 *  (close_notify or the peer closed), DFD_E_TIMEOUT, DFD_E_RESET, DFD_E_IO,
 *  DFD_E_INTERRUPTED, DFD_E_TLS_ALERT or DFD_E_TLS_PROTOCOL. */
int dfd_tls_recv(dfd_tls *t, uint8_t *buf, size_t n, uint64_t deadline);

/** True when a kept-alive connection cannot carry the next request: the server sent
 *  something nobody asked for, closed it, or it failed. Reads without waiting. */
bool dfd_tls_stale(dfd_tls *t);

/** Ends the connection: sends close_notify when `notify`, keeps the session for
 *  resumption, leaves the socket to the caller. */
void dfd_tls_close(dfd_tls *t, bool notify);

/** Frees everything (the pool keeps only what other clients hold). */
void dfd_tls_free(dfd_tls *t);

/** The negotiated version ("TLSv1.3") and ciphersuite names of the open connection. */
const char *dfd_tls_version(const dfd_tls *t);
const char *dfd_tls_ciphersuite(const dfd_tls *t);

/** Pool figures: bytes in use now and the peak since start (0 when not measured). */
void dfd_tls_pool_stats(size_t *in_use, size_t *peak);

#endif
