/* The incremental HTTP response parser (src/http.c) on a simulated connection.
 *
 * Input: 1 flags byte (bit 0: the first request was a HEAD; bit 1: the server closes the
 * connection at the end, dfd_http_eof), 3 bytes choosing how the stream is cut (fuzz.h),
 * then the bytes the server sends. Responses are read one after the other, as on a
 * kept-alive connection, until an error, an incomplete one, or the end of the stream.
 * Checks: feeding the stream whole and in random pieces (empty ones included) gives the
 * same responses, ends, errors and body bytes; *used and the sticky results behave as
 * http.h says; body slices lie inside the fed buffer and add up to body_bytes (and to
 * Content-Length when the body was framed by it); stored texts stay terminated. */
#include "dfd_err.h"
#include "fuzz.h"
#include "http.h"

#define MAX_RESPONSES 8

typedef struct {
  int rc;
  size_t end; /* stream offset after the response, or of the offending byte */
  int status;
  char reason[DFD_HTTP_REASON_MAX];
  bool headers_done, keep_alive, chunked, location_truncated;
  int64_t content_length, retry_after_s, retry_after_epoch, date_epoch, body_bytes;
  char location[DFD_HTTP_LOCATION_MAX];
  char content_type[DFD_HTTP_CONTENT_TYPE_MAX];
  uint64_t body_hash;
  int64_t delivered;
} summary;

typedef struct {
  const uint8_t *lo, *hi; /* the slice being fed */
  uint64_t hash;
  int64_t delivered;
} body_ctx;

static int on_body(void *ctx, const uint8_t *data, size_t n) {
  body_ctx *b = ctx;
  FUZZ_CHECK(n > 0, "empty body slice");
  FUZZ_CHECK(data >= b->lo && data + n <= b->hi, "body slice outside the fed buffer");
  for (size_t i = 0; i < n; i++)
    b->hash = (b->hash ^ data[i]) * 0x100000001B3ull;
  b->delivered += (int64_t)n;
  return 0;
}

static dfd_http_response resp;

/* Reads the responses of one stream; fills out[], returns how many were recorded. */
static int run(const uint8_t *data, size_t size, uint8_t flags, fuzz_split *split, summary *out) {
  size_t off = 0;
  int count = 0;
  while (count < MAX_RESPONSES) {
    dfd_http_response *r = &resp;
    dfd_http_response_init(r);
    r->head_request_ = count == 0 && (flags & 1);
    body_ctx b = {NULL, NULL, 0xCBF29CE484222325ull, 0};
    int rc = 0;
    while (rc == 0 && off < size) {
      size_t n = split ? fuzz_next(split, size - off) : size - off;
      size_t used = (size_t)-1;
      b.lo = data + off;
      b.hi = data + off + n;
      rc = dfd_http_feed(r, data + off, n, &used, on_body, &b);
      FUZZ_CHECK(used <= n, "used %zu of %zu", used, n);
      FUZZ_CHECK(rc != 0 || used == n, "more needed but only %zu of %zu used", used, n);
      FUZZ_CHECK(rc == 0 || rc == 1 || rc < 0, "feed returned %d", rc);
      off += used;
    }
    if (rc == 0 && (flags & 2))
      rc = dfd_http_eof(r);
    if (rc != 0) { /* final: later calls say the same and consume nothing */
      size_t used = (size_t)-1;
      int again = dfd_http_feed(r, data + off, size - off, &used, on_body, &b);
      FUZZ_CHECK(again == rc && used == 0, "feed after %d returned %d, used %zu", rc, again, used);
      if (rc < 0)
        FUZZ_CHECK(dfd_http_eof(r) == rc, "eof after error %d", rc);
    }
    summary *s = &out[count++];
    memset(s, 0, sizeof *s);
    s->rc = rc;
    s->end = off;
    s->status = r->status;
    memcpy(s->reason, r->reason, sizeof s->reason);
    s->headers_done = r->headers_done;
    s->keep_alive = r->keep_alive;
    s->chunked = r->chunked;
    s->location_truncated = r->location_truncated;
    s->content_length = r->content_length;
    s->retry_after_s = r->retry_after_s;
    s->retry_after_epoch = r->retry_after_epoch;
    s->date_epoch = r->date_epoch;
    s->body_bytes = r->body_bytes;
    memcpy(s->location, r->location, sizeof s->location);
    memcpy(s->content_type, r->content_type, sizeof s->content_type);
    s->body_hash = b.hash;
    s->delivered = b.delivered;

    FUZZ_CHECK(fuzz_terminated(r->reason, sizeof r->reason), "reason not terminated");
    FUZZ_CHECK(fuzz_terminated(r->location, sizeof r->location), "location not terminated");
    FUZZ_CHECK(fuzz_terminated(r->content_type, sizeof r->content_type),
               "content_type not terminated");
    FUZZ_CHECK(r->body_bytes == b.delivered, "body_bytes %lld, delivered %lld",
               (long long)r->body_bytes, (long long)b.delivered);
    if (r->headers_done) {
      FUZZ_CHECK(r->status >= 200 && r->status <= 999, "final status %d", r->status);
      FUZZ_CHECK(!r->chunked || r->content_length == -1, "chunked with a length");
    } else {
      FUZZ_CHECK(r->body_bytes == 0, "body before the headers");
    }
    if (rc == 1 && r->content_length >= 0 && !r->chunked && !(count == 1 && (flags & 1)) &&
        r->status != 204 && r->status != 304)
      FUZZ_CHECK(r->body_bytes == r->content_length, "body %lld, Content-Length %lld",
                 (long long)r->body_bytes, (long long)r->content_length);
    if (rc == 1 && !r->keep_alive)
      break; /* a client drops the connection here; what follows is not read */
    if (rc != 1 || off >= size)
      break;
  }
  return count;
}

static summary whole[MAX_RESPONSES], pieces[MAX_RESPONSES];

static void describe(const char *what, const summary *s, int n) {
  fprintf(stderr, "  %s: %d responses\n", what, n);
  for (int i = 0; i < n; i++)
    fprintf(stderr,
            "    rc=%d end=%zu status=%d reason=[%s] done=%d ka=%d chunked=%d cl=%lld ra=%lld/%lld "
            "date=%lld loc=[%s]%s ctype=[%s] body=%lld hash=%016llx\n",
            s[i].rc, s[i].end, s[i].status, s[i].reason, s[i].headers_done, s[i].keep_alive,
            s[i].chunked, (long long)s[i].content_length, (long long)s[i].retry_after_s,
            (long long)s[i].retry_after_epoch, (long long)s[i].date_epoch, s[i].location,
            s[i].location_truncated ? "(cut)" : "", s[i].content_type, (long long)s[i].body_bytes,
            (unsigned long long)s[i].body_hash);
}

FUZZ_TARGET(http) {
  uint8_t flags = 0;
  if (size > 0) {
    flags = data[0];
    data++;
    size--;
  }
  fuzz_split split = fuzz_split_take(&data, &size);
  int nw = run(data, size, flags, NULL, whole);
  int np = run(data, size, flags, &split, pieces);
  bool same = nw == np;
  for (int i = 0; same && i < nw; i++) {
    const summary *a = &whole[i], *b = &pieces[i];
    same = a->rc == b->rc && a->end == b->end && a->status == b->status &&
           strcmp(a->reason, b->reason) == 0 && a->headers_done == b->headers_done &&
           a->keep_alive == b->keep_alive && a->chunked == b->chunked &&
           a->location_truncated == b->location_truncated &&
           a->content_length == b->content_length && a->retry_after_s == b->retry_after_s &&
           a->retry_after_epoch == b->retry_after_epoch && a->date_epoch == b->date_epoch &&
           a->body_bytes == b->body_bytes && strcmp(a->location, b->location) == 0 &&
           strcmp(a->content_type, b->content_type) == 0 && a->body_hash == b->body_hash &&
           a->delivered == b->delivered;
  }
  if (!same) {
    describe("whole", whole, nw);
    describe("pieces", pieces, np);
  }
  FUZZ_CHECK(same, "feeding the stream in pieces changed the result");
  return 0;
}
