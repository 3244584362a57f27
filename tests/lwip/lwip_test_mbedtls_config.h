/* mbedTLS configuration of the lwIP host test: dfdiff's client configuration plus a TLS
 * server (the in-process server the client talks to) and locking, because client and
 * server run on two threads and share one static pool and one PSA key store.
 * Every object of the test that includes an mbedTLS header (src/tls.c included) is built
 * with this file: the server options change the layout of mbedtls_ssl_config. */
#ifndef LWIP_TEST_MBEDTLS_CONFIG_H
#define LWIP_TEST_MBEDTLS_CONFIG_H

/* The devices' lean set of algorithms (no ChaCha20-Poly1305, no X25519...): the test's
 * handshakes over lwIP use what a device offers. */
#define DFD_MBEDTLS_LEAN
#define MBEDTLS_PSA_KEY_SLOT_COUNT 8 /* the server's keys too: both ends share the store */
#include "dfd_mbedtls_config.h"

#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_THREADING_C /* the pool allocator and PSA take a mutex */
#define MBEDTLS_THREADING_PTHREAD

#endif
