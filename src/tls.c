/* mbedTLS client over the port. Memory: one static pool, sized by DFD_TLS_POOL_SIZE. */
#include "tls.h"

#include <string.h>

#include "dfd_err.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"
#include "mbedtls/x509_crt.h"
#include "psa/crypto.h"

#define ERR_NET_RECV_FAILED (-0x004C) /* mbedTLS's net error codes, without its net module */
#define ERR_NET_SEND_FAILED (-0x004E)
#define ERR_NET_CONN_RESET (-0x0050)

static unsigned char pool[DFD_TLS_POOL_SIZE];
static const dfd_port *rng_port; /* PSA's external RNG has no context of ours */
static bool global_ready;

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context,
                                             uint8_t *output, size_t output_size,
                                             size_t *output_length) {
  (void)context;
  if (!rng_port || rng_port->entropy(rng_port->ctx, output, output_size) != 0)
    return PSA_ERROR_INSUFFICIENT_ENTROPY;
  *output_length = output_size;
  return PSA_SUCCESS;
}

/* dfdiff's bare-metal configuration (MBEDTLS_PLATFORM_MS_TIME_ALT) takes mbedTLS's
 * millisecond clock from the port. A platform with its own mbedTLS port (ESP-IDF) defines
 * mbedtls_ms_time itself. */
#if defined(DFD_MBEDTLS_BARE_METAL)
mbedtls_ms_time_t mbedtls_ms_time(void) {
  return rng_port ? (mbedtls_ms_time_t)rng_port->now_ms(rng_port->ctx) : 0;
}
#endif

int dfd_tls_global_init(const dfd_port *port) {
  rng_port = port;
  if (global_ready)
    return DFD_OK;
  mbedtls_memory_buffer_alloc_init(pool, sizeof pool);
  if (psa_crypto_init() != PSA_SUCCESS)
    return DFD_E_TLS_RNG;
  global_ready = true;
  return DFD_OK;
}

void dfd_tls_pool_stats(size_t *in_use, size_t *peak) {
#if defined(MBEDTLS_MEMORY_DEBUG)
  size_t cur_blocks, max_blocks;
  mbedtls_memory_buffer_alloc_cur_get(in_use, &cur_blocks);
  mbedtls_memory_buffer_alloc_max_get(peak, &max_blocks);
#else
  *in_use = *peak = 0;
#endif
}

static uint32_t remaining(const dfd_tls *t) {
  uint64_t now = t->port->now_ms(t->port->ctx);
  return now >= t->deadline
             ? 0
             : (uint32_t)(t->deadline - now > 0x7FFFFFFF ? 0x7FFFFFFF : t->deadline - now);
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len) {
  dfd_tls *t = ctx;
  uint32_t left = remaining(t);
  int r = left ? t->port->send(t->port->ctx, t->sock, buf, len, left) : DFD_E_TIMEOUT;
  if (r > 0)
    return r;
  t->io_err = r;
  return r == DFD_E_RESET ? ERR_NET_CONN_RESET : ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len) {
  dfd_tls *t = ctx;
  if (t->peeking) { /* dfd_tls_stale: what is there now, without waiting */
    int r = t->port->recv(t->port->ctx, t->sock, buf, len, 0);
    if (r == DFD_E_TIMEOUT)
      return MBEDTLS_ERR_SSL_WANT_READ;
    if (r >= 0)
      return r;
    t->io_err = r;
    return ERR_NET_RECV_FAILED;
  }
  uint32_t left = remaining(t);
  int r = left ? t->port->recv(t->port->ctx, t->sock, buf, len, left) : DFD_E_TIMEOUT;
  if (r >= 0)
    return r; /* 0: the peer closed; mbedTLS reports MBEDTLS_ERR_SSL_CONN_EOF */
  t->io_err = r;
  if (r == DFD_E_TIMEOUT)
    return MBEDTLS_ERR_SSL_TIMEOUT;
  return r == DFD_E_RESET ? ERR_NET_CONN_RESET : ERR_NET_RECV_FAILED;
}

/* The server certificate of an https://IP URL must name that IP in an IP address SAN. */
static int verify_ip(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags) {
  const dfd_tls *t = ctx;
  if (depth != 0 || t->ip_len == 0)
    return 0;
  for (const mbedtls_x509_sequence *san = &crt->subject_alt_names; san && san->buf.p;
       san = san->next)
    if (san->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_IP_ADDRESS) &&
        san->buf.len == t->ip_len && memcmp(san->buf.p, t->ip, t->ip_len) == 0)
      return 0;
  *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
  return 0;
}

/* Candidate issuers for a certificate, looked up in the trust source on demand. A root
 * read in place (the built-in store in flash) is parsed where it is, not copied into the
 * pool. An unparsable root is just not a candidate. */
static int add_candidate(void *arg, const uint8_t *der, size_t len, bool in_place) {
  if (in_place)
    mbedtls_x509_crt_parse_der_nocopy(arg, der, len);
  else
    mbedtls_x509_crt_parse_der(arg, der, len);
  return 0;
}

static int find_issuers(void *ctx, mbedtls_x509_crt const *child, mbedtls_x509_crt **candidates) {
  const dfd_trust_source *src = ctx;
  *candidates = NULL;
  mbedtls_x509_crt *chain = mbedtls_calloc(1, sizeof *chain);
  if (!chain)
    return MBEDTLS_ERR_X509_ALLOC_FAILED;
  mbedtls_x509_crt_init(chain);
  dfd_trust_scan(src, child->issuer_raw.p, child->issuer_raw.len, add_candidate, chain);
  if (chain->raw.p == NULL) { /* nothing parsed */
    mbedtls_x509_crt_free(chain);
    mbedtls_free(chain);
    return 0;
  }
  *candidates = chain;
  return 0;
}

static const int ciphersuites[] = {MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
                                   MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
                                   MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
                                   MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                   MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                   MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                   MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                   MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                                   MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                   0};

/* mbedTLS 3.6.6 offers RSA-PSS signature schemes in a TLS 1.2 + 1.3 ClientHello but
 * rejects them in a TLS 1.2 ServerKeyExchange (fixed upstream after 3.6.6). OpenSSL
 * servers limited to TLS 1.2 pick them: for those, the client reconnects once offering
 * TLS 1.2 with PKCS#1 v1.5 and ECDSA schemes only. */
static const uint16_t tls12_sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256, MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,       MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,       MBEDTLS_TLS1_3_SIG_NONE};

void dfd_tls_use_tls12_fallback(dfd_tls *t) {
  t->tls12_fallback = true;
  mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_sig_algs(&t->conf, tls12_sig_algs);
}

static int rng(void *ctx, unsigned char *out, size_t n) {
  (void)ctx;
  return psa_generate_random(out, n) == PSA_SUCCESS ? 0 : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

int dfd_tls_setup(dfd_tls *t, const dfd_port *port, const dfd_tls_options *opt) {
  memset(t, 0, sizeof *t);
  t->port = port;
  t->sock = -1;
  mbedtls_ssl_init(&t->ssl);
  mbedtls_ssl_config_init(&t->conf);
  if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0)
    return DFD_E_TLS_MEMORY;
  mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
  mbedtls_ssl_conf_ciphersuites(&t->conf, ciphersuites);
  mbedtls_ssl_conf_authmode(&t->conf, opt->insecure ? MBEDTLS_SSL_VERIFY_OPTIONAL
                                                    : MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_cb(&t->conf, find_issuers, (void *)opt->trust);
  mbedtls_ssl_conf_rng(&t->conf, rng, NULL);
  mbedtls_ssl_conf_session_tickets(&t->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
  mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
      &t->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
  if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0)
    return DFD_E_TLS_MEMORY;
  mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
  mbedtls_ssl_set_verify(&t->ssl, verify_ip, t);
  t->ready = true;
  return DFD_OK;
}

/* Which certificate check failed, most fundamental first. */
static int verify_error(uint32_t flags) {
  if (flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING))
    return DFD_E_TLS_CERT_UNKNOWN_CA;
  if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
    return DFD_E_TLS_CERT_EXPIRED;
  if (flags & MBEDTLS_X509_BADCERT_FUTURE)
    return DFD_E_TLS_CERT_FUTURE;
  if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
    return DFD_E_TLS_CERT_HOSTNAME;
  return DFD_E_TLS_CERT_OTHER;
}

static int map_error(dfd_tls *t, int ret) {
  if (t->io_err)
    return t->io_err;
  switch (ret) {
  case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
    return verify_error(t->verify_flags);
  case MBEDTLS_ERR_SSL_ALLOC_FAILED:
  case MBEDTLS_ERR_X509_ALLOC_FAILED:
  case MBEDTLS_ERR_MPI_ALLOC_FAILED:
  case MBEDTLS_ERR_PK_ALLOC_FAILED:
    return DFD_E_TLS_MEMORY;
  case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: {
    /* the alert's description: a server that only speaks older TLS, or only non-AEAD
       suites, answers our ClientHello with one of these */
    unsigned char alert = t->ssl.MBEDTLS_PRIVATE(in_msg)[1];
    if (alert == MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION ||
        alert == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE ||
        alert == MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY)
      return DFD_E_TLS_VERSION;
    return DFD_E_TLS_ALERT;
  }
  case MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION:
  case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
    return DFD_E_TLS_VERSION;
  case MBEDTLS_ERR_SSL_TIMEOUT:
    return DFD_E_TIMEOUT;
  case MBEDTLS_ERR_SSL_CONN_EOF:
    return DFD_E_CLOSED;
  default:
    return DFD_E_TLS_PROTOCOL;
  }
}

/* Keeps the connection's session (ticket or id) for the next handshake. */
static void save_session(dfd_tls *t) {
  if (!t->session) {
    t->session = mbedtls_calloc(1, sizeof *t->session);
    if (!t->session)
      return; /* no resumption, no harm */
  } else {
    mbedtls_ssl_session_free(t->session);
  }
  mbedtls_ssl_session_init(t->session);
  t->have_session = mbedtls_ssl_get_session(&t->ssl, t->session) == 0;
}

int dfd_tls_handshake(dfd_tls *t, int sock, const char *host, uint64_t deadline) {
  if (!t->ready)
    return DFD_E_STATE;
  mbedtls_ssl_session_reset(&t->ssl);
  t->sock = sock;
  t->deadline = deadline;
  t->io_err = 0;
  t->verify_flags = 0;
  /* An IP literal is neither sent as SNI (RFC 6066) nor matched against DNS names: the
     certificate must carry it as an IP address SAN (checked in verify_ip). */
  t->ip_len = (uint8_t)mbedtls_x509_crt_parse_cn_inet_pton(host, t->ip);
  if (mbedtls_ssl_set_hostname(&t->ssl, t->ip_len ? NULL : host) != 0)
    return DFD_E_TLS_MEMORY;
  if (t->have_session)
    mbedtls_ssl_set_session(&t->ssl, t->session); /* a stale session just means a full one */
  int ret;
  do {
    ret = mbedtls_ssl_handshake(&t->ssl);
  } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
  t->verify_flags = mbedtls_ssl_get_verify_result(&t->ssl);
  if (ret == MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER && !t->tls12_fallback && !t->io_err &&
      mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_2)
    return DFD_E_TLS_RETRY_TLS12;
  if (ret != 0) {
    int e = map_error(t, ret);
    if (e == DFD_E_TIMEOUT)
      return DFD_E_TIMEOUT_TLS;
    if (e == DFD_E_CLOSED)
      return DFD_E_TLS_HANDSHAKE;
    return e;
  }
  t->open = true;
  if (mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_2)
    save_session(t);
  return DFD_OK;
}

int dfd_tls_send(dfd_tls *t, const uint8_t *buf, size_t n, uint64_t deadline) {
  t->deadline = deadline;
  t->io_err = 0;
  while (n > 0) {
    int r = mbedtls_ssl_write(&t->ssl, buf, n);
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
      continue;
    if (r < 0)
      return map_error(t, r);
    buf += r;
    n -= (size_t)r;
  }
  return DFD_OK;
}

int dfd_tls_recv(dfd_tls *t, uint8_t *buf, size_t n, uint64_t deadline) {
  t->deadline = deadline;
  t->io_err = 0;
  for (;;) {
    int r = mbedtls_ssl_read(&t->ssl, buf, n);
    if (r > 0)
      return r;
    if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF)
      return 0;
    if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) { /* TLS 1.3: keep it, read on */
      save_session(t);
      continue;
    }
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
      continue;
    return map_error(t, r);
  }
}

bool dfd_tls_stale(dfd_tls *t) {
  uint8_t byte;
  t->peeking = true;
  t->io_err = 0;
  int r;
  do {
    r = mbedtls_ssl_read(&t->ssl, &byte, 1);
    if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      save_session(t); /* TLS 1.3 tickets arrive after the handshake: not stale */
  } while (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET);
  t->peeking = false;
  return r != MBEDTLS_ERR_SSL_WANT_READ;
}

void dfd_tls_close(dfd_tls *t, bool notify) {
  if (t->open && notify) {
    uint64_t now = t->port->now_ms(t->port->ctx);
    t->deadline = now + 1000; /* close_notify is a courtesy: never wait long for it */
    mbedtls_ssl_close_notify(&t->ssl);
  }
  t->open = false;
  t->sock = -1;
}

void dfd_tls_free(dfd_tls *t) {
  if (t->session) {
    mbedtls_ssl_session_free(t->session);
    mbedtls_free(t->session);
    t->session = NULL;
  }
  mbedtls_ssl_free(&t->ssl);
  mbedtls_ssl_config_free(&t->conf);
  t->ready = t->open = t->have_session = false;
}

const char *dfd_tls_version(const dfd_tls *t) { return mbedtls_ssl_get_version(&t->ssl); }

const char *dfd_tls_ciphersuite(const dfd_tls *t) { return mbedtls_ssl_get_ciphersuite(&t->ssl); }
