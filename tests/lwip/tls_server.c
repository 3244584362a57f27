/* The scripted HTTPS server of the lwIP tests (see tls_server.h). */
#include "tls_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psa/crypto.h"

#define WAIT_MS 10000 /* longest the server waits for the client at any point */
#define NET_SEND_FAILED (-0x004E)
#define NET_RECV_FAILED (-0x004C)
#define WATCH_STEPS 4

typedef struct {
  tls_server *s;
  int sock;
} conn_ctx;

static int rng(void *ctx, unsigned char *out, size_t n) {
  (void)ctx;
  return psa_generate_random(out, n) == PSA_SUCCESS ? 0 : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len) {
  conn_ctx *c = ctx;
  int r = c->s->net->send(c->sock, buf, len);
  return r >= 0 ? r : NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len) {
  conn_ctx *c = ctx;
  int r = c->s->net->recv(c->sock, buf, len, WAIT_MS);
  if (r >= 0)
    return r;
  return r == -2 ? MBEDTLS_ERR_SSL_TIMEOUT : NET_RECV_FAILED;
}

static int write_all(mbedtls_ssl_context *ssl, const void *data, size_t n) {
  const unsigned char *p = data;
  while (n > 0) {
    int r = mbedtls_ssl_write(ssl, p, n);
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
      continue;
    if (r < 0)
      return r;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int write_str(mbedtls_ssl_context *ssl, const char *s) {
  return write_all(ssl, s, strlen(s));
}

/* Reads one request's head into buf. Returns its length, or 0 when the client is gone. */
static size_t read_request(mbedtls_ssl_context *ssl, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  while (!strstr(buf, "\r\n\r\n")) {
    if (len + 1 >= cap)
      return 0;
    int r = mbedtls_ssl_read(ssl, (unsigned char *)buf + len, cap - 1 - len);
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
      continue;
    if (r <= 0)
      return 0; /* close_notify, EOF, reset or timeout */
    len += (size_t)r;
    buf[len] = '\0';
  }
  return len;
}

size_t tls_server_full_body(char *buf, size_t cap, long long id) {
  int n = snprintf(
      buf, cap,
      "{\"id\":%lld,\"kind\":\"in_db\",\"status\":\"done\",\"done\":true,\"result\":\"different\","
      "\"table1\":[\"db\",\"public\",\"orders\"],\"table2\":[\"db\",\"public\",\"orders_v2\"],"
      "\"created_at\":\"2024-06-03T14:21:07.512345+00:00\","
      "\"finished_at\":\"2024-06-03T14:23:41.009871+00:00\",\"runtime\":153.497526,"
      "\"monitor_error\":null,"
      "\"diff_progress\":{\"version\":\"2\",\"completed_steps\":9,\"total_steps\":9},"
      "\"diff_stats\":{\"version\":\"2\",\"diff_duplicate_pks\":0,\"diff_null_pks\":0,"
      "\"diff_pks\":12,\"diff_rows_count\":418,\"diff_schema\":0,\"diff_values\":406,"
      "\"errors\":0,\"match_ratio\":0.9987404,\"rows_added\":5,\"rows_removed\":7,"
      "\"sampled\":false,\"table_a_row_count\":331872,\"table_b_row_count\":331870}}",
      id);
  return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static int respond_length(mbedtls_ssl_context *ssl, const char *body, size_t len) {
  char head[160];
  snprintf(head, sizeof head,
           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", len);
  int r = write_str(ssl, head);
  return r ? r : write_all(ssl, body, len);
}

static int respond_chunked(mbedtls_ssl_context *ssl, const char *body, size_t len) {
  int r = write_str(ssl, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n");
  static const size_t sizes[] = {1, 2, 10, 100};
  size_t at = 0;
  char line[48];
  for (size_t i = 0; r == 0 && at < len; i++) {
    size_t k = i < sizeof sizes / sizeof sizes[0] ? sizes[i] : len - at;
    if (k > len - at)
      k = len - at;
    snprintf(line, sizeof line, i == 2 ? "%zx;note=\"ext\"\r\n" : "%zX\r\n", k);
    r = write_str(ssl, line); /* each piece is its own TLS record */
    if (r == 0)
      r = write_all(ssl, body + at, k);
    if (r == 0)
      r = write_str(ssl, "\r\n");
    at += k;
  }
  return r ? r : write_str(ssl, "0\r\n\r\n");
}

static int respond_big(mbedtls_ssl_context *ssl, size_t total, long long id) {
  char head[160], start[160], chunk[2048];
  int n = snprintf(start, sizeof start,
                   "{\"id\":%lld,\"status\":\"done\",\"done\":true,\"result\":\"identical\","
                   "\"filler\":\"",
                   id);
  size_t pre = (size_t)n, post = 2; /* "} */
  if (total < pre + post)
    total = pre + post;
  snprintf(head, sizeof head,
           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
           total);
  int r = write_str(ssl, head);
  if (r == 0)
    r = write_all(ssl, start, pre);
  memset(chunk, 'x', sizeof chunk);
  for (size_t left = total - pre - post; r == 0 && left > 0;) {
    size_t k = left < sizeof chunk ? left : sizeof chunk;
    r = write_all(ssl, chunk, k);
    left -= k;
  }
  return r ? r : write_all(ssl, "\"}", post);
}

/* Waits until the client leaves (or WAIT_MS): the stalled response never continues. */
static void wait_for_close(mbedtls_ssl_context *ssl) {
  unsigned char sink[256];
  for (;;) {
    int r = mbedtls_ssl_read(ssl, sink, sizeof sink);
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE || r > 0)
      continue;
    return;
  }
}

static void serve(tls_server *s, int sock, srv_mode mode) {
  conn_ctx cc = {s, sock};
  mbedtls_ssl_context ssl;
  mbedtls_ssl_init(&ssl);
  if (mbedtls_ssl_setup(&ssl, &s->conf) != 0) {
    atomic_fetch_add(&s->handshake_failures, 1);
    mbedtls_ssl_free(&ssl);
    return;
  }
  mbedtls_ssl_set_bio(&ssl, &cc, bio_send, bio_recv, NULL);
  int r;
  do
    r = mbedtls_ssl_handshake(&ssl);
  while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE);
  if (r != 0) {
    atomic_fetch_add(&s->handshake_failures, 1);
    mbedtls_ssl_free(&ssl);
    return;
  }
  if (mode == SRV_RESET) {
    /* the request is there but never read: closing now makes lwIP answer with a RST */
    s->net->wait_readable(sock, WAIT_MS);
    mbedtls_ssl_free(&ssl);
    return;
  }
  char req[2048], body[1400];
  int on_conn = 0;
  for (;;) {
    if (read_request(&ssl, req, sizeof req) == 0)
      break;
    on_conn++;
    atomic_fetch_add(&s->requests, 1);
    char *sp = strchr(req, ' ');
    char *end = sp ? strchr(sp + 1, ' ') : NULL;
    size_t tlen = sp && end ? (size_t)(end - sp - 1) : 0;
    if (tlen >= sizeof s->last_target)
      tlen = sizeof s->last_target - 1;
    memcpy(s->last_target, sp ? sp + 1 : "", tlen);
    s->last_target[tlen] = '\0';
    atomic_store(&s->last_auth_ok, strstr(req, "\r\nAuthorization: Key test-key\r\n") != NULL);
    const char *idp = strstr(s->last_target, "/api/v1/datadiffs/");
    long long id = idp ? atoll(idp + strlen("/api/v1/datadiffs/")) : 0;
    size_t len;
    switch (mode) {
    case SRV_FULL:
      len = tls_server_full_body(body, sizeof body, id);
      r = respond_length(&ssl, body, len);
      break;
    case SRV_CHUNKED:
      len = tls_server_full_body(body, sizeof body, id);
      r = respond_chunked(&ssl, body, len);
      break;
    case SRV_WATCH: {
      int n = on_conn < WATCH_STEPS ? on_conn : WATCH_STEPS;
      int n2 =
          snprintf(body, sizeof body,
                   "{\"id\":%lld,\"status\":\"%s\",\"done\":%s,\"result\":%s,"
                   "\"diff_progress\":{\"completed_steps\":%d,\"total_steps\":%d}}",
                   id, n < WATCH_STEPS ? "processing" : "done", n < WATCH_STEPS ? "false" : "true",
                   n < WATCH_STEPS ? "null" : "\"identical\"", n, WATCH_STEPS);
      r = respond_length(&ssl, body, (size_t)n2);
      break;
    }
    case SRV_STALL:
      if (write_str(&ssl, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 500\r\n\r\n") == 0)
        wait_for_close(&ssl);
      r = -1; /* this connection is over either way */
      break;
    case SRV_TRUNCATED:
      len = tls_server_full_body(body, sizeof body, id);
      if (write_str(&ssl, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 1000\r\n\r\n") == 0)
        write_all(&ssl, body, len < 100 ? len : 100);
      r = -1; /* the connection ends here, no close_notify */
      break;
    case SRV_BIG:
      r = respond_big(&ssl, s->big_len, id);
      break;
    default:
      r = -1;
    }
    if (r != 0)
      break;
  }
  mbedtls_ssl_free(&ssl);
}

static void *server_main(void *arg) {
  tls_server *s = arg;
  for (;;) {
    int c = s->net->accept(s->lsock);
    if (atomic_load(&s->stop)) {
      if (c >= 0)
        s->net->close(c);
      break;
    }
    if (c < 0)
      continue;
    atomic_fetch_add(&s->connections, 1);
    serve(s, c, (srv_mode)atomic_load(&s->mode));
    s->net->close(c);
  }
  return NULL;
}

int tls_server_start(tls_server *s, const srv_net *net, const char *cert_pem, const char *key_pem) {
  memset(s, 0, sizeof *s);
  s->net = net;
  s->lsock = -1;
  mbedtls_ssl_config_init(&s->conf);
  mbedtls_x509_crt_init(&s->crt);
  mbedtls_pk_init(&s->key);
  if (mbedtls_x509_crt_parse(&s->crt, (const unsigned char *)cert_pem, strlen(cert_pem) + 1) != 0 ||
      mbedtls_pk_parse_key(&s->key, (const unsigned char *)key_pem, strlen(key_pem) + 1, NULL, 0,
                           rng, NULL) != 0 ||
      mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0)
    return -1;
  mbedtls_ssl_conf_rng(&s->conf, rng, NULL);
  if (mbedtls_ssl_conf_own_cert(&s->conf, &s->crt, &s->key) != 0)
    return -1;
  s->lsock = net->listen(&s->port, 4);
  if (s->lsock < 0)
    return -1;
  if (pthread_create(&s->thread, NULL, server_main, s) != 0)
    return -1;
  return 0;
}

void tls_server_reset(tls_server *s, srv_mode mode) {
  atomic_store(&s->mode, (int)mode);
  atomic_store(&s->connections, 0);
  atomic_store(&s->requests, 0);
  atomic_store(&s->handshake_failures, 0);
  atomic_store(&s->last_auth_ok, 0);
}

void tls_server_stop(tls_server *s) {
  atomic_store(&s->stop, 1);
  s->net->poke(s->port);
  pthread_join(s->thread, NULL);
  s->net->close(s->lsock);
  mbedtls_ssl_config_free(&s->conf);
  mbedtls_x509_crt_free(&s->crt);
  mbedtls_pk_free(&s->key);
}
