/* mbedTLS configuration of dfdiff: a TLS 1.2 + 1.3 client and nothing else, all memory
 * from a static pool. The same header builds the host library and the device images;
 * DFD_MBEDTLS_BARE_METAL switches the few platform hooks a microcontroller needs and the
 * lean set of algorithms (DFD_MBEDTLS_LEAN, below) that fits its flash budget. */
#ifndef DFD_MBEDTLS_CONFIG_H
#define DFD_MBEDTLS_CONFIG_H

/* --- platform ---------------------------------------------------------------------- */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C /* every allocation from the static pool */
/* Blocks aligned for the widest type the library stores (64-bit integers and pointers
 * on 64-bit hosts); the default of 4 gives misaligned loads there. */
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE          /* certificate validity needs the date */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG /* the port's entropy source, no DRBG module */
/* PSA keys alive at once, 40 B of static RAM each (32 by default): a handshake holds at
 * most two, its ephemeral ECDHE key and a resumption PSK (with one slot, resumed TLS 1.3
 * handshakes fail; with two, the whole suite passes). */
#ifndef MBEDTLS_PSA_KEY_SLOT_COUNT
#define MBEDTLS_PSA_KEY_SLOT_COUNT 4
#endif
#if defined(DFD_MBEDTLS_BARE_METAL)
#define MBEDTLS_PLATFORM_MS_TIME_ALT  /* from the port's clock */
#define MBEDTLS_PLATFORM_GMTIME_R_ALT /* newlib-nano's gmtime drags in assert and stdio */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#else
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_MEMORY_DEBUG /* pool peak and in-use figures for measurement */
#endif

/* --- TLS client ---------------------------------------------------------------------- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resumption */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* TLS 1.3 needs it */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#ifndef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384 /* servers send full-size records */
#endif
#ifndef MBEDTLS_SSL_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048 /* our request is a few hundred bytes */
#endif

/* --- certificates -------------------------------------------------------------------- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_TRUSTED_CERTIFICATE_CALLBACK /* trust anchors looked up on demand */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT           /* TLS 1.3 with RSA certificates */
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C

/* --- crypto: AEAD only, ECDHE, ECDSA and RSA signatures ------------------------------- */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_BLOCK_CIPHER_NO_DECRYPT /* GCM and ChaCha only ever encrypt blocks */
#define MBEDTLS_GCM_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED /* ISRG Root X2, GTS R3/R4, Amazon CA 4 */
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_MPI_MAX_SIZE 512 /* RSA-4096 roots (ISRG Root X1) */
#define MBEDTLS_MPI_WINDOW_SIZE 2

/* --- what the lean set leaves out ----------------------------------------------------
 * Microcontroller builds (DFD_MBEDTLS_BARE_METAL, and the lwIP host test that stands for
 * them) leave out what no server needs from a client, 6 KB of flash on a Cortex-M4:
 * ChaCha20-Poly1305 (every TLS server offers AES-GCM: TLS 1.3 makes AES-128-GCM
 * mandatory), X25519 (TLS 1.3 servers must accept P-256 key shares; ECDHE P-256 and P-384
 * remain), SHA-224, and max_fragment_length negotiation (which dfdiff never asks for). */
#if defined(DFD_MBEDTLS_BARE_METAL) && !defined(DFD_MBEDTLS_LEAN)
#define DFD_MBEDTLS_LEAN
#endif
#if !defined(DFD_MBEDTLS_LEAN)
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_SHA224_C
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#endif

#endif
