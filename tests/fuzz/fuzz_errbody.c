/* Error bodies through the real client: dfd_get (src/client.c) over a scripted transport,
 * which reaches the HTTP parser, the extractor on the body, and error_message(), the
 * static builder of info->message (RFC 7807 title/detail, FastAPI detail, else the body's
 * first line).
 *
 * Input: 1 byte choosing the HTTP status, 1 byte choosing the framing, 3 bytes choosing how
 * the transport cuts the stream (fuzz.h), then the body.
 *   framing & 3 == 0: Content-Length; 1: chunked (extensions, trailers); 2: close-delimited;
 *   3: raw: the rest of the input is the whole server stream, read by two dfd_get calls on
 *      one client (framing & 4: through a proxy, the stream starting with its CONNECT answer;
 *      framing & 8: the idle-connection probe before the second request sees nothing).
 * Checks (framed modes): dfd_get's result, record and message are those computed here from
 * the body alone: dfd_extract on the body, then the documented message rules, with the
 * API key redacted when the server echoes it (check_message). All modes:
 * texts terminated, the record cleared on an API error, its invariants (fuzz_status.h). */
#include "client.h"
#include "dfd_err.h"
#include "fuzz.h"
#include "fuzz_status.h"

#define STREAM_MAX (1 << 16)

static const int statuses[] = {400, 401, 403, 404, 409, 422, 429, 500,
                               502, 503, 504, 200, 418, 301, 302, 200};

typedef struct {
  const uint8_t *data;
  size_t len, pos;
  fuzz_split split;
  int connects;
  bool idle; /* a zero-timeout recv (the idle-connection probe) finds nothing pending */
} transport;

static int t_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms, int *sock) {
  transport *t = ctx;
  (void)host;
  (void)port;
  (void)timeout_ms;
  if (++t->connects > 4)
    return DFD_E_CONNECT_REFUSED;
  *sock = 3;
  return 0;
}

static int t_send(void *ctx, int sock, const uint8_t *buf, size_t n, uint32_t timeout_ms) {
  (void)ctx;
  (void)timeout_ms;
  FUZZ_CHECK(sock == 3 && n > 0 && buf != NULL, "send on socket %d, %zu bytes", sock, n);
  return n > 0x7FFFFFFF ? 0x7FFFFFFF : (int)n;
}

static int t_recv(void *ctx, int sock, uint8_t *buf, size_t n, uint32_t timeout_ms) {
  transport *t = ctx;
  FUZZ_CHECK(sock == 3 && n > 0, "recv on socket %d, %zu bytes", sock, n);
  if (timeout_ms == 0 && t->idle && t->pos < t->len)
    return DFD_E_TIMEOUT;
  if (t->pos >= t->len)
    return 0;
  size_t k = fuzz_next(&t->split, t->len - t->pos);
  if (k == 0)
    k = 1;
  if (k > n)
    k = n;
  memcpy(buf, t->data + t->pos, k);
  t->pos += k;
  return (int)k;
}

static void t_close(void *ctx, int sock) {
  (void)ctx;
  FUZZ_CHECK(sock == 3, "close of socket %d", sock);
}

static uint64_t t_now(void *ctx) {
  (void)ctx;
  return 1000; /* time stands still: no timeouts */
}

static void t_sleep(void *ctx, uint32_t ms) {
  (void)ctx;
  (void)ms;
}

static int t_entropy(void *ctx, uint8_t *buf, size_t n) {
  (void)ctx;
  memset(buf, 0x5A, n);
  return 0;
}

static int expected_error(int status) {
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

/* Appends s to out (cap bytes), cut to fit; returns the new length. */
static size_t cat(char *out, size_t len, size_t cap, const char *s, size_t n) {
  if (n > cap - 1 - len)
    n = cap - 1 - len;
  memcpy(out + len, s, n);
  out[len + n] = '\0';
  return len + n;
}

/* What info->message must say, from the body alone (client.h, README "Exit codes"). */
/* Sets *cut when a length limit cut the text (a field, the snippet or the message). */
static void expected_message(const dfd_status *st, int jerr, const uint8_t *body, size_t n,
                             char out[DFD_ERROR_TEXT_MAX], bool *cut) {
  if (jerr == DFD_OK && (st->error_title.present || st->error_detail.present)) {
    const char *t = st->error_title.present ? st->error_title.s : "";
    const char *d = st->error_detail.present ? st->error_detail.s : "";
    size_t len = cat(out, 0, DFD_ERROR_TEXT_MAX, t, strlen(t));
    if (*t && *d)
      len = cat(out, len, DFD_ERROR_TEXT_MAX, ": ", 2);
    len = cat(out, len, DFD_ERROR_TEXT_MAX, d, strlen(d));
    bool d_last = *d || !*t; /* which field ends the message */
    *cut = len == DFD_ERROR_TEXT_MAX - 1 ||
           (d_last ? st->error_detail.truncated : st->error_title.truncated);
    return;
  }
  char snippet[DFD_SNIPPET_MAX];
  size_t k = n < sizeof snippet - 1 ? n : sizeof snippet - 1;
  memcpy(snippet, body, k);
  snippet[k] = '\0';
  const char *s = snippet + strspn(snippet, " \r\n\t");
  size_t m = strcspn(s, "\r\n");
  cat(out, 0, DFD_ERROR_TEXT_MAX, s, m);
  *cut = s + m == snippet + sizeof snippet - 1 && n > k; /* the line ran into the cut */
}

/* The key the client sends; a server may echo it, and the message must not show it. */
#define API_KEY "sk-9f2b6c1e8a4d7730"
#define MARK "[redacted]"

/* info->message against the unredacted text `want`: the key never appears in it; each
 * "[redacted]" stands where want has the key and the rest is want's text, up to a point:
 * without the key in want, only a trailing piece of the key may be left out; and when a
 * length limit cut want inside the key, that piece (8 bytes or more) is not shown. */
static void check_message(const char *msg, const char *want, bool cut) {
  size_t klen = strlen(API_KEY), mlen = strlen(MARK), wlen = strlen(want);
  FUZZ_CHECK(!strstr(msg, API_KEY), "the key is in the message [%s]", msg);
  const char *m = msg, *w = want;
  while (*m) {
    if (strncmp(m, MARK, mlen) == 0 && strncmp(w, API_KEY, klen) == 0) {
      m += mlen;
      w += klen;
    } else {
      FUZZ_CHECK(*m == *w, "message [%s] is not [%s] with the key redacted", msg, want);
      m++;
      w++;
    }
  }
  size_t rest = wlen - (size_t)(w - want); /* bytes of want not shown */
  if (!strstr(want, API_KEY))
    FUZZ_CHECK(rest < klen && strncmp(w, API_KEY, rest) == 0, "message [%s], expected [%s]", msg,
               want);
  for (size_t k = 8; cut && rest == 0 && k < klen && k <= wlen; k++)
    FUZZ_CHECK(strncmp(want + wlen - k, API_KEY, k) != 0,
               "the message ends with the %zu bytes of the key a length limit left: [%s]", k, msg);
}

static uint8_t stream[STREAM_MAX];
static size_t stream_len;

static void put(const void *p, size_t n) {
  FUZZ_CHECK(stream_len + n <= sizeof stream, "stream buffer too small");
  memcpy(stream + stream_len, p, n);
  stream_len += n;
}

static void put_s(const char *s) { put(s, strlen(s)); }

static void put_num(unsigned long v, bool hex, bool upper) {
  char b[24];
  int k = snprintf(b, sizeof b, hex ? (upper ? "%lX" : "%lx") : "%lu", v);
  put(b, (size_t)k);
}

static dfd_client client;
static dfd_status got, direct;
static dfd_extract x;
static char want[DFD_ERROR_TEXT_MAX];
static char dg[2 * DFD_STATUS_JSON_MAX], dd[2 * DFD_STATUS_JSON_MAX];
static const dfd_status zero;

static void check_info(const dfd_get_info *info, const dfd_status *st, int rc) {
  FUZZ_CHECK(fuzz_terminated(info->message, sizeof info->message), "message not terminated");
  FUZZ_CHECK(fuzz_terminated(info->reason, sizeof info->reason), "reason not terminated");
  FUZZ_CHECK(fuzz_terminated(info->location, sizeof info->location), "location not terminated");
  if (dfd_err_class(rc) == 'A' && rc <= DFD_E_API_UNAUTHORIZED && rc >= DFD_E_API_STATUS)
    FUZZ_CHECK(memcmp(st, &zero, sizeof zero) == 0, "record not cleared on API error %d", rc);
  if (rc == DFD_OK) {
    FUZZ_CHECK(info->http_status == 200, "DFD_OK with HTTP %d", info->http_status);
    fuzz_check_status(st);
  }
}

FUZZ_TARGET(errbody) {
  uint8_t sel = size > 0 ? data[0] : 0, framing = size > 1 ? data[1] : 0;
  size_t skip = size < 2 ? size : 2;
  data += skip;
  size -= skip;
  fuzz_split split = fuzz_split_take(&data, &size);
  fuzz_split chunks = split;
  chunks.state ^= 0xA5A5A5A5u;
  chunks.zeros = false;
  if (chunks.max == 0)
    chunks.max = 100;

  int status = statuses[sel & 15];
  int mode = framing & 3;
  stream_len = 0;
  if (mode == 3) {
    put(data, size);
  } else {
    put_s("HTTP/1.1 ");
    put_num((unsigned long)status, false, false);
    put_s(" Some Reason\r\nContent-Type: application/json\r\n");
    if (mode == 0) {
      put_s("Content-Length: ");
      put_num((unsigned long)size, false, false);
      put_s("\r\n\r\n");
      put(data, size);
    } else if (mode == 1) {
      put_s("Transfer-Encoding: chunked\r\n\r\n");
      for (size_t off = 0; off < size;) {
        size_t n = fuzz_next(&chunks, size - off);
        put_num((unsigned long)n, true, framing & 4);
        put_s(framing & 4 ? ";ext=\"a b\"\r\n" : "\r\n");
        put(data + off, n);
        put_s("\r\n");
        off += n;
      }
      put_s("0\r\n");
      if (framing & 8)
        put_s("X-Trailer: 1\r\n");
      put_s("\r\n");
    } else {
      put_s("Connection: close\r\n\r\n");
      put(data, size);
    }
  }

  transport t = {stream, stream_len, 0, split, 0, (framing & 8) != 0};
  dfd_port port = {&t, t_connect, t_send, t_recv, t_close, t_now, t_sleep, t_entropy, NULL};
  dfd_client_config cfg = {0};
  cfg.url = "http://api.example.test:8080/prefix";
  cfg.api_key = API_KEY;
  cfg.timeout_ms = 30000;
  if (mode == 3 && (framing & 4)) {
    cfg.proxy_host = "proxy.example.test";
    cfg.proxy_port = 3128;
  }
  int rc = dfd_client_init(&client, &port, &cfg);
  FUZZ_CHECK(rc == DFD_OK, "client init %d", rc);
  dfd_get_info info;
  rc = dfd_get(&client, 12345, &got, &info);
  check_info(&info, &got, rc);

  if (mode == 3) {
    rc = dfd_get(&client, 12346, &got, &info); /* whatever is left, on the same client */
    check_info(&info, &got, rc);
    dfd_client_free(&client);
    return 0;
  }
  dfd_client_free(&client);

  dfd_extract_init(&x, &direct);
  int jerr = dfd_extract_feed(&x, data, size);
  jerr = dfd_extract_finish(&x);
  fuzz_check_status(&direct);

  FUZZ_CHECK(info.http_status == status, "HTTP status %d, sent %d", info.http_status, status);
  if (status == 200) {
    FUZZ_CHECK(rc == jerr, "dfd_get %d, the body alone %d", rc, jerr);
    FUZZ_CHECK(info.message[0] == '\0', "a message on 200: [%s]", info.message);
    size_t ng = fuzz_status_digest(&got, dg, sizeof dg);
    size_t nd = fuzz_status_digest(&direct, dd, sizeof dd);
    FUZZ_CHECK(ng == nd && memcmp(dg, dd, ng) == 0, "records differ:\n  get:  %s\n  body: %s", dg,
               dd);
    return 0;
  }
  FUZZ_CHECK(rc == expected_error(status), "dfd_get %d for HTTP %d", rc, status);
  bool cut = false;
  expected_message(&direct, jerr, data, size, want, &cut);
  check_message(info.message, want, cut);
  return 0;
}
