/* On-demand trust anchor lookup over a PEM or DER bundle, with fixed memory. */
#include "trust.h"

#include <stdbool.h>
#include <string.h>

#include "dfd_err.h"

#if DFD_TRUST_DER_MAX > 0
#define WINDOW 512

typedef struct {
  const dfd_trust_source *src;
  size_t offset;   /* of window[0] in the source */
  size_t len, pos; /* bytes in window, read position */
  bool failed;
  uint8_t window[WINDOW];
} reader;

static int next_byte(reader *r) {
  if (r->pos == r->len) {
    r->offset += r->len;
    r->pos = 0;
    int n = r->src->read(r->src->ctx, r->offset, r->window, sizeof r->window);
    if (n < 0)
      r->failed = true;
    r->len = n > 0 ? (size_t)n : 0;
    if (r->len == 0)
      return -1;
  }
  return r->window[r->pos++];
}

/* Reads one line (up to max bytes kept) into line; returns its length, -1 at the end. */
static int next_line(reader *r, char *line, int max) {
  int n = 0, c;
  while ((c = next_byte(r)) >= 0 && c != '\n')
    if (n < max)
      line[n++] = (char)c;
  if (c < 0 && n == 0)
    return -1;
  while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
    n--;
  return n;
}

static int b64(int c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

#endif

/* The header of the DER TLV at p (tag and length bytes): its size, with the value's length
 * in *value_len; 0 when malformed (an indefinite length, more than 3 length bytes) or when
 * the header itself passes max. */
static size_t tlv_head(const uint8_t *p, size_t max, size_t *value_len) {
  if (max < 2)
    return 0;
  size_t len = p[1], head = 2;
  if (len & 0x80) {
    unsigned k = len & 0x7F;
    if (k == 0 || k > 3 || max < 2 + k)
      return 0;
    len = 0;
    for (unsigned i = 0; i < k; i++)
      len = len << 8 | p[2 + i];
    head += k;
  }
  *value_len = len;
  return head;
}

/* Length of the DER TLV at p (tag + length + value), 0 when malformed or beyond max. */
static size_t tlv_len(const uint8_t *p, size_t max) {
  size_t len = 0, head = tlv_head(p, max, &len);
  return head && head + len <= max ? head + len : 0;
}

/* The subject Name TLV of a certificate: Certificate > TBSCertificate >
 * [version] serial signature issuer validity subject. */
static const uint8_t *der_subject(const uint8_t *der, size_t len, size_t *subject_len) {
  size_t value = 0;
  if (tlv_len(der, len) == 0 || der[0] != 0x30)
    return NULL;
  const uint8_t *p = der + tlv_head(der, len, &value); /* into Certificate */
  const uint8_t *end = der + len;
  if (p >= end || *p != 0x30 || tlv_len(p, (size_t)(end - p)) == 0)
    return NULL;
  p += tlv_head(p, (size_t)(end - p), &value); /* into TBSCertificate */
  if (p < end && *p == 0xA0)                   /* explicit version */
    p += tlv_len(p, (size_t)(end - p));
  for (int skip = 0; skip < 4; skip++) { /* serial, signature, issuer, validity */
    size_t l = p < end ? tlv_len(p, (size_t)(end - p)) : 0;
    if (l == 0)
      return NULL;
    p += l;
  }
  size_t l = p < end ? tlv_len(p, (size_t)(end - p)) : 0;
  if (l == 0 || *p != 0x30)
    return NULL;
  *subject_len = l;
  return p;
}

static int consider(const uint8_t *der, size_t len, bool in_place, const uint8_t *subject,
                    size_t subject_len, dfd_trust_found_fn found, void *arg, int *count) {
  size_t sl = 0;
  const uint8_t *s = der_subject(der, len, &sl);
  if (!s)
    return 0;
  if (subject && (sl != subject_len || memcmp(s, subject, sl) != 0))
    return 0;
  (*count)++;
  return found ? found(arg, der, len, in_place) : 0;
}

/* DER certificates in memory are handed out where they are: no copy, no size limit. */
static int scan_in_place(const dfd_trust_memory *m, const uint8_t *subject, size_t subject_len,
                         dfd_trust_found_fn found, void *arg) {
  int count = 0;
  for (size_t off = 0; off < m->len;) {
    const uint8_t *p = m->data + off;
    size_t total = tlv_len(p, m->len - off);
    if (total == 0 || *p != 0x30 ||
        consider(p, total, true, subject, subject_len, found, arg, &count))
      break;
    off += total;
  }
  return count;
}

#if DFD_TRUST_DER_MAX > 0
static struct {
  reader r;
  uint8_t der[DFD_TRUST_DER_MAX];
} scan; /* one lookup at a time: the client is single-threaded */

/* DER certificates from a reader, each copied whole into scan.der. */
static int scan_der(const dfd_trust_source *src, const uint8_t *subject, size_t subject_len,
                    dfd_trust_found_fn found, void *arg) {
  int count = 0;
  size_t off = 0;
  for (;;) {
    uint8_t head[5];
    int n = src->read(src->ctx, off, head, sizeof head);
    size_t len = 0, h = n > 0 ? tlv_head(head, (size_t)n, &len) : 0;
    if (h == 0 || head[0] != 0x30)
      break;
    size_t total = h + len;
    if (total <= sizeof scan.der && src->read(src->ctx, off, scan.der, total) == (int)total &&
        consider(scan.der, total, false, subject, subject_len, found, arg, &count))
      break;
    off += total;
  }
  return count;
}

/* PEM text: each certificate's base64 decoded into scan.der. */
static int scan_pem(reader *r, const uint8_t *subject, size_t subject_len, dfd_trust_found_fn found,
                    void *arg) {
  int count = 0;
  char line[80];
  int n;
  while ((n = next_line(r, line, (int)sizeof line)) >= 0) {
    if (n != 27 || memcmp(line, "-----BEGIN CERTIFICATE-----", 27) != 0)
      continue;
    size_t len = 0;
    bool too_big = false;
    uint32_t acc = 0;
    int bits = 0;
    while ((n = next_line(r, line, (int)sizeof line)) >= 0 && !(n >= 5 && line[0] == '-')) {
      for (int i = 0; i < n; i++) {
        int v = b64((unsigned char)line[i]);
        if (v < 0)
          continue; /* '=' padding and stray whitespace */
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          if (len < sizeof scan.der)
            scan.der[len++] = (uint8_t)(acc >> bits);
          else
            too_big = true;
        }
      }
    }
    if (!too_big && consider(scan.der, len, false, subject, subject_len, found, arg, &count))
      break;
  }
  return count;
}
#endif

int dfd_trust_scan(const dfd_trust_source *src, const uint8_t *subject, size_t subject_len,
                   dfd_trust_found_fn found, void *arg) {
  if (src->read == dfd_trust_memory_read) {
    const dfd_trust_memory *m = src->ctx;
    if (m->len == 0)
      return 0;
    if (m->data[0] == 0x30)
      return scan_in_place(m, subject, subject_len, found, arg);
  }
#if DFD_TRUST_DER_MAX > 0
  reader *r = &scan.r;
  memset(r, 0, sizeof *r);
  r->src = src;
  int c = next_byte(r), count;
  if (c == 0x30) {
    count = scan_der(src, subject, subject_len, found, arg);
  } else {
    r->pos = 0; /* start again from the first byte */
    count = scan_pem(r, subject, subject_len, found, arg);
  }
  return r->failed ? DFD_E_TLS_CA_FILE : count;
#else
  (void)subject, (void)subject_len, (void)found, (void)arg;
  return DFD_E_TLS_CA_FILE;
#endif
}

int dfd_trust_memory_read(void *ctx, size_t offset, uint8_t *buf, size_t n) {
  const dfd_trust_memory *m = ctx;
  if (offset >= m->len)
    return 0;
  if (n > m->len - offset)
    n = m->len - offset;
  if (n > 0x7FFFFFFF)
    n = 0x7FFFFFFF;
  memcpy(buf, m->data + offset, n);
  return (int)n;
}
