/* The trust-store scan (src/trust.c) over a bundle in memory: PEM text or DER back to back.
 *
 * Input: 1 mode byte, then the bundle (mode 1: a length byte and that many subject bytes
 * come first).
 *   mode & 3 == 0: every certificate (subject NULL);
 *               1: the subject given in the input;
 *               2: the subject of the first certificate found, as parsed here;
 *               3: the same, and found() stops the scan at the first match.
 *   mode & 4: the reader returns short reads (at most 1 + next byte % 64), memory safety
 *             only; mode & 8: the reader fails after a few calls; otherwise mode & 16:
 *             the bundle is a dfd_trust_memory read by dfd_trust_memory_read itself, which
 *             the scan reads in place.
 * Checks: the count is the number of found() calls (or DFD_E_TLS_CA_FILE for a failing
 * reader); every certificate handed out is a whole DER SEQUENCE, of at most
 * DFD_TRUST_DER_MAX bytes when copied, lying inside the bundle when handed out in place
 * (only ever from DER in memory), and a scan in place finds the same as one through a
 * reader when no certificate exceeds DFD_TRUST_DER_MAX; a subject scan hands out only certificates
 * with that subject and, when every certificate of the bundle parses strictly here, exactly as many
 * as the full scan holds; stopping early counts the stop. */
#include "dfd_err.h"
#include "fuzz.h"
#include "trust.h"

/* Strict DER: the TLV at p within max; its header length and total length, or false. */
static bool tlv(const uint8_t *p, size_t max, size_t *head, size_t *total) {
  if (max < 2)
    return false;
  size_t len = p[1], h = 2;
  if (len & 0x80) {
    size_t k = len & 0x7F;
    if (k == 0 || k > 3 || max < 2 + k)
      return false;
    len = 0;
    for (size_t i = 0; i < k; i++)
      len = len << 8 | p[2 + i];
    h += k;
  }
  if (h + len > max)
    return false;
  *head = h;
  *total = h + len;
  return true;
}

/* The subject Name of a certificate, every TLV inside its parent. */
static const uint8_t *subject_of(const uint8_t *der, size_t len, size_t *out_len) {
  size_t h, t;
  if (!tlv(der, len, &h, &t) || der[0] != 0x30)
    return NULL;
  const uint8_t *p = der + h, *end = der + t; /* Certificate contents */
  if (p >= end || *p != 0x30 || !tlv(p, (size_t)(end - p), &h, &t))
    return NULL;
  end = p + t; /* TBSCertificate */
  p += h;
  if (p < end && *p == 0xA0) {
    if (!tlv(p, (size_t)(end - p), &h, &t))
      return NULL;
    p += t;
  }
  for (int i = 0; i < 4; i++) { /* serial, signature, issuer, validity */
    if (p >= end || !tlv(p, (size_t)(end - p), &h, &t))
      return NULL;
    p += t;
  }
  if (p >= end || *p != 0x30 || !tlv(p, (size_t)(end - p), &h, &t))
    return NULL;
  *out_len = t;
  return p;
}

typedef struct {
  dfd_trust_memory mem;
  size_t short_max; /* 0: full reads */
  int fail_after;   /* < 0: never */
  int calls;
} reader_ctx;

static int read_fn(void *ctx, size_t offset, uint8_t *buf, size_t n) {
  reader_ctx *r = ctx;
  FUZZ_CHECK(buf != NULL && n > 0, "read of %zu bytes", n);
  if (r->fail_after >= 0 && r->calls++ >= r->fail_after)
    return -1;
  if (r->short_max && n > r->short_max)
    n = r->short_max;
  return dfd_trust_memory_read(&r->mem, offset, buf, n);
}

typedef struct {
  int calls, stop_at;
  const uint8_t *subject;
  size_t subject_len;
  int matching, unparsed; /* certificates whose subject is `subject`; not parseable here */
  const uint8_t *bundle;  /* the source's bytes, for the in-place checks */
  size_t bundle_len;
  bool may_be_in_place;
  int oversized; /* handed out in place, larger than DFD_TRUST_DER_MAX */
  uint8_t first_copy[DFD_TRUST_DER_MAX];
  const uint8_t *first;
  size_t first_len;
  uint32_t sum;
} found_ctx;

static int found(void *arg, const uint8_t *der, size_t len, bool in_place) {
  found_ctx *f = arg;
  FUZZ_CHECK(der != NULL && len >= 2, "certificate of %zu bytes", len);
  if (in_place) {
    FUZZ_CHECK(f->may_be_in_place, "handed out in place from a reader");
    FUZZ_CHECK(der >= f->bundle && len <= f->bundle_len &&
                   der - f->bundle <= (ptrdiff_t)(f->bundle_len - len),
               "certificate in place lies outside the bundle");
    f->oversized += len > DFD_TRUST_DER_MAX;
  } else {
    FUZZ_CHECK(len <= DFD_TRUST_DER_MAX, "certificate of %zu bytes copied", len);
  }
  FUZZ_CHECK(der[0] == 0x30, "certificate starts with %02x", der[0]);
  for (size_t i = 0; i < len; i++) /* every byte handed out must be readable */
    f->sum += der[i];
  if (f->calls == 0) {
    f->first = in_place ? der : memcpy(f->first_copy, der, len);
    f->first_len = len;
  }
  f->calls++;
  size_t sl = 0;
  const uint8_t *s = subject_of(der, len, &sl);
  if (!s)
    f->unparsed++;
  else if (f->subject && sl == f->subject_len && memcmp(s, f->subject, sl) == 0)
    f->matching++;
  return f->stop_at > 0 && f->calls >= f->stop_at;
}

static found_ctx all, sub;

FUZZ_TARGET(trust) {
  uint8_t mode = size > 0 ? data[0] : 0;
  data += size > 0;
  size -= size > 0;
  const uint8_t *subject = NULL;
  size_t subject_len = 0;
  if ((mode & 3) == 1 && size > 0) {
    subject_len = data[0] < size - 1 ? data[0] : size - 1;
    subject = data + 1;
    data += 1 + subject_len;
    size -= 1 + subject_len;
  }
  reader_ctx rc = {{data, size}, 0, -1, 0};
  if (mode & 4) {
    rc.short_max = 1 + (size > 0 ? data[size - 1] % 64 : 0);
  }
  if (mode & 8)
    rc.fail_after = mode >> 4;
  bool in_memory = (mode & 28) == 16;
  dfd_trust_source src = {in_memory ? dfd_trust_memory_read : read_fn,
                          in_memory ? (void *)&rc.mem : (void *)&rc};

  memset(&all, 0, sizeof all);
  all.subject = subject;
  all.subject_len = subject_len;
  all.bundle = data;
  all.bundle_len = size;
  all.may_be_in_place = in_memory;
  int n = dfd_trust_scan(&src, NULL, 0, found, &all);
  if (in_memory && all.oversized == 0) {
    static found_ctx through_reader;
    memset(&through_reader, 0, sizeof through_reader);
    dfd_trust_source copying = {read_fn, &rc};
    int r = dfd_trust_scan(&copying, NULL, 0, found, &through_reader);
    FUZZ_CHECK(r == n && through_reader.sum == all.sum,
               "in place: %d certificates (sum %u), through a reader: %d (sum %u)", n,
               (unsigned)all.sum, r, (unsigned)through_reader.sum);
  }
  if (rc.fail_after >= 0 || rc.short_max) {
    /* a failing or stingy reader: only memory safety and a sane result */
    FUZZ_CHECK(n == DFD_E_TLS_CA_FILE || n == all.calls, "scan returned %d after %d certificates",
               n, all.calls);
    return 0;
  }
  FUZZ_CHECK(n == all.calls, "scan returned %d but found() was called %d times", n, all.calls);

  if ((mode & 3) >= 2) {
    size_t sl = 0;
    const uint8_t *s = all.calls ? subject_of(all.first, all.first_len, &sl) : NULL;
    if (!s)
      return 0;
    static uint8_t first_subject[DFD_TRUST_DER_MAX];
    if (sl > sizeof first_subject)
      return 0;
    memcpy(first_subject, s, sl);
    subject = first_subject;
    subject_len = sl;
    memset(&all, 0, sizeof all); /* count the matches over the whole bundle */
    all.subject = subject;
    all.subject_len = subject_len;
    all.bundle = data;
    all.bundle_len = size;
    all.may_be_in_place = in_memory;
    FUZZ_CHECK(dfd_trust_scan(&src, NULL, 0, found, &all) == n, "second full scan differs");
    FUZZ_CHECK(all.matching >= 1, "the first certificate does not match its own subject");
  }
  if ((mode & 3) == 0)
    return 0;

  memset(&sub, 0, sizeof sub);
  sub.subject = subject;
  sub.subject_len = subject_len;
  sub.stop_at = (mode & 3) == 3 ? 1 : 0;
  sub.bundle = data;
  sub.bundle_len = size;
  sub.may_be_in_place = in_memory;
  int m = dfd_trust_scan(&src, subject, subject_len, found, &sub);
  FUZZ_CHECK(m == sub.calls, "subject scan returned %d, found() called %d times", m, sub.calls);
  /* a certificate this file cannot parse strictly may be read leniently by trust.c */
  FUZZ_CHECK(sub.matching + sub.unparsed == sub.calls,
             "subject scan handed out %d certificates, %d with that subject (%d unparsed)",
             sub.calls, sub.matching, sub.unparsed);
  if (all.unparsed == 0) {
    int want = sub.stop_at && all.matching > 0 ? 1 : all.matching;
    FUZZ_CHECK(m == want, "subject scan found %d, the full scan has %d with that subject", m,
               all.matching);
  }
  return 0;
}
