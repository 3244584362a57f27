/* Decimal text <-> numbers (src/number.c) against the C library, and the extractor's
 * integer rule (src/extract.c) against a decimal-string model.
 *
 * Input: the text of a number (any bytes). Its first 8 bytes are also taken as the bits of
 * a double and of an int64 for the formatters.
 * Checks: dfd_parse_number accepts exactly the RFC 8259 number grammar; then its double is
 * bit-identical to strtod's and is_int/i match strtoll on plain integers that fit;
 * dfd_format_double(v, sig) prints what printf("%.*g") prints (sig 1..17 for the parsed
 * value, a few for the raw bits), reads back exactly at 17 digits, and reports a
 * too-small buffer; dfd_format_int64 matches "%lld";
 * in a body, "id" (an integer field) is present exactly when the value is an integer that
 * fits int64, and "runtime" (a number field) holds what dfd_parse_number gives. */
#include <errno.h>
#include <inttypes.h>

#include "dfd_err.h"
#include "extract.h"
#include "fuzz.h"
#include "number.h"

#define TEXT_MAX 4096

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? over all of s[0..n). */
static bool json_number(const uint8_t *s, size_t n, size_t *int_end, size_t *frac_end) {
  size_t p = 0;
  if (p < n && s[p] == '-')
    p++;
  if (p >= n || !is_digit(s[p]))
    return false;
  if (s[p] == '0')
    p++;
  else
    while (p < n && is_digit(s[p]))
      p++;
  *int_end = p;
  if (p < n && s[p] == '.') {
    p++;
    if (p >= n || !is_digit(s[p]))
      return false;
    while (p < n && is_digit(s[p]))
      p++;
  }
  *frac_end = p;
  if (p < n && (s[p] == 'e' || s[p] == 'E')) {
    p++;
    if (p < n && (s[p] == '+' || s[p] == '-'))
      p++;
    if (p >= n || !is_digit(s[p]))
      return false;
    while (p < n && is_digit(s[p]))
      p++;
  }
  return p == n;
}

/* The extractor's integer rule on decimal strings: the exact value is an integer within
 * int64. digits = integer part then fraction digits, scaled by 10^(exp - fraction digits). */
static bool exact_int(const uint8_t *s, size_t n, size_t int_end, size_t frac_end, int64_t *out) {
  static char digits[TEXT_MAX + 32];
  bool neg = s[0] == '-';
  size_t nd = 0;
  for (size_t i = neg; i < frac_end; i++)
    if (is_digit(s[i]))
      digits[nd++] = (char)s[i];
  long long scale = -(long long)(frac_end > int_end ? frac_end - int_end - 1 : 0);
  if (frac_end < n) { /* exponent, saturated far beyond what matters */
    size_t i = frac_end + 1;
    bool eneg = s[i] == '-';
    if (s[i] == '+' || s[i] == '-')
      i++;
    long long e = 0;
    for (; i < n; i++)
      if (e < 1000000000LL)
        e = e * 10 + (s[i] - '0');
    scale += eneg ? -e : e;
  }
  size_t lead = 0;
  while (lead < nd && digits[lead] == '0')
    lead++;
  if (lead == nd) {
    *out = 0;
    return true;
  }
  while (digits[nd - 1] == '0') {
    nd--;
    scale++;
  }
  if (scale < 0 || (long long)(nd - lead) + scale > 19)
    return false;
  char text[24];
  size_t k = 0;
  for (size_t i = lead; i < nd; i++)
    text[k++] = digits[i];
  for (long long i = 0; i < scale; i++)
    text[k++] = '0';
  text[k] = '\0';
  const char *lim = neg ? "9223372036854775808" : "9223372036854775807";
  if (k == 19 && strcmp(text, lim) > 0)
    return false;
  uint64_t u = 0;
  for (size_t i = 0; i < k; i++)
    u = u * 10 + (uint64_t)(text[i] - '0');
  *out = neg ? (int64_t)(0 - u) : (int64_t)u;
  return true;
}

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Formats v at every precision from sig_lo to 17. */
static void check_format(double v, int sig_lo) {
  char mine[40], ref[64];
  for (int sig = sig_lo; sig <= 17; sig++) {
    size_t n = dfd_format_double(mine, sizeof mine, v, sig);
    if (v != v)
      snprintf(ref, sizeof ref, "nan"); /* documented: no sign on nan */
    else
      snprintf(ref, sizeof ref, "%.*g", sig, v);
    FUZZ_CHECK(n == strlen(mine) && strcmp(mine, ref) == 0,
               "format %a at %d digits: [%s], printf [%s]", v, sig, mine, ref);
    if (n > 0 && sig == 17) {
      char small[40];
      FUZZ_CHECK(dfd_format_double(small, n, v, sig) == 0 && small[0] == '\0',
                 "format %a into %zu bytes did not report a short buffer", v, n);
    }
  }
  if (v == v && v - v == 0) {
    size_t n = dfd_format_double(mine, sizeof mine, v, 17);
    dfd_num back;
    FUZZ_CHECK(dfd_parse_number(mine, n, &back) == DFD_OK && same_bits(back.d, v),
               "%a printed as [%s] reads back as %a", v, mine, back.d);
  }
}

static void check_int64(int64_t v) {
  char mine[24], ref[32];
  size_t n = dfd_format_int64(mine, sizeof mine, v);
  snprintf(ref, sizeof ref, "%" PRId64, v);
  FUZZ_CHECK(n == strlen(ref) && strcmp(mine, ref) == 0, "format_int64: [%s], printf [%s]", mine,
             ref);
}

static char text[TEXT_MAX + 1];
static char body[2 * TEXT_MAX + 64];
static dfd_extract x;
static dfd_status st;

FUZZ_TARGET(number) {
  uint8_t raw[8] = {0};
  memcpy(raw, data, size < 8 ? size : 8);
  double rd;
  int64_t ri;
  memcpy(&rd, raw, 8);
  memcpy(&ri, raw, 8);
  check_format(rd, 1 + raw[7] % 17);
  check_int64(ri);
  if (size > TEXT_MAX)
    return 0;

  dfd_num num;
  int r = dfd_parse_number((const char *)data, size, &num);
  size_t int_end = 0, frac_end = 0;
  bool valid = json_number(data, size, &int_end, &frac_end);
  FUZZ_CHECK((r == DFD_OK) == valid, "dfd_parse_number %d on [%.*s], grammar says %s", r, (int)size,
             (const char *)data, valid ? "valid" : "invalid");
  if (!valid) {
    FUZZ_CHECK(!num.present, "present after an error");
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';

  char *end = NULL;
  double d = strtod(text, &end);
  FUZZ_CHECK(end == text + size, "strtod stopped early on [%s]", text);
  FUZZ_CHECK(num.present && same_bits(num.d, d), "[%s]: %a, strtod %a", text, num.d, d);
  bool plain = frac_end == size && int_end == size;
  errno = 0;
  long long ll = plain ? strtoll(text, NULL, 10) : 0;
  bool fits = plain && errno == 0;
  FUZZ_CHECK(num.is_int == fits && (!fits || num.i == ll), "[%s]: is_int %d i %" PRId64, text,
             num.is_int, num.i);
  check_format(num.d, 1);
  if (num.is_int)
    check_int64(num.i);

  /* the same text in a body, as an integer field and as a number field */
  int k = snprintf(body, sizeof body, "{\"id\":%s,\"runtime\":%s}", text, text);
  dfd_extract_init(&x, &st);
  int e = dfd_extract_feed(&x, body, (size_t)k);
  if (e == DFD_OK)
    e = dfd_extract_finish(&x);
  FUZZ_CHECK(e == DFD_OK, "extractor error %d on %s", e, body);
  if (st.member_truncated)
    return 0; /* longer than the member buffer */
  int64_t want = 0;
  bool is_int = exact_int(data, size, int_end, frac_end, &want);
  FUZZ_CHECK(st.id.present == is_int && (!is_int || st.id.v == want),
             "id [%s]: present %d v %" PRId64 ", expected %d %" PRId64, text, st.id.present,
             st.id.v, is_int, want);
  FUZZ_CHECK(st.runtime.present && same_bits(st.runtime.d, num.d) &&
                 st.runtime.is_int == num.is_int && (!num.is_int || st.runtime.i == num.i),
             "runtime [%s] differs from dfd_parse_number", text);
  return 0;
}
