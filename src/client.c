#include "client.h"

#include <string.h>

#include "dfd_err.h"

#ifndef DFD_VERSION
#define DFD_VERSION "0"
#endif

int dfd_client_init(dfd_client *c, const dfd_port *port, const dfd_client_config *cfg) {
  memset(c, 0, sizeof *c);
  c->sock = -1;
  if (!port || !cfg || !cfg->url)
    return DFD_E_ARG;
  c->port = port;
  c->cfg = *cfg;
  if (!c->cfg.user_agent)
    c->cfg.user_agent = "dfdiff/" DFD_VERSION;
  int err = dfd_url_parse(cfg->url, &c->url);
  if (err != DFD_OK)
    return err;
  if (c->url.tls) {
    if (!cfg->trust)
      return DFD_E_ARG;
    dfd_tls_options opt = {cfg->trust, cfg->insecure};
    err = dfd_tls_global_init(port);
    if (err == DFD_OK)
      err = dfd_tls_setup(&c->tls, port, &opt);
  }
  return err;
}

static uint64_t now(const dfd_client *c) { return c->port->now_ms(c->port->ctx); }

static uint32_t left(const dfd_client *c, uint64_t deadline) {
  uint64_t t = now(c);
  return t >= deadline ? 0 : (uint32_t)(deadline - t);
}

static void drop_connection(dfd_client *c, bool notify) {
  if (!c->connected)
    return;
  if (c->url.tls)
    dfd_tls_close(&c->tls, notify);
  c->port->close(c->port->ctx, c->sock);
  c->sock = -1;
  c->connected = false;
}

void dfd_client_close(dfd_client *c) { drop_connection(c, true); }

void dfd_client_free(dfd_client *c) {
  drop_connection(c, true);
  if (c->url.tls)
    dfd_tls_free(&c->tls);
}

static int conn_send(dfd_client *c, const uint8_t *p, size_t n, uint64_t deadline);

static size_t append(char *buf, size_t at, size_t cap, const char *s) {
  while (*s && at + 1 < cap)
    buf[at++] = *s++;
  buf[at] = '\0';
  return at;
}

static int no_body(void *ctx, const uint8_t *data, size_t n) {
  (void)ctx;
  (void)data;
  (void)n;
  return DFD_E_PROXY; /* bytes after a CONNECT answer's headers: not ours to read */
}

/* Asks the proxy for a tunnel to the API host: the TLS session then runs end to end
 * through it, so the key never reaches the proxy in clear. */
static int open_tunnel(dfd_client *c, uint64_t deadline, dfd_get_info *info) {
  char target[DFD_HOST_MAX + 10], port[8];
  unsigned p = c->url.port, n = 0;
  char digits[6];
  do
    digits[n++] = (char)('0' + p % 10);
  while ((p /= 10) != 0);
  for (unsigned i = 0; i < n; i++)
    port[i] = digits[n - 1 - i];
  port[n] = '\0';
  size_t t = 0;
  t = append(target, t, sizeof target, c->url.ipv6 ? "[" : "");
  t = append(target, t, sizeof target, c->url.host);
  t = append(target, t, sizeof target, c->url.ipv6 ? "]:" : ":");
  append(target, t, sizeof target, port);
  char *req = c->io.request;
  size_t len = 0, cap = sizeof c->io.request;
  const char *parts[] = {
      "CONNECT ",        target,    " HTTP/1.1\r\nHost: ", target, "\r\nUser-Agent: ",
      c->cfg.user_agent, "\r\n\r\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    len = append(req, len, cap, parts[i]);
  if (len + 1 >= cap)
    return DFD_E_REQUEST_TOO_LONG;
  int err = conn_send(c, (const uint8_t *)req, len, deadline);
  if (err != DFD_OK)
    return err == DFD_E_TIMEOUT ? DFD_E_TIMEOUT_CONNECT : err;
  dfd_http_response_init(&c->resp);
  while (!c->resp.headers_done) {
    uint32_t budget = left(c, deadline);
    int r = budget ? c->port->recv(c->port->ctx, c->sock, c->io.rx, sizeof c->io.rx, budget)
                   : DFD_E_TIMEOUT;
    if (r == 0)
      return DFD_E_PROXY;
    if (r < 0)
      return r == DFD_E_TIMEOUT ? DFD_E_TIMEOUT_CONNECT : r;
    size_t used = 0;
    int f = dfd_http_feed(&c->resp, c->io.rx, (size_t)r, &used, no_body, NULL);
    if (f < 0 && !c->resp.headers_done)
      return DFD_E_PROXY;
    if (c->resp.headers_done && used < (size_t)r)
      return DFD_E_PROXY; /* the server cannot speak before our ClientHello */
  }
  info->proxy_status = c->resp.status;
  return c->resp.status >= 200 && c->resp.status <= 299 ? DFD_OK : DFD_E_PROXY;
}

static int connect_transport(dfd_client *c, uint64_t deadline, dfd_get_info *info) {
  uint32_t budget = left(c, deadline);
  if (budget == 0)
    return DFD_E_TIMEOUT_CONNECT;
  const char *host = c->cfg.proxy_host ? c->cfg.proxy_host : c->url.host;
  uint16_t port = c->cfg.proxy_host ? c->cfg.proxy_port : c->url.port;
  int err = c->port->connect(c->port->ctx, host, port, budget, &c->sock);
  if (err != DFD_OK || !c->cfg.proxy_host)
    return err;
  c->connected = true; /* conn_send needs it plain: TLS is not set up yet */
  bool tls = c->url.tls;
  c->url.tls = false;
  err = open_tunnel(c, deadline, info);
  c->url.tls = tls;
  c->connected = false;
  if (err != DFD_OK)
    c->port->close(c->port->ctx, c->sock);
  return err;
}

static int open_connection(dfd_client *c, uint64_t deadline, dfd_get_info *info) {
  uint64_t t0 = now(c);
  int err = connect_transport(c, deadline, info);
  info->ms_connect = (uint32_t)(now(c) - t0);
  if (err != DFD_OK)
    return err;
  c->connected = true;
  if (c->url.tls) {
    uint64_t t1 = now(c);
    err = dfd_tls_handshake(&c->tls, c->sock, c->url.host, deadline);
    if (err == DFD_E_TLS_RETRY_TLS12) {
      c->port->close(c->port->ctx, c->sock);
      c->connected = false;
      dfd_tls_use_tls12_fallback(&c->tls);
      err = connect_transport(c, deadline, info);
      if (err != DFD_OK)
        return err;
      c->connected = true;
      err = dfd_tls_handshake(&c->tls, c->sock, c->url.host, deadline);
    }
    info->ms_tls = (uint32_t)(now(c) - t1);
    info->verify_flags = c->tls.verify_flags;
    if (err != DFD_OK) {
      c->port->close(c->port->ctx, c->sock);
      c->connected = false;
      c->sock = -1;
      return err;
    }
  }
  return DFD_OK;
}

static int conn_send(dfd_client *c, const uint8_t *p, size_t n, uint64_t deadline) {
  if (c->url.tls)
    return dfd_tls_send(&c->tls, p, n, deadline);
  while (n > 0) {
    uint32_t budget = left(c, deadline);
    int r = budget ? c->port->send(c->port->ctx, c->sock, p, n, budget) : DFD_E_TIMEOUT;
    if (r < 0)
      return r;
    p += r;
    n -= (size_t)r;
  }
  return DFD_OK;
}

static int conn_recv(dfd_client *c, uint8_t *p, size_t n, uint64_t deadline) {
  if (c->url.tls)
    return dfd_tls_recv(&c->tls, p, n, deadline);
  uint32_t budget = left(c, deadline);
  return budget ? c->port->recv(c->port->ctx, c->sock, p, n, budget) : DFD_E_TIMEOUT;
}

/* Before a kept-alive connection carries a request: anything already waiting on it (an
 * unsolicited response, a close) means it must not be reused. */
static bool connection_stale(dfd_client *c) {
  if (c->url.tls)
    return dfd_tls_stale(&c->tls);
  return c->port->recv(c->port->ctx, c->sock, c->io.rx, sizeof c->io.rx, 0) != DFD_E_TIMEOUT;
}

static int on_body(void *ctx, const uint8_t *data, size_t n) {
  dfd_client *c = ctx;
  if (c->snippet_len < sizeof c->snippet - 1) {
    size_t k = sizeof c->snippet - 1 - c->snippet_len;
    if (k > n)
      k = n;
    memcpy(c->snippet + c->snippet_len, data, k);
    c->snippet_len += k;
    c->snippet[c->snippet_len] = '\0';
  }
  dfd_extract_feed(&c->extract, data, n); /* an error sticks; judged at the end */
  return 0;
}

/* Reads one response. Returns DFD_OK when complete; `nothing` tells whether the
 * connection ended before its first byte (a kept-alive connection the server dropped). */
static int read_response(dfd_client *c, uint64_t deadline, dfd_get_info *info, bool *nothing) {
  bool any = false;
  uint64_t t0 = now(c);
  *nothing = false;
  for (;;) {
    int n = conn_recv(c, c->io.rx, sizeof c->io.rx, deadline);
    if (n == 0) {
      int r = dfd_http_eof(&c->resp);
      if (r == 1) {
        drop_connection(c, false);
        return DFD_OK;
      }
      *nothing = !any;
      return any ? DFD_E_HTTP_TRUNCATED : DFD_E_CLOSED;
    }
    if (n < 0) {
      if (n == DFD_E_TIMEOUT)
        return c->resp.headers_done ? DFD_E_TIMEOUT_BODY : DFD_E_TIMEOUT_RESPONSE;
      if (!any && (n == DFD_E_RESET || n == DFD_E_CLOSED))
        *nothing = true;
      return n == DFD_E_CLOSED ? (any ? DFD_E_HTTP_TRUNCATED : DFD_E_CLOSED) : n;
    }
    if (!any) {
      info->ms_first_byte = (uint32_t)(now(c) - t0);
      any = true;
    }
    size_t used = 0;
    int r = dfd_http_feed(&c->resp, c->io.rx, (size_t)n, &used, on_body, c);
    if (r < 0)
      return r;
    if (r == 1) {
      if (used < (size_t)n || !c->resp.keep_alive)
        drop_connection(c, true); /* unasked-for bytes: this connection is not trusted again */
      return DFD_OK;
    }
  }
}

static int status_error(int status) {
  switch (status) {
  case 401:
    return DFD_E_API_UNAUTHORIZED;
  case 403:
    return DFD_E_API_FORBIDDEN;
  case 404:
    return DFD_E_API_NOT_FOUND;
  case 422:
    return DFD_E_API_INVALID;
  case 429:
    return DFD_E_API_RATE_LIMITED;
  case 301:
  case 302:
  case 303:
  case 307:
  case 308:
    return DFD_E_API_REDIRECT;
  default:
    return status >= 500 && status <= 599 ? DFD_E_API_SERVER : DFD_E_API_STATUS;
  }
}

static void copy_text(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* strstr, without newlib's 1 KB one on devices. */
static char *find_text(char *hay, const char *needle, size_t n) {
  for (; *hay; hay++)
    if (*hay == *needle && strncmp(hay, needle, n) == 0)
      return hay;
  return NULL;
}

/* A server that echoes the key back does not get it printed. */
static void redact_key(const dfd_client *c, char *msg, size_t cap) {
  const char *key = c->cfg.api_key;
  size_t klen = key ? strlen(key) : 0;
  static const char mark[] = "[redacted]";
  char *from = msg, *hit;
  while (klen > 0 && (hit = find_text(from, key, klen)) != NULL) {
    size_t pos = (size_t)(hit - msg);
    if (pos + sizeof mark > cap) { /* no room for the mark: cut the message there */
      *hit = '\0';
      break;
    }
    size_t tail = strlen(hit + klen), room = cap - pos - sizeof mark;
    if (tail > room)
      tail = room;
    memmove(hit + sizeof mark - 1, hit + klen, tail);
    hit[sizeof mark - 1 + tail] = '\0';
    memcpy(hit, mark, sizeof mark - 1);
    from = hit + sizeof mark - 1; /* on after the mark, which may hold the key itself */
  }
  /* a length limit may have cut the message inside the key: drop the piece left */
  size_t n = strlen(msg);
  for (size_t k = klen > n + 1 ? n : (klen > 0 ? klen - 1 : 0); k >= 4; k--)
    if (strncmp(msg + n - k, key, k) == 0) {
      msg[n - k] = '\0';
      break;
    }
}

/* The server's own words: RFC 7807 title/detail, FastAPI detail, or the body's first line. */
static void message_from_body(dfd_client *c, const dfd_status *st, dfd_get_info *info) {
  int jerr = dfd_extract_finish(&c->extract);
  if (jerr == DFD_OK && (st->error_title.present || st->error_detail.present)) {
    const char *t = st->error_title.present ? st->error_title.s : "";
    const char *d = st->error_detail.present ? st->error_detail.s : "";
    copy_text(info->message, sizeof info->message, t);
    if (*t && *d) {
      size_t n = strlen(info->message);
      copy_text(info->message + n, sizeof info->message - n, ": ");
    }
    size_t n = strlen(info->message);
    copy_text(info->message + n, sizeof info->message - n, d);
    return;
  }
  const char *s = c->snippet;
  while (*s == ' ' || *s == '\r' || *s == '\n' || *s == '\t')
    s++;
  size_t n = strcspn(s, "\r\n");
  if (n >= sizeof info->message)
    n = sizeof info->message - 1;
  memcpy(info->message, s, n);
  info->message[n] = '\0';
}

static void error_message(dfd_client *c, const dfd_status *st, dfd_get_info *info) {
  message_from_body(c, st, info);
  redact_key(c, info->message, sizeof info->message);
}

int dfd_get(dfd_client *c, int64_t id, dfd_status *st, dfd_get_info *info) {
  memset(info, 0, sizeof *info);
  info->retry_after_ms = -1;
  info->tls = c->url.tls;
  memset(st, 0, sizeof *st);
  uint64_t start = now(c), deadline = start + c->cfg.timeout_ms;
  char host[DFD_HOST_MAX + 8];
  int err = dfd_url_host_header(&c->url, host, sizeof host);
  if (err != DFD_OK)
    return err;
  dfd_http_request req = {host,        c->url.base_path, id,
                          c->cfg.poll, c->cfg.api_key,   c->cfg.user_agent};
  for (int attempt = 0;; attempt++) {
    if (c->connected && connection_stale(c))
      drop_connection(c, false); /* unasked-for bytes are never taken as our answer */
    info->reused = c->connected;
    if (!c->connected) {
      err = open_connection(c, deadline, info);
      if (err != DFD_OK)
        break;
    }
    if (c->url.tls) {
      info->tls_version = dfd_tls_version(&c->tls);
      info->ciphersuite = dfd_tls_ciphersuite(&c->tls);
    }
    dfd_http_response_init(&c->resp);
    dfd_extract_init(&c->extract, st);
    c->snippet_len = 0;
    c->snippet[0] = '\0';
    bool nothing = false;
    size_t req_len = 0;
    err = dfd_http_write_request(c->io.request, sizeof c->io.request, &req, &req_len);
    if (err != DFD_OK)
      return err;
    err = conn_send(c, (const uint8_t *)c->io.request, req_len, deadline);
    memset(c->io.request, 0, req_len); /* the key does not linger in our buffers */
    if (err == DFD_E_TIMEOUT)
      err = DFD_E_TIMEOUT_SEND;
    else if (err != DFD_OK)
      nothing = true;
    if (err == DFD_OK)
      err = read_response(c, deadline, info, &nothing);
    /* A signal is the user's doing, not the connection's: that one still ends politely. */
    if (err != DFD_OK)
      drop_connection(c, err == DFD_E_INTERRUPTED);
    /* a kept-alive connection may have been closed by the server meanwhile: once more */
    if (err != DFD_OK && nothing && info->reused && attempt == 0)
      continue;
    break;
  }
  info->ms_total = (uint32_t)(now(c) - start);
  info->body_bytes = c->resp.body_bytes;
  if (err != DFD_OK)
    return err;
  info->http_status = c->resp.status;
  copy_text(info->reason, sizeof info->reason, c->resp.reason);
  if (c->resp.retry_after_s >= 0)
    info->retry_after_ms =
        c->resp.retry_after_s > INT64_MAX / 1000 ? INT64_MAX : c->resp.retry_after_s * 1000;
  else if (c->resp.retry_after_epoch >= 0 && c->resp.date_epoch >= 0)
    info->retry_after_ms = c->resp.retry_after_epoch > c->resp.date_epoch
                               ? (c->resp.retry_after_epoch - c->resp.date_epoch) * 1000
                               : 0;
  copy_text(info->location, sizeof info->location, c->resp.location);
  if (c->resp.status != 200) {
    error_message(c, st, info);
    memset(st, 0, sizeof *st);
    return status_error(c->resp.status);
  }
  return dfd_extract_finish(&c->extract);
}
