/* Tests for src/http.c: the request writer's exact bytes and the response parser. Every
 * response is parsed whole, split in two at many offsets, in random chunk sizes and one
 * byte at a time; every way must give the same result. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dfd_err.h"
#include "http.h"
#include "test.h"

/* ---------------------------------------------------------------- helpers */

#define BODY_MAX 65536

typedef struct {
  int rc;      /* last dfd_http_feed return */
  size_t used; /* sum of *used over the feeds */
  int eof_rc;  /* dfd_http_eof after the input ran out with rc 0; 0 when not called */
  int status;
  char reason[DFD_HTTP_REASON_MAX];
  bool headers_done, keep_alive, chunked, location_truncated;
  int64_t content_length, retry_after_s, retry_after_epoch, date_epoch, body_bytes;
  char location[DFD_HTTP_LOCATION_MAX];
  char content_type[DFD_HTTP_CONTENT_TYPE_MAX];
  size_t body_len;     /* bytes the callback saw */
  uint32_t body_hash;  /* FNV-1a of them */
  int calls;           /* callback invocations */
  char body[BODY_MAX]; /* the first BODY_MAX bytes */
} result;

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static int on_body(void *ctx, const uint8_t *data, size_t n) {
  result *res = ctx;
  if (n == 0)
    res->calls += 1000; /* an empty callback is a bug: make it visible */
  for (size_t i = 0; i < n && res->body_len + i < BODY_MAX; i++)
    res->body[res->body_len + i] = (char)data[i];
  res->body_len += n;
  res->body_hash = fnv(res->body_hash, data, n);
  res->calls++;
  return 0;
}

static uint32_t rng_state;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Chunking modes: split >= 0 cuts once there; otherwise step 0 means random sizes up to
 * max_chunk, and step > 0 fixed-size pieces. */
typedef struct {
  long split;
  size_t step, max_chunk;
  uint32_t seed;
} chunking;

static void feed_with(const uint8_t *in, size_t n, chunking how, result *res) {
  dfd_http_response r;
  memset(res, 0, sizeof *res);
  res->body_hash = 2166136261u;
  dfd_http_response_init(&r);
  rng_state = how.seed;
  size_t off = 0;
  int rc = 0;
  int feeds = 0;
  while (off < n || feeds == 0) {
    size_t k;
    if (how.split >= 0)
      k = off < (size_t)how.split ? (size_t)how.split - off : n - off;
    else if (how.step)
      k = how.step;
    else
      k = 1 + rng() % how.max_chunk;
    if (k > n - off)
      k = n - off;
    size_t used = 12345;
    rc = dfd_http_feed(&r, in + off, k, &used, on_body, res);
    feeds++;
    res->used += used;
    if (rc != 0)
      break;
    if (used != k)
      res->used += 1000000; /* rc 0 must consume everything */
    off += k;
    if (off >= n)
      break;
  }
  res->rc = rc;
  if (rc == 0)
    res->eof_rc = dfd_http_eof(&r);
  res->status = r.status;
  memcpy(res->reason, r.reason, sizeof r.reason);
  res->headers_done = r.headers_done;
  res->keep_alive = r.keep_alive;
  res->chunked = r.chunked;
  res->location_truncated = r.location_truncated;
  res->content_length = r.content_length;
  res->retry_after_s = r.retry_after_s;
  res->retry_after_epoch = r.retry_after_epoch;
  res->date_epoch = r.date_epoch;
  res->body_bytes = r.body_bytes;
  memcpy(res->location, r.location, sizeof r.location);
  memcpy(res->content_type, r.content_type, sizeof r.content_type);
}

static bool same(const result *a, const result *b) {
  return a->rc == b->rc && a->used == b->used && a->eof_rc == b->eof_rc && a->status == b->status &&
         strcmp(a->reason, b->reason) == 0 && a->headers_done == b->headers_done &&
         a->keep_alive == b->keep_alive && a->chunked == b->chunked &&
         a->location_truncated == b->location_truncated && a->content_length == b->content_length &&
         a->retry_after_s == b->retry_after_s && a->retry_after_epoch == b->retry_after_epoch &&
         a->date_epoch == b->date_epoch && a->body_bytes == b->body_bytes &&
         strcmp(a->location, b->location) == 0 && strcmp(a->content_type, b->content_type) == 0 &&
         a->body_len == b->body_len && a->body_hash == b->body_hash;
}

static result res_whole, res_other;

/* Parses in every chunking, checks they agree, and leaves the whole-buffer result. */
static const result *parse_n(const char *text, size_t n) {
  const uint8_t *in = (const uint8_t *)text;
  chunking whole = {-1, n ? n : 1, 0, 0};
  feed_with(in, n, whole, &res_whole);
  /* every offset for small inputs; a spread of them (and both ends) for big ones */
  size_t stride = n <= 3000 ? 1 : n / 509;
  for (size_t s = 0; s <= n; s += (s < 40 || n - s < 40) ? 1 : stride) {
    chunking c = {(long)s, 0, 0, 0};
    feed_with(in, n, c, &res_other);
    CHECKF(same(&res_whole, &res_other), "split at %zu differs (rc %d/%d used %zu/%zu)", s,
           res_whole.rc, res_other.rc, res_whole.used, res_other.used);
  }
  static const size_t maxes[] = {3, 17, 300, 5000};
  for (unsigned m = 0; m < sizeof maxes / sizeof maxes[0]; m++)
    for (uint32_t seed = 1; seed <= 4; seed++) {
      chunking c = {-1, 0, maxes[m], 0x9E3779B9u * seed};
      feed_with(in, n, c, &res_other);
      CHECKF(same(&res_whole, &res_other), "random chunks (max %zu, seed %u) differ", maxes[m],
             seed);
    }
  chunking bytes = {-1, 1, 0, 0};
  feed_with(in, n, bytes, &res_other);
  CHECKF(same(&res_whole, &res_other), "byte-by-byte differs (rc %d/%d used %zu/%zu)", res_whole.rc,
         res_other.rc, res_whole.used, res_other.used);
  return &res_whole;
}

#define PARSE(lit) parse_n((lit), sizeof(lit) - 1)

static bool body_is(const result *r, const char *s) {
  return r->body_len == strlen(s) && memcmp(r->body, s, r->body_len) == 0;
}

/* A complete response parsed to the end: rc 1 and every byte consumed. */
static void check_complete(const result *r, size_t n) {
  CHECKF(r->rc == 1, "rc %d", r->rc);
  CHECKF(r->used == n, "used %zu of %zu", r->used, n);
}

#define COMPLETE(r, lit) check_complete((r), sizeof(lit) - 1)

/* ---------------------------------------------------------------- request writer */

static const dfd_http_request base_req = {
    "app.datafold.com", "", 42, NULL, NULL, "dfdiff/0.1.0",
};

static void req_exact_bytes(void) {
  char buf[512];
  size_t len = 99;
  dfd_http_request q = {"example.com:8443", "/proxy", 1234567, "60", "k3y-ABC", "dfdiff/0.1.0"};
  static const char want[] = "GET /proxy/api/v1/datadiffs/1234567?poll=60 HTTP/1.1\r\n"
                             "Host: example.com:8443\r\n"
                             "User-Agent: dfdiff/0.1.0\r\n"
                             "Accept: application/json\r\n"
                             "Authorization: Key k3y-ABC\r\n"
                             "Connection: keep-alive\r\n\r\n";
  CHECK(dfd_http_write_request(buf, sizeof buf, &q, &len) == DFD_OK);
  CHECKF(len == sizeof want - 1 && memcmp(buf, want, len) == 0, "got %.*s", (int)len, buf);
}

static void req_minimal(void) {
  char buf[256];
  size_t len = 0;
  static const char want[] = "GET /api/v1/datadiffs/42 HTTP/1.1\r\n"
                             "Host: app.datafold.com\r\n"
                             "User-Agent: dfdiff/0.1.0\r\n"
                             "Accept: application/json\r\n"
                             "Connection: keep-alive\r\n\r\n";
  CHECK(dfd_http_write_request(buf, sizeof buf, &base_req, &len) == DFD_OK);
  CHECKF(len == sizeof want - 1 && memcmp(buf, want, len) == 0, "got %.*s", (int)len, buf);
  dfd_http_request q = base_req;
  q.base_path = NULL; /* same as "" */
  q.id = 0;
  CHECK(dfd_http_write_request(buf, sizeof buf, &q, &len) == DFD_OK);
  CHECK(len > 27 && memcmp(buf, "GET /api/v1/datadiffs/0 HTTP", 27) == 0);
  q.id = INT64_MAX;
  CHECK(dfd_http_write_request(buf, sizeof buf, &q, &len) == DFD_OK);
  CHECK(memcmp(buf, "GET /api/v1/datadiffs/9223372036854775807 HTTP/1.1\r\n", 52) == 0);
}

static void req_poll_encoding(void) {
  char buf[512];
  size_t len = 0;
  dfd_http_request q = base_req;
  q.poll = "a Z09-._~/?&=+%#\x01\xc3\xa9:";
  static const char want[] = "GET /api/v1/datadiffs/42?poll="
                             "a%20Z09-._~%2F%3F%26%3D%2B%25%23%01%C3%A9%3A HTTP/1.1\r\n";
  CHECK(dfd_http_write_request(buf, sizeof buf, &q, &len) == DFD_OK);
  CHECKF(len > sizeof want - 1 && memcmp(buf, want, sizeof want - 1) == 0, "got %.*s", (int)len,
         buf);
  q.poll = "";
  CHECK(dfd_http_write_request(buf, sizeof buf, &q, &len) == DFD_OK);
  CHECK(memcmp(buf, "GET /api/v1/datadiffs/42?poll= HTTP/1.1\r\n", 41) == 0);
}

static void req_injection_rejected(void) {
  char buf[512];
  struct {
    const char *host, *base, *key, *ua;
    int64_t id;
  } bad[] = {
      {"h\r\nX: y", "", NULL, "ua", 1}, {"h", "", "k\r\nX: y", "ua", 1},
      {"h", "", "k", "ua\nX: y", 1},    {"h", "/p\r\n", NULL, "ua", 1},
      {"h", "", "k\tv", "ua", 1},       {"h", "", "k\x7f", "ua", 1},
      {"h o", "", NULL, "ua", 1},       {"", "", NULL, "ua", 1},
      {"h", "/a b", NULL, "ua", 1},     {"h", "p", NULL, "ua", 1},
      {"h", "/p?x", NULL, "ua", 1},     {"h", "/p#x", NULL, "ua", 1},
      {"h", "", NULL, "ua", -1},        {NULL, "", NULL, "ua", 1},
      {"h", "", NULL, NULL, 1},         {"h", "", "k\x01", "ua", 1},
  };
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dfd_http_request q = {bad[i].host, bad[i].base, bad[i].id, NULL, bad[i].key, bad[i].ua};
    size_t len = 77;
    memset(buf, 'x', sizeof buf);
    int rc = dfd_http_write_request(buf, sizeof buf, &q, &len);
    CHECKF(rc == DFD_E_ARG, "case %u: rc %d", i, rc);
    CHECKF(len == 0, "case %u: len %zu", i, len);
    CHECKF(buf[0] == 'x', "case %u wrote into buf", i);
  }
  size_t len;
  CHECK(dfd_http_write_request(buf, sizeof buf, NULL, &len) == DFD_E_ARG);
  CHECK(dfd_http_write_request(buf, sizeof buf, &base_req, NULL) == DFD_E_ARG);
  CHECK(dfd_http_write_request(NULL, 10, &base_req, &len) == DFD_E_ARG);
  CHECK(dfd_http_write_request(NULL, 0, &base_req, &len) == DFD_E_ARG);
  /* a space is fine inside a User-Agent and a key */
  dfd_http_request ok = base_req;
  ok.user_agent = "dfdiff/0.1 (posix)";
  CHECK(dfd_http_write_request(buf, sizeof buf, &ok, &len) == DFD_OK);
}

static void req_too_small_every_size(void) {
  char full[512];
  size_t full_len = 0;
  dfd_http_request q = {"example.com", "/x", 987, "1 2", "secret", "dfdiff/0.1.0"};
  CHECK(dfd_http_write_request(full, sizeof full, &q, &full_len) == DFD_OK);
  CHECK(full_len > 100);
  for (size_t cap = 0; cap <= full_len; cap++) {
    char buf[600];
    memset(buf, 0x5A, sizeof buf);
    size_t len = 77;
    int rc = dfd_http_write_request(buf, cap, &q, &len);
    if (cap < full_len) {
      CHECKF(rc == DFD_E_REQUEST_TOO_LONG && len == 0, "cap %zu: rc %d len %zu", cap, rc, len);
    } else {
      CHECKF(rc == DFD_OK && len == full_len && memcmp(buf, full, len) == 0, "cap %zu", cap);
    }
    size_t bad = 0;
    for (size_t i = cap; i < sizeof buf; i++)
      bad += buf[i] != 0x5A;
    CHECKF(bad == 0, "cap %zu: %zu canary bytes overwritten", cap, bad);
  }
}

/* ---------------------------------------------------------------- status line */

static void status_with_reason(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->status == 200);
  CHECK(strcmp(r->reason, "OK") == 0);
  CHECK(r->headers_done && r->keep_alive);
  CHECK(r->content_length == 2 && r->body_bytes == 2);
  CHECK(body_is(r, "hi"));
  const result *r2 = PARSE("HTTP/1.1 404 Not Found At All\r\nContent-Length: 0\r\n\r\n");
  CHECK(r2->rc == 1 && r2->status == 404 && strcmp(r2->reason, "Not Found At All") == 0);
}

static void status_without_reason(void) {
  static const char in[] = "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->status == 200 && r->reason[0] == 0 && body_is(r, "x"));
  static const char in2[] = "HTTP/1.1 503 \r\nContent-Length: 0\r\n\r\n";
  r = PARSE(in2);
  COMPLETE(r, in2);
  CHECK(r->status == 503 && r->reason[0] == 0);
}

static void status_bare_lf(void) {
  static const char in[] = "HTTP/1.1 201 Created\nContent-Length: 3\nLocation: /a\n\nabc";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->status == 201 && strcmp(r->reason, "Created") == 0);
  CHECK(strcmp(r->location, "/a") == 0 && body_is(r, "abc"));
}

static void status_http10(void) {
  static const char in[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->status == 200 && !r->keep_alive);
  static const char in2[] =
      "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok";
  r = PARSE(in2);
  COMPLETE(r, in2);
  CHECK(r->keep_alive);
  /* HTTP/1.x with x > 1 is read as 1.1 */
  r = PARSE("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(r->rc == 1 && r->keep_alive);
}

static void status_bad_version(void) {
  static const struct {
    const char *in;
    int rc;
  } cases[] = {
      {"HTTP/2 200 OK\r\n\r\n", DFD_E_HTTP_VERSION},
      {"HTTP/2.0 200 OK\r\n\r\n", DFD_E_HTTP_VERSION},
      {"HTTP/0.9 200 OK\r\n\r\n", DFD_E_HTTP_VERSION},
      {"HTTP/ 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"HTTP/1 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"HTTP/1.x 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"http/1.1 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"HTTP 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"ICY 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"<html>hello</html>", DFD_E_HTTP_STATUS_LINE},
      {"\r\nHTTP/1.1 200 OK\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
      {"HTTP/1.1\r\n\r\n", DFD_E_HTTP_STATUS_LINE},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const result *r = parse_n(cases[i].in, strlen(cases[i].in));
    CHECKF(r->rc == cases[i].rc, "case %u (%s): rc %d", i, cases[i].in, r->rc);
    CHECK(!r->headers_done);
  }
  /* the prefix is checked as it arrives: no need to wait for the line end */
  const result *r = PARSE("<html>");
  CHECKF(r->rc == DFD_E_HTTP_STATUS_LINE && r->used == 0, "rc %d used %zu", r->rc, r->used);
}

static void status_bad_code(void) {
  static const char *const cases[] = {
      "HTTP/1.1 20 OK\r\n\r\n",   "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 1000\r\n\r\n",
      "HTTP/1.1 abc OK\r\n\r\n",  "HTTP/1.1 099 OK\r\n\r\n",  "HTTP/1.1  200 OK\r\n\r\n",
      "HTTP/1.1 200\tOK\r\n\r\n", "HTTP/1.1 20x OK\r\n\r\n",  "HTTP/1.1 \r\n\r\n",
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const result *r = parse_n(cases[i], strlen(cases[i]));
    CHECKF(r->rc == DFD_E_HTTP_STATUS_LINE, "case %u: rc %d", i, r->rc);
  }
  const result *r = PARSE("HTTP/1.1 999 Custom\r\nContent-Length: 0\r\n\r\n");
  CHECK(r->rc == 1 && r->status == 999);
}

static void status_long_reason_truncated(void) {
  static char in[1200];
  strcpy(in, "HTTP/1.1 500 ");
  size_t n = strlen(in);
  for (int i = 0; i < 1000; i++)
    in[n++] = (char)('a' + i % 26);
  strcpy(in + n, "\r\nContent-Length: 0\r\n\r\n");
  n += strlen(in + n);
  const result *r = parse_n(in, n);
  check_complete(r, n);
  CHECK(r->status == 500);
  CHECK(strlen(r->reason) == DFD_HTTP_REASON_MAX - 1);
  CHECK(memcmp(r->reason, "abcdefghijklmnopqrstuvwxyzabc", 29) == 0);
}

static void status_control_bytes_rejected(void) {
  const result *r = PARSE("HTTP/1.1 200 O\rK\r\n\r\n");
  CHECKF(r->rc == DFD_E_HTTP_STATUS_LINE && r->used == 15, "rc %d used %zu", r->rc, r->used);
  r = PARSE("HTTP/1.1 200 O\0K\r\n\r\n");
  CHECKF(r->rc == DFD_E_HTTP_STATUS_LINE && r->used == 14, "rc %d used %zu", r->rc, r->used);
}

/* ---------------------------------------------------------------- headers */

static char big[32768];

static void headers_huge_skipped(void) {
  size_t n = 0;
  n += (size_t)sprintf(big + n, "HTTP/1.1 200 OK\r\nSet-Cookie: s=");
  for (int i = 0; i < 8192; i++)
    big[n++] = (char)('A' + i % 26);
  n += (size_t)sprintf(big + n, "; Path=/\r\nContent-Security-Policy: default-src 'self'");
  for (int i = 0; i < 16384; i++)
    big[n++] = " abcdef;:/"[i % 10];
  n += (size_t)sprintf(big + n, "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                                "\r\n{}");
  const result *r = parse_n(big, n);
  check_complete(r, n);
  CHECK(r->status == 200 && r->content_length == 2 && body_is(r, "{}"));
  CHECK(strcmp(r->content_type, "application/json") == 0);
  CHECK(sizeof(dfd_http_response) < 1024);
}

static void headers_case_insensitive(void) {
  static const char in[] = "HTTP/1.1 302 Found\r\nCONTENT-LENGTH: 1\r\nlOcAtIoN: /New/Path\r\n"
                           "content-TYPE: Text/Plain; Charset=UTF-8\r\nCONNECTION: CLOSE\r\n\r\nz";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->content_length == 1 && body_is(r, "z"));
  CHECK(strcmp(r->location, "/New/Path") == 0); /* values keep their case */
  CHECK(strcmp(r->content_type, "Text/Plain; Charset=UTF-8") == 0);
  CHECK(!r->keep_alive);
}

static void header_whitespace_trimmed(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length:5  \r\nContent-Type: \t a/b \t\r\n"
                           "Location:\t/x\t\r\n\r\nhello";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->content_length == 5 && body_is(r, "hello"));
  CHECK(strcmp(r->content_type, "a/b") == 0);
  CHECK(strcmp(r->location, "/x") == 0);
}

static void header_malformed(void) {
  static const struct {
    const char *in;
    size_t used;
  } cases[] = {
      {"HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", 29},
      {"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", 31},
      {"HTTP/1.1 200 OK\r\n: empty-name\r\n\r\n", 17},
      {"HTTP/1.1 200 OK\r\nX-A: 1\0\r\n\r\n", 23},
      {"HTTP/1.1 200 OK\r\nX-A: 1\r2\r\n\r\n", 24},
      {"HTTP/1.1 200 OK\r\nX\x80Y: 1\r\n\r\n", 18},
      {"HTTP/1.1 200 OK\r\n folded-first: x\r\n\r\n", 17},
      {"HTTP/1.1 200 OK\r\nX-A: a\x7f\r\n\r\n", 23},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = strlen(cases[i].in);
    if (i == 3)
      n = 28; /* holds a NUL */
    const result *r = parse_n(cases[i].in, n);
    CHECKF(r->rc == DFD_E_HTTP_HEADER, "case %u: rc %d", i, r->rc);
    CHECKF(r->used == cases[i].used, "case %u: used %zu", i, r->used);
  }
}

static void header_obs_fold_unfolded(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n"
                           "X-Long: a\r\n\tb\r\nContent-Length: 1\r\n\r\n!";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(strcmp(r->content_type, "text/plain; charset=utf-8") == 0);
  CHECK(r->content_length == 1 && body_is(r, "!"));
}

static void header_wanted_too_long(void) {
  static const char *const names[] = {"Content-Length", "Transfer-Encoding", "Retry-After", "Date"};
  for (unsigned i = 0; i < 4; i++) {
    int n = sprintf(big, "HTTP/1.1 200 OK\r\n%s: ", names[i]);
    for (int k = 0; k < DFD_HTTP_LINE_MAX + 1; k++)
      big[n++] = i == 0 ? '1' : 'x';
    n += sprintf(big + n, "\r\nContent-Length: 0\r\n\r\n");
    const result *r = parse_n(big, (size_t)n);
    CHECKF(r->rc == DFD_E_HTTP_HEADER, "%s: rc %d", names[i], r->rc);
  }
  /* exactly the buffer size still fits (a Date padded with spaces inside) */
  int n = sprintf(big, "HTTP/1.1 200 OK\r\nRetry-After: ");
  for (int k = 0; k < DFD_HTTP_LINE_MAX; k++)
    big[n++] = '0';
  n += sprintf(big + n, "\r\nContent-Length: 0\r\n\r\n");
  const result *r = parse_n(big, (size_t)n);
  CHECK(r->rc == 1);
  CHECK(r->retry_after_s == 0);
  /* a long Connection token list is not an error: unknown tokens are ignored */
  n = sprintf(big, "HTTP/1.1 200 OK\r\nConnection: ");
  for (int k = 0; k < 400; k++)
    big[n++] = 'u';
  n += sprintf(big + n, ", close\r\nContent-Length: 0\r\n\r\n");
  r = parse_n(big, (size_t)n);
  CHECK(r->rc == 1 && !r->keep_alive);
}

/* ---------------------------------------------------------------- Content-Length */

static void cl_exact(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->content_length == 11 && r->body_bytes == 11 && body_is(r, "hello world"));
  CHECK(!r->chunked && r->keep_alive && r->eof_rc == 0);
}

static void cl_short_is_truncated(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nonly ten b";
  const result *r = PARSE(in);
  CHECK(r->rc == 0 && r->used == sizeof in - 1);
  CHECK(r->eof_rc == DFD_E_HTTP_TRUNCATED);
  CHECK(r->body_bytes == 10 && body_is(r, "only ten b"));
}

static void cl_long_extra_not_consumed(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcEXTRA";
  const result *r = PARSE(in);
  CHECK(r->rc == 1);
  CHECKF(r->used == sizeof in - 1 - 5, "used %zu", r->used);
  CHECK(body_is(r, "abc") && r->body_bytes == 3);
}

static void cl_conflicting(void) {
  const result *r = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
  CHECK(r->rc == DFD_E_HTTP_LENGTH);
  r = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello");
  CHECK(r->rc == DFD_E_HTTP_LENGTH);
  /* equal repeats are one length */
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n"
                           "hello";
  r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->content_length == 5 && body_is(r, "hello"));
}

static void cl_invalid(void) {
  static const char *const cases[] = {
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const result *r = parse_n(cases[i], strlen(cases[i]));
    CHECKF(r->rc == DFD_E_HTTP_LENGTH, "case %u: rc %d", i, r->rc);
  }
  /* the largest value is fine */
  const result *r = PARSE("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nab");
  CHECK(r->rc == 0 && r->content_length == INT64_MAX && r->body_bytes == 2);
  CHECK(r->eof_rc == DFD_E_HTTP_TRUNCATED);
}

static void cl_zero(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->content_length == 0 && r->body_bytes == 0 && r->calls == 0 && r->keep_alive);
}

/* ---------------------------------------------------------------- chunked */

static void chunked_basic(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->chunked && r->keep_alive && r->content_length == -1);
  CHECK(body_is(r, "hello world!") && r->body_bytes == 12);
  CHECKF(r->calls == 3, "calls %d", r->calls); /* one per chunk when fed whole */
}

static void chunked_extensions(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3;name=value;flag\r\nabc\r\n"
                           "2 ; a = b\r\nde\r\n0;last=1\r\n\r\n";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(body_is(r, "abcde"));
}

static void chunked_quoted_extension(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "4;name=\"quoted; with \\\"escapes\\\" and ;semicolons\"\r\nwxyz\r\n"
                           "0\r\n\r\n";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(body_is(r, "wxyz"));
}

static void chunked_trailers(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "2\r\nok\r\n0\r\nX-Checksum: abc\r\nContent-Length: 999\r\n\r\n";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(body_is(r, "ok"));
  CHECK(r->content_length == -1); /* trailers change nothing */
  static const char lf[] = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\nX: y\n\n";
  r = PARSE(lf);
  COMPLETE(r, lf);
  CHECK(body_is(r, "ok"));
}

static void chunked_uppercase_hex(void) {
  static char in[400];
  int n = sprintf(in, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1A\r\n");
  for (int i = 0; i < 26; i++)
    in[n++] = (char)('a' + i);
  n += sprintf(in + n, "\r\n1a\r\n");
  for (int i = 0; i < 26; i++)
    in[n++] = (char)('A' + i);
  n += sprintf(in + n, "\r\n00000000000000000000001\r\n!\r\n000\r\n\r\n");
  const result *r = parse_n(in, (size_t)n);
  check_complete(r, (size_t)n);
  CHECK(r->body_bytes == 53);
  CHECK(r->body_len == 53 &&
        memcmp(r->body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!", 53) == 0);
}

static void chunked_bad_size(void) {
  static const char *const cases[] = {
      "zz\r\n",           "\r\n",    "0x5\r\nhello\r\n0\r\n\r\n", "-1\r\n", " 5\r\nhello\r\n",
      "5 5\r\nhello\r\n", "5\r\r\n",
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n = sprintf(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s", cases[i]);
    const result *r = parse_n(big, (size_t)n);
    CHECKF(r->rc == DFD_E_HTTP_CHUNK, "case %u: rc %d", i, r->rc);
  }
}

static void chunked_missing_crlf(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3\r\nabcX\r\n0\r\n\r\n";
  const result *r = PARSE(in);
  CHECK(r->rc == DFD_E_HTTP_CHUNK);
  CHECKF(r->used == sizeof in - 1 - 8, "used %zu", r->used); /* stops at the X */
  CHECK(body_is(r, "abc"));
  r = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r0\r\n\r\n");
  CHECK(r->rc == DFD_E_HTTP_CHUNK);
}

static void chunked_size_overflow(void) {
  const result *r =
      PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n");
  CHECK(r->rc == DFD_E_HTTP_CHUNK);
  r = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n");
  CHECK(r->rc == DFD_E_HTTP_CHUNK);
  /* the largest size is accepted; the body is then simply incomplete */
  r = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc");
  CHECK(r->rc == 0 && r->body_bytes == 3 && r->eof_rc == DFD_E_HTTP_TRUNCATED);
}

static void chunked_truncated(void) {
  static const char *const cases[] = {"",
                                      "5\r\nhel",
                                      "5\r\nhello",
                                      "5\r\nhello\r\n",
                                      "5\r\nhello\r\n0\r\n",
                                      "5\r\nhello\r\n0\r\nX: y\r\n"};
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n = sprintf(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s", cases[i]);
    const result *r = parse_n(big, (size_t)n);
    CHECKF(r->rc == 0 && r->eof_rc == DFD_E_HTTP_TRUNCATED, "case %u: rc %d eof %d", i, r->rc,
           r->eof_rc);
  }
}

static void chunked_wins_over_cl(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->chunked && body_is(r, "hi"));
  CHECK(!r->keep_alive); /* ambiguous framing: do not reuse the connection */
  CHECK(r->content_length == -1);
  /* HTTP/1.0 has no chunked coding: read it, but do not trust the connection after */
  static const char v10[] = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
  r = PARSE(v10);
  COMPLETE(r, v10);
  CHECK(r->chunked && body_is(r, "hi") && !r->keep_alive);
}

static void te_codings(void) {
  /* chunked only counts when it is the last coding */
  static const char gz[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes";
  const result *r = PARSE(gz);
  CHECK(r->rc == 0 && r->eof_rc == 1 && !r->chunked && !r->keep_alive);
  CHECK(body_is(r, "raw bytes"));
  r = PARSE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 2\r\n\r\n"
            "2\r\nhi\r\n0\r\n\r\n");
  CHECK(r->rc == 0 && r->eof_rc == 1 && !r->chunked && r->body_bytes == 12);
  static const char two[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
                            "Transfer-Encoding: CHUNKED\r\n\r\n1\r\nx\r\n0\r\n\r\n";
  r = PARSE(two);
  COMPLETE(r, two);
  CHECK(r->chunked && body_is(r, "x") && r->keep_alive);
  static const char list[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip ,, Chunked \r\n\r\n"
                             "1\r\ny\r\n0\r\n\r\n";
  r = PARSE(list);
  COMPLETE(r, list);
  CHECK(r->chunked && body_is(r, "y"));
  /* empty elements are no coding: a trailing comma keeps chunked last, an empty value
   * leaves Content-Length in charge */
  static const char comma[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n";
  r = PARSE(comma);
  COMPLETE(r, comma);
  CHECK(r->chunked);
  static const char empty[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 1\r\n\r\nq";
  r = PARSE(empty);
  COMPLETE(r, empty);
  CHECK(!r->chunked && r->content_length == 1 && r->keep_alive && body_is(r, "q"));
}

/* ---------------------------------------------------------------- close-delimited, EOF */

static void close_delimited(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\": 1}";
  const result *r = PARSE(in);
  CHECK(r->rc == 0 && r->used == sizeof in - 1);
  CHECK(r->eof_rc == 1);
  CHECK(!r->keep_alive && r->content_length == -1 && !r->chunked);
  CHECK(body_is(r, "{\"id\": 1}") && r->body_bytes == 9);
  /* an empty close-delimited body is complete too */
  r = PARSE("HTTP/1.1 200 OK\r\n\r\n");
  CHECK(r->rc == 0 && r->eof_rc == 1 && r->body_bytes == 0);
}

static void eof_cases(void) {
  dfd_http_response r;
  dfd_http_response_init(&r);
  CHECK(dfd_http_eof(&r) == DFD_E_CLOSED);
  CHECK(dfd_http_eof(&r) == DFD_E_CLOSED);
  size_t used = 9;
  CHECK(dfd_http_feed(&r, (const uint8_t *)"HTTP", 4, &used, NULL, NULL) == DFD_E_CLOSED);
  CHECK(used == 0);
  /* no bytes fed at all is still "closed", not "truncated" */
  dfd_http_response_init(&r);
  CHECK(dfd_http_feed(&r, (const uint8_t *)"", 0, &used, NULL, NULL) == 0 && used == 0);
  CHECK(dfd_http_eof(&r) == DFD_E_CLOSED);
  static const char *const partial[] = {"H", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK\r",
                                        "HTTP/1.1 200 OK\r\nX-A: b",
                                        "HTTP/1.1 200 OK\r\nX-A: b\r\n"};
  for (unsigned i = 0; i < sizeof partial / sizeof partial[0]; i++) {
    const result *res = parse_n(partial[i], strlen(partial[i]));
    CHECKF(res->rc == 0 && res->eof_rc == DFD_E_HTTP_TRUNCATED, "case %u: eof %d", i, res->eof_rc);
  }
  /* after an interim response, EOF is truncation, not a closed idle connection */
  const result *res = PARSE("HTTP/1.1 100 Continue\r\n\r\n");
  CHECK(res->rc == 0 && res->eof_rc == DFD_E_HTTP_TRUNCATED);
}

/* ---------------------------------------------------------------- 1xx and no-body */

static void interim_100_continue(void) {
  static const char in[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                           "\r\nok";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->status == 200 && strcmp(r->reason, "OK") == 0 && body_is(r, "ok"));
}

static void interim_103_early_hints(void) {
  static const char in[] = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n"
                           "Location: /hint\r\nContent-Length: 77\r\nConnection: close\r\n\r\n"
                           "HTTP/1.1 100 Continue\r\n\r\n"
                           "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes";
  const result *r = PARSE(in);
  COMPLETE(r, in);
  CHECK(r->status == 200 && body_is(r, "yes"));
  CHECK(r->location[0] == 0 && r->content_length == 3 && r->keep_alive);
}

static void interim_limit(void) {
  char *p = big;
  for (int i = 0; i < DFD_HTTP_MAX_1XX; i++)
    p += sprintf(p, "HTTP/1.1 100 Continue\r\n\r\n");
  char *final = p;
  p += sprintf(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const result *r = parse_n(big, (size_t)(p - big));
  check_complete(r, (size_t)(p - big));
  CHECK(r->status == 200);
  p = final + sprintf(final, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
  r = parse_n(big, (size_t)(p - big));
  CHECK(r->rc == DFD_E_HTTP_TOO_MANY_1XX);
  CHECKF(r->used == (size_t)(final - big) + 22, "used %zu", r->used);
}

static void interim_101_rejected(void) {
  const result *r = PARSE("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
  CHECK(r->rc == DFD_E_HTTP_STATUS_LINE);
}

static void no_body_204_304(void) {
  static const char in[] = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nNEXT";
  const result *r = PARSE(in);
  CHECK(r->rc == 1 && r->used == sizeof in - 1 - 4);
  CHECK(r->status == 204 && r->body_bytes == 0 && r->keep_alive);
  static const char nm[] = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
  r = PARSE(nm);
  COMPLETE(r, nm);
  CHECK(r->status == 304 && r->body_bytes == 0 && r->calls == 0);
  /* 205 has no special rule: it is framed like any other response */
  r = PARSE("HTTP/1.1 205 Reset Content\r\n\r\nzz");
  CHECK(r->rc == 0 && r->eof_rc == 1 && r->body_bytes == 2);
}

static void head_request_no_body(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
  dfd_http_response r;
  dfd_http_response_init(&r);
  r.head_request_ = true;
  size_t used = 0;
  CHECK(dfd_http_feed(&r, (const uint8_t *)in, sizeof in - 1, &used, NULL, NULL) == 1);
  CHECK(used == sizeof in - 1 && r.content_length == 1234 && r.body_bytes == 0);
  /* still no body after an interim response */
  static const char in2[] =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  dfd_http_response_init(&r);
  r.head_request_ = true;
  CHECK(dfd_http_feed(&r, (const uint8_t *)in2, sizeof in2 - 1, &used, NULL, NULL) == 1);
  CHECK(used == sizeof in2 - 1 && r.status == 200 && r.content_length == 5);
}

/* ---------------------------------------------------------------- Retry-After, Date */

static const result *with_header(const char *line) {
  static char buf[512];
  int n = sprintf(buf, "HTTP/1.1 429 Too Many Requests\r\n%s\r\nContent-Length: 0\r\n\r\n", line);
  return parse_n(buf, (size_t)n);
}

static void retry_after_seconds(void) {
  const result *r = with_header("Retry-After: 120");
  CHECK(r->rc == 1 && r->retry_after_s == 120 && r->retry_after_epoch == -1);
  r = with_header("retry-after:0");
  CHECK(r->retry_after_s == 0);
  r = with_header("Retry-After:  86400  ");
  CHECK(r->retry_after_s == 86400);
  r = with_header("X-Other: 1");
  CHECK(r->retry_after_s == -1 && r->retry_after_epoch == -1 && r->date_epoch == -1);
}

static void retry_after_imf_fixdate(void) {
  const result *r = with_header("Retry-After: Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(r->rc == 1);
  CHECKF(r->retry_after_epoch == 784111777, "%lld", (long long)r->retry_after_epoch);
  CHECK(r->retry_after_s == -1);
  r = with_header("Retry-After: Thu, 29 Feb 2024 12:00:00 GMT");
  CHECK(r->retry_after_epoch == 1709208000);
  r = with_header("Retry-After: Wed, 01 Mar 2000 00:00:00 GMT");
  CHECK(r->retry_after_epoch == 951868800);
  r = with_header("Retry-After: Mon, 01 Mar 2100 00:00:00 GMT");
  CHECK(r->retry_after_epoch == 4107542400);
  r = with_header("Retry-After: Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(r->retry_after_epoch == 0);
  r = with_header("Retry-After: Tue, 29 Feb 2000 00:00:00 GMT"); /* divisible by 400 */
  CHECK(r->retry_after_epoch == 951782400);
  r = with_header("Retry-After: Fri, 31 Dec 1999 23:59:60 GMT"); /* leap second */
  CHECK(r->retry_after_epoch == 946684800);
}

static void retry_after_rfc850(void) {
  const result *r = with_header("Retry-After: Sunday, 06-Nov-94 08:49:37 GMT");
  CHECKF(r->retry_after_epoch == 784111777, "%lld", (long long)r->retry_after_epoch);
  r = with_header("Retry-After: Wednesday, 21-Oct-15 07:28:00 GMT");
  CHECK(r->retry_after_epoch == 1445412480);
  r = with_header("Retry-After: Wednesday, 31-Dec-69 23:59:59 GMT"); /* 2069 */
  CHECK(r->retry_after_epoch == 3155759999);
}

static void retry_after_asctime(void) {
  const result *r = with_header("Retry-After: Sun Nov  6 08:49:37 1994");
  CHECKF(r->retry_after_epoch == 784111777, "%lld", (long long)r->retry_after_epoch);
  r = with_header("Retry-After: Wed Oct 21 07:28:00 2015");
  CHECK(r->retry_after_epoch == 1445412480);
}

/* delta-seconds beyond int64 mean "a very long time": saturated, not ignored */
static void retry_after_huge_saturates(void) {
  dfd_http_response r;
  const char *resp = "HTTP/1.1 429 Too Many\r\nRetry-After: 99999999999999999999\r\n"
                     "Content-Length: 0\r\n\r\n";
  dfd_http_response_init(&r);
  size_t used = 0;
  int rc = dfd_http_feed(&r, (const uint8_t *)resp, strlen(resp), &used, NULL, NULL);
  CHECK(rc == 1 && r.status == 429);
  CHECK(r.retry_after_s == INT64_MAX && r.retry_after_epoch == -1);
}

static void retry_after_invalid_ignored(void) {
  static const char *const cases[] = {
      "Retry-After: soon",
      "Retry-After: -5",
      "Retry-After: 1.5",
      "Retry-After: Sun, 06 Nov 1994 25:49:37 GMT",
      "Retry-After: Sun, 06 Nov 1994 08:60:37 GMT",
      "Retry-After: Sun, 30 Feb 1994 08:49:37 GMT",
      "Retry-After: Sun, 29 Feb 2023 08:49:37 GMT",
      "Retry-After: Mon, 29 Feb 2100 08:49:37 GMT", /* a century, not a leap year */
      "Retry-After: Sun, 06 Nov 1994 08:49:61 GMT",
      "Retry-After: Sun, 00 Nov 1994 08:49:37 GMT",
      "Retry-After: Sun, 06 Foo 1994 08:49:37 GMT",
      "Retry-After: Sun, 06 Nov 1994 08:49 GMT",
      "Retry-After: Sun, 06 Nov 1994 08:49:37:01 GMT",
      "Retry-After: Sun, 06 Nov 1969 08:49:37 GMT",
      "Retry-After: Sun, 06 Nov Nov 1994 08:49:37 GMT",
      "Retry-After: Sun, 06 Nov 19945 08:49:37 GMT",
      "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT+1",
      "Retry-After:",
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const result *r = with_header(cases[i]);
    CHECKF(r->rc == 1, "case %u: rc %d", i, r->rc);
    CHECKF(r->retry_after_s == -1 && r->retry_after_epoch == -1, "case %u: %lld %lld", i,
           (long long)r->retry_after_s, (long long)r->retry_after_epoch);
  }
}

static void date_header(void) {
  const result *r = with_header("Date: Wed, 21 Oct 2015 07:28:00 GMT");
  CHECK(r->rc == 1 && r->date_epoch == 1445412480 && r->retry_after_epoch == -1);
  r = with_header("date: wed, 21 oct 2015 07:28:00 gmt");
  CHECK(r->date_epoch == 1445412480);
  r = with_header("Date: yesterday");
  CHECK(r->rc == 1 && r->date_epoch == -1);
}

/* ---------------------------------------------------------------- Location, Content-Type */

static void location_and_truncation(void) {
  const result *r = with_header("Location: https://app.datafold.com/api/v1/datadiffs/7");
  CHECK(strcmp(r->location, "https://app.datafold.com/api/v1/datadiffs/7") == 0);
  CHECK(!r->location_truncated);
  int n = sprintf(big, "HTTP/1.1 301 Moved\r\nLocation: /");
  for (int i = 0; i < 400; i++)
    big[n++] = (char)('a' + i % 26);
  n += sprintf(big + n, "\r\nContent-Type: ");
  for (int i = 0; i < 100; i++)
    big[n++] = 'T';
  n += sprintf(big + n, "\r\nContent-Length: 0\r\n\r\n");
  r = parse_n(big, (size_t)n);
  check_complete(r, (size_t)n);
  CHECK(r->location_truncated);
  CHECK(strlen(r->location) == DFD_HTTP_LOCATION_MAX - 1 && memcmp(r->location, "/abc", 4) == 0);
  CHECK(strlen(r->content_type) == DFD_HTTP_CONTENT_TYPE_MAX - 1 && r->content_type[0] == 'T');
  /* exactly the capacity is not truncated, and trailing spaces do not count */
  n = sprintf(big, "HTTP/1.1 301 Moved\r\nLocation: ");
  for (int i = 0; i < DFD_HTTP_LOCATION_MAX - 1; i++)
    big[n++] = 'L';
  n += sprintf(big + n, "    \r\nContent-Length: 0\r\n\r\n");
  r = parse_n(big, (size_t)n);
  CHECK(r->rc == 1 && !r->location_truncated && strlen(r->location) == DFD_HTTP_LOCATION_MAX - 1);
  /* a later Location replaces an earlier, longer one completely */
  r = with_header("Location: /a-very-long-first-location\r\nLocation: /b");
  CHECK(strcmp(r->location, "/b") == 0);
}

/* ---------------------------------------------------------------- keep-alive */

static void keep_alive_rules(void) {
  static const struct {
    const char *head;
    bool ka;
  } cases[] = {
      {"HTTP/1.1 200 OK\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: close\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: Close\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: closed\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n", false},
      {"HTTP/1.0 200 OK\r\n", false},
      {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", true},
      {"HTTP/1.0 200 OK\r\nConnection: foo,Keep-Alive\r\n", true},
      {"HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n", false},
      {"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\n", false},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int n = sprintf(big, "%sContent-Length: 1\r\n\r\nx", cases[i].head);
    const result *r = parse_n(big, (size_t)n);
    CHECKF(r->rc == 1 && r->keep_alive == cases[i].ka, "case %u: rc %d keep_alive %d", i, r->rc,
           r->keep_alive);
  }
}

/* ---------------------------------------------------------------- stream behaviour */

static void back_to_back(void) {
  static const char first[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst";
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                           "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "6\r\nsecond\r\n0\r\n\r\n";
  const result *r = PARSE(in);
  CHECK(r->rc == 1 && r->used == sizeof first - 1 && body_is(r, "first"));
  /* the caller re-inits and feeds the rest */
  result second;
  memset(&second, 0, sizeof second);
  dfd_http_response p;
  dfd_http_response_init(&p);
  size_t used = 0;
  int rc = dfd_http_feed(&p, (const uint8_t *)in, sizeof in - 1, &used, on_body, &second);
  CHECK(rc == 1 && used == sizeof first - 1);
  dfd_http_response_init(&p);
  memset(&second, 0, sizeof second);
  size_t rest = sizeof in - 1 - used;
  size_t used2 = 0;
  rc = dfd_http_feed(&p, (const uint8_t *)in + used, rest, &used2, on_body, &second);
  CHECK(rc == 1 && used2 == rest);
  CHECK(p.status == 404 && p.chunked && body_is(&second, "second"));
  /* and the second parsed in every chunking */
  r = parse_n(in + used, rest);
  CHECK(r->rc == 1 && r->used == rest && r->status == 404);
}

typedef struct {
  int calls;
  size_t seen;
} abort_ctx;

static int abort_after_first(void *ctx, const uint8_t *data, size_t n) {
  abort_ctx *a = ctx;
  (void)data;
  a->calls++;
  a->seen += n;
  return -1234;
}

static void callback_abort(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
  static const size_t steps[] = {sizeof in - 1, 1, 7};
  for (unsigned s = 0; s < 3; s++) {
    abort_ctx a = {0, 0};
    dfd_http_response r;
    dfd_http_response_init(&r);
    int rc = 0;
    size_t off = 0, used = 0;
    while (rc == 0 && off < sizeof in - 1) {
      size_t k = steps[s] < sizeof in - 1 - off ? steps[s] : sizeof in - 1 - off;
      rc = dfd_http_feed(&r, (const uint8_t *)in + off, k, &used, abort_after_first, &a);
      off += used;
    }
    CHECKF(rc == -1234, "step %zu: rc %d", steps[s], rc);
    CHECK(a.calls == 1 && a.seen >= 1 && (int64_t)a.seen == r.body_bytes);
    CHECK(off == sizeof in - 1 - 10 + a.seen); /* the delivered slice counts as consumed */
    /* sticky: nothing more is read or delivered */
    CHECK(dfd_http_feed(&r, (const uint8_t *)"x", 1, &used, abort_after_first, &a) == -1234);
    CHECK(used == 0 && a.calls == 1);
    CHECK(dfd_http_eof(&r) == -1234);
  }
}

typedef struct {
  const uint8_t *base;
  size_t len;
  int calls, outside;
} slice_ctx;

static int check_slice(void *ctx, const uint8_t *data, size_t n) {
  slice_ctx *s = ctx;
  s->calls++;
  if (data != s->base + s->len - n) /* the body is the buffer's tail */
    s->outside++;
  return 0;
}

static void body_callbacks_are_slices(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef";
  const result *r = PARSE(in);
  CHECKF(r->calls == 1, "calls %d", r->calls);
  /* split inside the body: exactly two slices */
  result two;
  chunking c = {(long)(sizeof in - 1 - 3), 0, 0, 0};
  feed_with((const uint8_t *)in, sizeof in - 1, c, &two);
  CHECKF(two.calls == 2 && body_is(&two, "abcdef"), "calls %d", two.calls);
  /* close-delimited: one call per feed */
  static const char cl[] = "HTTP/1.1 200 OK\r\n\r\n0123456789";
  r = PARSE(cl);
  CHECK(r->calls == 1 && body_is(r, "0123456789"));
  /* the slices point into the caller's buffer: no copy */
  dfd_http_response p;
  dfd_http_response_init(&p);
  slice_ctx s = {(const uint8_t *)in, sizeof in - 1, 0, 0};
  size_t used;
  CHECK(dfd_http_feed(&p, (const uint8_t *)in, sizeof in - 1, &used, check_slice, &s) == 1);
  CHECK(s.calls == 1 && s.outside == 0);
}

static void errors_are_sticky(void) {
  dfd_http_response r;
  dfd_http_response_init(&r);
  size_t used = 99;
  static const char bad[] = "HTTP/1.1 200 OK\r\nBad Header\r\n";
  CHECK(dfd_http_feed(&r, (const uint8_t *)bad, sizeof bad - 1, &used, NULL, NULL) ==
        DFD_E_HTTP_HEADER);
  CHECK(used == 20);
  static const char good[] = "X: y\r\nContent-Length: 0\r\n\r\n";
  used = 99;
  CHECK(dfd_http_feed(&r, (const uint8_t *)good, sizeof good - 1, &used, NULL, NULL) ==
        DFD_E_HTTP_HEADER);
  CHECK(used == 0);
  CHECK(dfd_http_eof(&r) == DFD_E_HTTP_HEADER);
  /* a truncation reported by eof sticks too */
  dfd_http_response_init(&r);
  CHECK(dfd_http_feed(&r, (const uint8_t *)"HTTP/1.1", 8, &used, NULL, NULL) == 0);
  CHECK(dfd_http_eof(&r) == DFD_E_HTTP_TRUNCATED);
  CHECK(dfd_http_feed(&r, (const uint8_t *)" 200", 4, &used, NULL, NULL) == DFD_E_HTTP_TRUNCATED);
}

static void feed_after_done(void) {
  static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA";
  dfd_http_response r;
  dfd_http_response_init(&r);
  size_t used = 0;
  CHECK(dfd_http_feed(&r, (const uint8_t *)in, sizeof in - 1, &used, NULL, NULL) == 1);
  CHECK(used == sizeof in - 1 && r.body_bytes == 1);
  CHECK(dfd_http_feed(&r, (const uint8_t *)"more", 4, &used, NULL, NULL) == 1);
  CHECK(used == 0 && r.body_bytes == 1);
  CHECK(dfd_http_eof(&r) == 1);
  /* *used may be NULL */
  dfd_http_response_init(&r);
  CHECK(dfd_http_feed(&r, (const uint8_t *)in, sizeof in - 1, NULL, NULL, NULL) == 1);
}

int main(void) {
  RUN(req_exact_bytes);
  RUN(req_minimal);
  RUN(req_poll_encoding);
  RUN(req_injection_rejected);
  RUN(req_too_small_every_size);
  RUN(status_with_reason);
  RUN(status_without_reason);
  RUN(status_bare_lf);
  RUN(status_http10);
  RUN(status_bad_version);
  RUN(status_bad_code);
  RUN(status_long_reason_truncated);
  RUN(status_control_bytes_rejected);
  RUN(headers_huge_skipped);
  RUN(headers_case_insensitive);
  RUN(header_whitespace_trimmed);
  RUN(header_malformed);
  RUN(header_obs_fold_unfolded);
  RUN(header_wanted_too_long);
  RUN(cl_exact);
  RUN(cl_short_is_truncated);
  RUN(cl_long_extra_not_consumed);
  RUN(cl_conflicting);
  RUN(cl_invalid);
  RUN(cl_zero);
  RUN(chunked_basic);
  RUN(chunked_extensions);
  RUN(chunked_quoted_extension);
  RUN(chunked_trailers);
  RUN(chunked_uppercase_hex);
  RUN(chunked_bad_size);
  RUN(chunked_missing_crlf);
  RUN(chunked_size_overflow);
  RUN(chunked_truncated);
  RUN(chunked_wins_over_cl);
  RUN(te_codings);
  RUN(close_delimited);
  RUN(eof_cases);
  RUN(interim_100_continue);
  RUN(interim_103_early_hints);
  RUN(interim_limit);
  RUN(interim_101_rejected);
  RUN(no_body_204_304);
  RUN(head_request_no_body);
  RUN(retry_after_seconds);
  RUN(retry_after_imf_fixdate);
  RUN(retry_after_rfc850);
  RUN(retry_after_asctime);
  RUN(retry_after_invalid_ignored);
  RUN(retry_after_huge_saturates);
  RUN(date_header);
  RUN(location_and_truncation);
  RUN(keep_alive_rules);
  RUN(back_to_back);
  RUN(callback_abort);
  RUN(body_callbacks_are_slices);
  RUN(errors_are_sticky);
  RUN(feed_after_done);
  T_EXIT();
}
