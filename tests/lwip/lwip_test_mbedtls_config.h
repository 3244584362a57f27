/* mbedTLS configuration of the lwIP host test: dfdiff's client configuration plus a TLS
 * server (the in-process server the client talks to) and locking, because client and
 * server run on two threads and share one static pool and one PSA key store.
 * Every object of the test that includes an mbedTLS header (src/tls.c included) is built
 * with this file: the server options change the layout of mbedtls_ssl_config. */
#ifndef LWIP_TEST_MBEDTLS_CONFIG_H
#define LWIP_TEST_MBEDTLS_CONFIG_H

#include "dfd_mbedtls_config.h"

#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_THREADING_C /* the pool allocator and PSA take a mutex */
#define MBEDTLS_THREADING_PTHREAD

#endif
