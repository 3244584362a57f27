/* A scripted HTTPS server for the lwIP tests, in-process on its own thread: mbedTLS's
 * server side (sharing the client's pool) over a small socket interface, implemented on
 * lwIP sockets (srv_net_lwip.c) and on the OS's (srv_net_posix.c, for the bench). It
 * serves one connection at a time and counts connections and requests. */
#ifndef TLS_SERVER_H
#define TLS_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

typedef struct {
  const char *name;
  /** A listening TCP socket on 127.0.0.1, any free port, at most `backlog` connections
   *  waiting for accept. Returns it (>= 0) or -1. */
  int (*listen)(uint16_t *port, int backlog);
  /** Waits for a connection. Returns its socket or -1. */
  int (*accept)(int lsock);
  /** Sends up to n bytes (blocking). Returns the count or -1. */
  int (*send)(int s, const uint8_t *buf, size_t n);
  /** Receives up to n bytes within timeout_ms. Returns the count, 0 at the end of the
   *  stream, -1 on an error, -2 on a timeout. */
  int (*recv)(int s, uint8_t *buf, size_t n, uint32_t timeout_ms);
  /** Waits until s is readable. Returns 1, 0 on a timeout, -1 on an error. */
  int (*wait_readable)(int s, uint32_t timeout_ms);
  /** Opens and closes a connection to port on 127.0.0.1 (wakes the accept loop). */
  void (*poke)(uint16_t port);
  void (*close)(int s);
} srv_net;

typedef enum {
  SRV_FULL,      /* 200, Content-Length, a complete status */
  SRV_CHUNKED,   /* the same body in chunks of 1, 2, 10, 100 B and the rest */
  SRV_WATCH,     /* keep-alive: "processing" with steps 1, 2, 3 of 4, then "done" */
  SRV_STALL,     /* headers (Content-Length 500), then nothing until the client leaves */
  SRV_TRUNCATED, /* Content-Length 1000, 100 bytes, then the TCP connection closes */
  SRV_RESET,     /* handshake, then close with the request unread: lwIP sends a RST */
  SRV_BIG,       /* a valid status padded to big_len bytes */
} srv_mode;

typedef struct {
  const srv_net *net;
  mbedtls_ssl_config conf;
  mbedtls_x509_crt crt;
  mbedtls_pk_context key;
  int lsock;
  uint16_t port;
  pthread_t thread;
  _Atomic int mode;
  _Atomic int stop;
  _Atomic int connections; /* accepted since the last reset */
  _Atomic int requests;
  _Atomic int handshake_failures;
  size_t big_len;
  char last_target[96];     /* request target of the last request (written by the server) */
  _Atomic int last_auth_ok; /* it carried "Authorization: Key test-key" */
} tls_server;

/** Parses the certificate chain and key (PEM, NUL-terminated), listens and starts the
 *  server thread. dfd_tls_global_init must have run (pool and PSA). Returns 0 or -1. */
int tls_server_start(tls_server *s, const srv_net *net, const char *cert_pem, const char *key_pem);

/** Sets the behaviour of the next connections and zeroes the counters. */
void tls_server_reset(tls_server *s, srv_mode mode);

/** Stops the thread and frees everything. */
void tls_server_stop(tls_server *s);

extern const srv_net srv_net_lwip;
extern const srv_net srv_net_posix;

/* The status body the server sends (SRV_FULL, SRV_CHUNKED) for diff id. */
size_t tls_server_full_body(char *buf, size_t cap, long long id);

#endif
