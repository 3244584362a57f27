/* dfdiff on ESP-IDF's mbedTLS. ESP-IDF builds mbedTLS with its own configuration
 * (mbedtls/esp_config.h: hardware AES, SHA and bignum, its memory hooks, options from
 * Kconfig), not with dfdiff's src/dfd_mbedtls_config.h: the Wi-Fi driver, NVS encryption
 * and the rest of ESP-IDF are built against that configuration, and an object compiled
 * with another one would disagree with the library on the layout of every structure.
 * So dfdiff takes ESP-IDF's configuration and adds what src/tls.c needs:
 *   - from Kconfig (sdkconfig.defaults): TLS 1.2 and 1.3, the trusted-certificate
 *     callback (trust anchors looked up on demand), session tickets, certificate dates,
 *     16 KB in / 2 KB out records, ChaCha20-Poly1305, the curves; checked below;
 *   - here, the two options Kconfig does not offer.
 * This file is included at the end of esp_config.h (MBEDTLS_USER_CONFIG_FILE, set for the
 * whole build by the project's CMakeLists.txt), so every file of the image sees it. */
#ifndef DFD_ESP_MBEDTLS_H
#define DFD_ESP_MBEDTLS_H

/* src/tls.c: every mbedTLS allocation comes from dfdiff's static pool
 * (DFD_TLS_POOL_SIZE). The pool becomes mbedTLS's allocator for the whole image once
 * dfd_client_init has run: sdkconfig.defaults turns off the Wi-Fi supplicant's use of
 * mbedTLS (CONFIG_ESP_WIFI_MBEDTLS_CRYPTO), so dfdiff is its only user. */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C

/* src/tls.c: PSA's random numbers come from the port's entropy source, here
 * esp_fill_random() (the hardware RNG; true random numbers while Wi-Fi runs). */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG

/* The pool's peak, logged by the application after each poll (menuconfig). */
#if defined(CONFIG_DFDIFF_TLS_POOL_STATS) && CONFIG_DFDIFF_TLS_POOL_STATS
#define MBEDTLS_MEMORY_DEBUG
#endif

/* What Kconfig must have enabled (sdkconfig.defaults sets them all). */
#if !defined(MBEDTLS_SSL_PROTO_TLS1_2) || !defined(MBEDTLS_SSL_PROTO_TLS1_3) ||                    \
    !defined(MBEDTLS_SSL_CLI_C)
#error "dfdiff needs CONFIG_MBEDTLS_SSL_PROTO_TLS1_2 and _TLS1_3 (sdkconfig.defaults)"
#endif
#if !defined(MBEDTLS_X509_TRUSTED_CERTIFICATE_CALLBACK)
#error "dfdiff needs CONFIG_MBEDTLS_X509_TRUSTED_CERT_CALLBACK (sdkconfig.defaults)"
#endif
#if !defined(MBEDTLS_HAVE_TIME_DATE)
#error "dfdiff needs CONFIG_MBEDTLS_HAVE_TIME_DATE (certificate dates; SNTP sets the clock)"
#endif
#if !defined(MBEDTLS_SSL_SESSION_TICKETS) || !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "dfdiff needs CONFIG_MBEDTLS_CLIENT_SSL_SESSION_TICKETS and _SSL_KEEP_PEER_CERTIFICATE"
#endif
#if !defined(MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED) || !defined(MBEDTLS_GCM_C)
#error "dfdiff needs TLS 1.3 ephemeral key exchange and AES-GCM (sdkconfig.defaults)"
#endif
#if defined(CONFIG_MBEDTLS_DYNAMIC_BUFFER) && CONFIG_MBEDTLS_DYNAMIC_BUFFER
#error "CONFIG_MBEDTLS_DYNAMIC_BUFFER wraps mbedTLS's record functions: turn it off for dfdiff"
#endif

#endif
