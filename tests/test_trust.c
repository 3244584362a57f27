/* On-demand trust anchors: the built-in store's roots, lookups by subject in DER and PEM
 * bundles, and read failures. */
#include <string.h>

#include "dfd_err.h"
#include "dfd_posix.h"
#include "mbedtls/oid.h"
#include "mbedtls/x509_crt.h"
#include "test.h"
#include "tls.h"
#include "trust.h"

static const char *const expected_roots[] = {
    "ISRG Root X1", "ISRG Root X2",     "GTS Root R1",      "GTS Root R2",      "GTS Root R3",
    "GTS Root R4",  "Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4"};
#define NROOTS (sizeof expected_roots / sizeof expected_roots[0])

static dfd_trust_memory builtin_mem;
static dfd_trust_source builtin;

/* The common name of a DER certificate, or "" when it does not parse. */
static void common_name(const uint8_t *der, size_t len, char *cn, size_t cap) {
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  cn[0] = '\0';
  if (mbedtls_x509_crt_parse_der(&crt, der, len) == 0) {
    for (const mbedtls_x509_name *n = &crt.subject; n; n = n->next)
      if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 && n->val.len < cap) {
        memcpy(cn, n->val.p, n->val.len);
        cn[n->val.len] = '\0';
      }
  }
  mbedtls_x509_crt_free(&crt);
}

static int seen_mask;
static int mark_seen(void *arg, const uint8_t *der, size_t len, bool in_place) {
  (void)arg;
  (void)in_place;
  char cn[64];
  common_name(der, len, cn, sizeof cn);
  for (size_t i = 0; i < NROOTS; i++)
    if (strcmp(cn, expected_roots[i]) == 0)
      seen_mask |= 1 << i;
  return 0;
}

static void builtin_holds_the_roots_datafold_uses(void) {
  seen_mask = 0;
  int n = dfd_trust_scan(&builtin, NULL, 0, mark_seen, NULL);
  CHECKF(n == (int)NROOTS, "%d certificates in the built-in store", n);
  CHECKF(seen_mask == (1 << NROOTS) - 1, "roots seen: mask 0x%x", (unsigned)seen_mask);
}

/* The subject of the k-th certificate of a source, copied out. */
static uint8_t subject[512];
static size_t subject_len;
static uint8_t found_der[2048];
static size_t found_len;
static int want_index, index_now;

static int take_subject(void *arg, const uint8_t *der, size_t len, bool in_place) {
  (void)arg;
  (void)in_place;
  if (index_now++ != want_index)
    return 0;
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  if (mbedtls_x509_crt_parse_der(&crt, der, len) == 0 && crt.subject_raw.len <= sizeof subject) {
    memcpy(subject, crt.subject_raw.p, crt.subject_raw.len);
    subject_len = crt.subject_raw.len;
  }
  mbedtls_x509_crt_free(&crt);
  if (len <= sizeof found_der) {
    memcpy(found_der, der, len);
    found_len = len;
  }
  return 1;
}

static int count_and_compare_hits;
static int compare_hit(void *arg, const uint8_t *der, size_t len, bool in_place) {
  (void)arg;
  (void)in_place;
  if (len == found_len && memcmp(der, found_der, len) == 0)
    count_and_compare_hits++;
  return 0;
}

static void lookup_by_subject(void) {
  for (int k = 0; k < (int)NROOTS; k++) {
    want_index = k;
    index_now = 0;
    subject_len = found_len = 0;
    dfd_trust_scan(&builtin, NULL, 0, take_subject, NULL);
    CHECK(subject_len > 0 && found_len > 0);
    count_and_compare_hits = 0;
    int n = dfd_trust_scan(&builtin, subject, subject_len, compare_hit, NULL);
    CHECKF(n == 1 && count_and_compare_hits == 1, "root %d: %d found, %d identical", k, n,
           count_and_compare_hits);
  }
  uint8_t nobody[] = {0x30, 0x03, 0x31, 0x01, 0x00};
  CHECK(dfd_trust_scan(&builtin, nobody, sizeof nobody, NULL, NULL) == 0);
}

/* A PEM bundle in memory: junk text, CRLF lines, a 76-column and a 64-column block. */
static char pem[64 * 1024];
static size_t pem_len;

static void add_pem(const uint8_t *der, size_t len, int width, const char *eol) {
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  pem_len +=
      (size_t)snprintf(pem + pem_len, sizeof pem - pem_len,
                       "Subject: some text openssl prints\n-----BEGIN CERTIFICATE-----%s", eol);
  int col = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0) |
                 (i + 2 < len ? der[i + 2] : 0);
    char q[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < len ? b64[(v >> 6) & 63] : '=',
                 i + 2 < len ? b64[v & 63] : '='};
    for (int k = 0; k < 4; k++) {
      pem[pem_len++] = q[k];
      if (++col == width) {
        pem_len += (size_t)snprintf(pem + pem_len, sizeof pem - pem_len, "%s", eol);
        col = 0;
      }
    }
  }
  pem_len += (size_t)snprintf(pem + pem_len, sizeof pem - pem_len, "%s-----END CERTIFICATE-----%s",
                              col ? eol : "", eol);
}

static void pem_bundles(void) {
  pem_len = 0;
  const uint8_t *p = dfd_trust_builtin;
  size_t left = dfd_trust_builtin_len;
  for (int k = 0; left > 4 && k < 4; k++) { /* the first four roots, in assorted layouts */
    size_t len = 4 + ((size_t)p[2] << 8 | p[3]);
    add_pem(p, len, k % 2 ? 76 : 64, k < 2 ? "\n" : "\r\n");
    p += len;
    left -= len;
  }
  dfd_trust_memory mem = {(const uint8_t *)pem, pem_len};
  dfd_trust_source src = {dfd_trust_memory_read, &mem};
  CHECK(dfd_trust_scan(&src, NULL, 0, NULL, NULL) == 4);
  want_index = 3;
  index_now = 0;
  dfd_trust_scan(&builtin, NULL, 0, take_subject, NULL);
  count_and_compare_hits = 0;
  CHECK(dfd_trust_scan(&src, subject, subject_len, compare_hit, NULL) == 1);
  CHECK(count_and_compare_hits == 1);
}

/* Where each certificate handed out lies: in the source's memory or a scratch copy. */
typedef struct {
  const dfd_trust_memory *mem;
  int calls, in_place, inside, copied_equal;
} placement;

static int note_placement(void *arg, const uint8_t *der, size_t len, bool in_place) {
  placement *p = arg;
  p->calls++;
  p->in_place += in_place;
  const uint8_t *lo = p->mem->data, *hi = p->mem->data + p->mem->len;
  p->inside += der >= lo && der < hi && len <= (size_t)(hi - der);
  for (const uint8_t *q = lo; q + len <= hi; q++) /* the same bytes are in the source */
    if (memcmp(q, der, len) == 0) {
      p->copied_equal++;
      break;
    }
  return 0;
}

/* The built-in store through a reader of its own: not recognised as memory. */
static int other_reader(void *ctx, size_t offset, uint8_t *buf, size_t n) {
  return dfd_trust_memory_read(ctx, offset, buf, n);
}

static void der_in_memory_is_read_in_place(void) {
  placement a = {&builtin_mem, 0, 0, 0, 0};
  CHECK(dfd_trust_scan(&builtin, NULL, 0, note_placement, &a) == (int)NROOTS);
  CHECKF(a.calls == (int)NROOTS && a.in_place == a.calls && a.inside == a.calls,
         "%d calls, %d in place, %d inside the store", a.calls, a.in_place, a.inside);

  dfd_trust_source via_reader = {other_reader, &builtin_mem};
  placement b = {&builtin_mem, 0, 0, 0, 0};
  CHECK(dfd_trust_scan(&via_reader, NULL, 0, note_placement, &b) == (int)NROOTS);
  CHECKF(b.in_place == 0 && b.inside == 0 && b.copied_equal == (int)NROOTS,
         "through a reader: %d in place, %d inside, %d equal", b.in_place, b.inside,
         b.copied_equal);

  pem_len = 0;
  add_pem(dfd_trust_builtin, 4 + ((size_t)dfd_trust_builtin[2] << 8 | dfd_trust_builtin[3]), 64,
          "\n");
  dfd_trust_memory mem = {(const uint8_t *)pem, pem_len};
  dfd_trust_source src = {dfd_trust_memory_read, &mem};
  placement c = {&builtin_mem, 0, 0, 0, 0};
  CHECK(dfd_trust_scan(&src, NULL, 0, note_placement, &c) == 1);
  CHECKF(c.in_place == 0 && c.inside == 0 && c.copied_equal == 1,
         "PEM in memory: %d in place, %d inside, %d equal", c.in_place, c.inside, c.copied_equal);
}

static int failing_read(void *ctx, size_t offset, uint8_t *buf, size_t n) {
  (void)ctx;
  (void)offset;
  (void)buf;
  (void)n;
  return -1;
}

static void unreadable_and_empty_sources(void) {
  dfd_trust_source bad = {failing_read, NULL};
  CHECK(dfd_trust_scan(&bad, NULL, 0, NULL, NULL) == DFD_E_TLS_CA_FILE);
  dfd_trust_memory empty = {(const uint8_t *)"", 0};
  dfd_trust_source none = {dfd_trust_memory_read, &empty};
  CHECK(dfd_trust_scan(&none, NULL, 0, NULL, NULL) == 0);
  const char *text = "no certificates here\n-----BEGIN CERTIFICATE-----\n!!!!\n";
  dfd_trust_memory junk = {(const uint8_t *)text, strlen(text)};
  dfd_trust_source src = {dfd_trust_memory_read, &junk};
  CHECK(dfd_trust_scan(&src, NULL, 0, NULL, NULL) == 0);
}

int main(void) {
  static dfd_port port;
  dfd_posix_port_init(&port, NULL, DFD_LOG_ERROR);
  dfd_tls_global_init(&port); /* mbedTLS parses from its static pool */
  /* the source the boards use: the whole generated store, read in place */
  const dfd_trust_source *src = dfd_trust_builtin_source();
  builtin = *src;
  builtin_mem = *(const dfd_trust_memory *)src->ctx;
  if (src->read != dfd_trust_memory_read || builtin_mem.data != dfd_trust_builtin ||
      builtin_mem.len != dfd_trust_builtin_len) {
    printf("not ok - dfd_trust_builtin_source() is the built-in store in memory\n");
    return 1;
  }
  RUN(builtin_holds_the_roots_datafold_uses);
  RUN(lookup_by_subject);
  RUN(pem_bundles);
  RUN(der_in_memory_is_read_in_place);
  RUN(unreadable_and_empty_sources);
  T_EXIT();
}
