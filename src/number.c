/* Decimal <-> binary conversion with one fixed buffer of decimal digits: the "simple
 * decimal conversion" of Go's strconv (decimal.go) and Wuffs. A value is multiplied or
 * divided by powers of two digit by digit, so it needs no bignum, no allocation and no
 * power-of-ten tables (which would cost kilobytes of flash).
 *
 * Exactness: a struct dec keeps at most `lim` digits; dropping nonzero digits sets the
 * sticky `trunc` flag, so the kept value T is below the exact value V exactly when trunc
 * is set.
 * - lim = DEC_DIGITS (800): every double, and every halfway point between two doubles,
 *   has at most 768 significant digits, so such a point is kept exactly at every step
 *   and truncation (monotonic) never takes T below one that V reaches; a tie with trunc
 *   set is broken upwards. Rounding T is then always right.
 * - lim = DEC_FAST (40) is tried first, several times faster. Each of the at most ~200
 *   operations drops under 10^(1-lim) relative, so V - T is under one unit of
 *   d[lim-5]; T's rounding can differ from V's only if T's dropped part reads 4999...9
 *   through d[lim-5] (dec_near_half), and then the conversion is redone with 800.
 *
 * Stack: one struct dec (816 bytes); deepest call chain about 1000 bytes on x86-64,
 * 970 on Cortex-M4. No recursion, no static state. */
#include "number.h"

#include <float.h>
#include <stdbool.h>
#include <string.h>

#include "dfd_err.h"

#define DEC_DIGITS 800
#define DEC_FAST 40
#define DEC_DP_MAX 100000 /* far beyond the double range either way */

/* The Clinger fast path is the only floating-point arithmetic here. On an FPU without
 * doubles (Cortex-M4) it links ~2 KB of soft-float code; a target can turn it off in its
 * dfd_opts.h (port/lwip's does wherever the FPU has no doubles): the digit path alone is
 * exact, just slower (~200 ns vs ~30 ns on x86-64 for a typical short number). */
#ifndef DFD_NUMBER_FAST_PATH
#define DFD_NUMBER_FAST_PATH 1
#endif
#if DFD_NUMBER_FAST_PATH && FLT_EVAL_METHOD == 0
#define FAST_PATH 1
#else
#define FAST_PATH 0
#endif

struct dec {
  int nd;                /* digits used */
  int dp;                /* value = 0.d[0]d[1]...d[nd-1] * 10^dp */
  int lim;               /* digits kept, up to DEC_DIGITS */
  bool trunc;            /* nonzero digits were dropped */
  uint8_t d[DEC_DIGITS]; /* digit values; no leading or trailing zeros */
};

static void dec_trim(struct dec *a) {
  while (a->nd > 0 && a->d[a->nd - 1] == 0)
    a->nd--;
}

/* The integer made of the first k digits (zeros past nd); k <= 19 so it fits. */
static uint64_t dec_int(const struct dec *a, int k) {
  uint64_t u = 0;
  for (int i = 0; i < k; i++)
    u = u * 10 + (i < a->nd ? a->d[i] : 0);
  return u;
}

/* Divides by 2^k (k <= 28, so n < 10 * 2^k fits 32 bits), left to right. */
static void dec_rshift(struct dec *a, int k) {
  const uint32_t mask = ((uint32_t)1 << k) - 1;
  uint32_t n = 0;
  int r = 0, w = 0;

  for (; n >> k == 0; r++) /* only called with nd > 0, so this ends */
    n = n * 10 + (r < a->nd ? a->d[r] : 0);
  a->dp -= r - 1;
  for (; r < a->nd; r++) { /* w < r: the digit read is not yet overwritten */
    a->d[w++] = (uint8_t)(n >> k);
    n = (n & mask) * 10 + a->d[r];
  }
  for (; n > 0; n = (n & mask) * 10) {
    if (w >= a->lim) {
      a->trunc = true;
      break;
    }
    a->d[w++] = (uint8_t)(n >> k);
  }
  a->nd = w;
  dec_trim(a);
}

/* Multiplies by 2^k (k <= 27), right to left. The product gains k - digits(5^k) leading
 * digits, one more when the leading digits reach those of 5^k (as 2^k * 5^k = 10^k);
 * knowing that first lets the digits be written in place. */
static void dec_lshift(struct dec *a, int k) {
  uint64_t p5 = 1, p10 = 1;
  uint32_t carry = 0;
  int l5 = 0, grow;

  for (int i = 0; i < k; i++)
    p5 *= 5;
  for (; p10 <= p5; p10 *= 10)
    l5++;
  grow = k - l5 + (dec_int(a, l5) >= p5);
  for (int r = a->nd - 1; r >= 0; r--) {
    uint32_t n = ((uint32_t)a->d[r] << k) + carry; /* carry < 2^k: n < 10 * 2^k */
    carry = n / 10;
    if (r + grow < a->lim)
      a->d[r + grow] = (uint8_t)(n % 10);
    else if (n % 10)
      a->trunc = true;
  }
  for (int w = grow - 1; w >= 0; w--, carry /= 10)
    a->d[w] = (uint8_t)(carry % 10);
  a->nd = a->nd + grow < a->lim ? a->nd + grow : a->lim;
  a->dp += grow;
  dec_trim(a);
}

/* Multiplies by 2^k; k may be negative. */
static void dec_shift(struct dec *a, int k) {
  while (k > 0 && a->nd > 0) {
    int c = k < 27 ? k : 27;
    dec_lshift(a, c);
    k -= c;
  }
  while (k < 0 && a->nd > 0) {
    int c = -k < 28 ? -k : 28;
    dec_rshift(a, c);
    k += c;
  }
}

/* True when rounding a value truncated at DEC_FAST digits at k digits may differ from
 * rounding the exact value: the dropped part reads 4999...9 up to the last digit the
 * error cannot reach. (At DEC_DIGITS, rounding the truncated value is always right.) */
static bool dec_near_half(const struct dec *a, int k) {
  if (!a->trunc || a->lim == DEC_DIGITS || k < 0 || k >= a->nd || a->d[k] != 4)
    return false;
  for (int i = k + 1; i < a->lim - 4; i++)
    if (i >= a->nd || a->d[i] != 9)
      return false;
  return true;
}

/* Keeps k digits (k may be <= 0), rounding half to even; a tie with trunc is above. */
static void dec_round(struct dec *a, int k) {
  bool up = false;

  if (k >= a->nd)
    return;
  if (k >= 0) {
    int c = a->d[k];
    up = c > 5 || (c == 5 && (k + 1 < a->nd || a->trunc || (k > 0 && (a->d[k - 1] & 1))));
  }
  a->nd = k > 0 ? k : 0;
  a->trunc = false;
  if (!up) {
    dec_trim(a);
    return;
  }
  while (a->nd > 0 && a->d[a->nd - 1] == 9)
    a->nd--;
  if (a->nd == 0) { /* 9...9 carries into a new leading digit */
    a->d[a->nd++] = 1;
    a->dp++;
  } else {
    a->d[a->nd - 1]++;
  }
}

/* Number of decimal digits of u (1 for 0). */
static int u64_len(uint64_t u) {
  int n = 1;
  for (uint64_t p = 10; n < 20 && p <= u; p *= 10)
    n++;
  return n;
}

#if FAST_PATH
/* Clinger: an integer up to 2^53 and 10^|e| (|e| <= 22) are both exact doubles, so one
 * correctly rounded IEEE operation gives the correctly rounded result. Needs double
 * operations evaluated in double (not x87 extended) precision, hence the guard. */
static bool fast_path(const struct dec *a, uint64_t *bits) {
  int e = a->dp - a->nd;
  uint64_t w;
  double v, p = 1;

  if (a->trunc || a->nd > 19)
    return false;
  if (a->dp <= 19 && e >= 0) {
    v = (double)dec_int(a, a->dp); /* one rounding of an exact integer */
  } else {
    w = dec_int(a, a->nd);
    if (w > (uint64_t)1 << 53 || e < -22 || e > 22)
      return false;
    for (int i = 0; i < (e < 0 ? -e : e); i++)
      p *= 10; /* exact: 5^22 < 2^53 */
    v = e < 0 ? (double)w / p : (double)w * p;
  }
  memcpy(bits, &v, sizeof v);
  return true;
}
#endif

/* The magnitude of a as IEEE binary64 bits, correctly rounded, into *bits. Destroys a.
 * Returns false when a was truncated too early to decide the rounding. */
static bool dec_to_bits(struct dec *a, uint64_t *bits) {
  const uint64_t inf = (uint64_t)0x7ff << 52;
  uint64_t mant;
  int e = 0;

  *bits = 0;
  if (a->nd == 0 || a->dp < -330)
    return true;
  *bits = inf;
  if (a->dp > 310)
    return true;
#if FAST_PATH
  if (fast_path(a, bits))
    return true;
#endif
  /* Scale into [0.5, 1), by at most floor(|dp| * log2(10)) bits per step so as not to
   * overshoot. */
  while (a->dp > 0) {
    int n = a->dp >= 9 ? 27 : a->dp * 3322 / 1000;
    dec_shift(a, -n);
    e += n;
  }
  while (a->dp < 0 || (a->dp == 0 && a->d[0] < 5)) {
    int n = a->dp <= -9 ? 27 : a->dp == 0 ? 1 : -a->dp * 3322 / 1000;
    dec_shift(a, n);
    e -= n;
  }
  /* Now value = m * 2^e with m in [1, 2). Below 2^-1022 fewer mantissa bits remain. */
  e--;
  if (e < -1022) {
    dec_shift(a, e + 1022);
    e = -1022;
  }
  if (e > 1023)
    return true;
  dec_shift(a, 53);
  if (dec_near_half(a, a->dp))
    return false;
  dec_round(a, a->dp);
  mant = a->nd > 0 ? dec_int(a, a->dp) : 0;
  if (mant == (uint64_t)1 << 53) { /* rounding carried into a new bit */
    mant >>= 1;
    if (++e > 1023)
      return true;
  }
  if (!(mant >> 52))
    *bits = mant; /* subnormal or zero: exponent field 0 */
  else
    *bits = (mant & (((uint64_t)1 << 52) - 1)) | (uint64_t)(e + 1023) << 52;
  return true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static void dec_push(struct dec *a, char c) {
  if (a->nd < a->lim)
    a->d[a->nd++] = (uint8_t)(c - '0');
  else if (c != '0')
    a->trunc = true;
}

/* Checks the grammar and loads the digits of s[0..n) into a (keeping a->lim digits). */
static bool load(const char *s, size_t n, struct dec *a, bool *neg, bool *plain) {
  int64_t dp = 0, e = 0; /* 64-bit: a digit count is bounded only by n */
  size_t p;

  a->nd = 0;
  a->trunc = false;
  *neg = n > 0 && s[0] == '-';
  *plain = true;
  p = *neg;
  if (p >= n || !is_digit(s[p]))
    return false;
  if (s[p] == '0')
    p++;
  else
    for (; p < n && is_digit(s[p]); p++, dp++)
      dec_push(a, s[p]);
  if (p < n && s[p] == '.') {
    *plain = false;
    if (++p >= n || !is_digit(s[p]))
      return false;
    for (; p < n && is_digit(s[p]); p++) {
      if (a->nd == 0 && s[p] == '0')
        dp--;
      else
        dec_push(a, s[p]);
    }
  }
  if (p < n && (s[p] == 'e' || s[p] == 'E')) {
    bool eneg = ++p < n && s[p] == '-';
    *plain = false;
    if (p < n && (s[p] == '+' || s[p] == '-'))
      p++;
    if (p >= n || !is_digit(s[p]))
      return false;
    for (; p < n && is_digit(s[p]); p++)
      if (e < 100000000000000000) /* saturate: 1e17 is out of range anyway */
        e = e * 10 + (s[p] - '0');
    if (eneg)
      e = -e;
  }
  dec_trim(a);
  dp += e;
  a->dp = dp > DEC_DP_MAX ? DEC_DP_MAX : dp < -DEC_DP_MAX ? -DEC_DP_MAX : (int)dp;
  return p == n;
}

int dfd_parse_number(const char *s, size_t n, dfd_num *out) {
  struct dec a;
  bool neg, plain;
  uint64_t bits;

  memset(out, 0, sizeof *out);
  a.lim = DEC_FAST;
  if (!s || !load(s, n, &a, &neg, &plain))
    return DFD_E_JSON_BAD_NUMBER;
  if (plain && a.dp <= 19) { /* < 10^19 fits uint64; never truncated at DEC_FAST */
    uint64_t u = dec_int(&a, a.dp);
    if (u <= (uint64_t)INT64_MAX + neg) {
      out->is_int = true;
      out->i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : neg ? -(int64_t)u : (int64_t)u;
    }
  }
  if (!dec_to_bits(&a, &bits)) {
    a.lim = DEC_DIGITS;
    (void)load(s, n, &a, &neg, &plain);
    (void)dec_to_bits(&a, &bits);
  }
  bits |= (uint64_t)neg << 63;
  memcpy(&out->d, &bits, sizeof bits);
  out->present = true;
  return DFD_OK;
}

/* Output written straight into the caller's buffer, counting what does not fit. */
struct text {
  char *buf;
  size_t cap, len;
};

static void put(struct text *t, char c) {
  if (t->len < t->cap)
    t->buf[t->len] = c;
  t->len++;
}

static size_t finish(struct text *t) {
  if (t->len < t->cap) {
    t->buf[t->len] = '\0';
    return t->len;
  }
  if (t->cap > 0)
    t->buf[0] = '\0';
  return 0;
}

size_t dfd_format_double(char *buf, size_t cap, double v, int sig) {
  struct dec a;
  struct text t = {buf, cap, 0};
  uint64_t bits, m;
  int be, x;

  memcpy(&bits, &v, sizeof v);
  m = bits & (((uint64_t)1 << 52) - 1);
  be = (int)(bits >> 52 & 0x7ff);
  if (bits >> 63 && !(be == 0x7ff && m)) /* "nan" has no sign (glibc prints "-nan") */
    put(&t, '-');
  if (be == 0x7ff) {
    for (const char *p = m ? "nan" : "inf"; *p; p++)
      put(&t, *p);
    return finish(&t);
  }
  sig = sig < 1 ? 1 : sig > 17 ? 17 : sig;

  /* v = m * 2^(be - 1075), converted into decimal and rounded to sig digits. */
  if (be > 0)
    m |= (uint64_t)1 << 52;
  for (a.lim = DEC_FAST;; a.lim = DEC_DIGITS) {
    uint64_t u = m;
    a.nd = a.dp = m > 0 ? u64_len(m) : 0;
    a.trunc = false;
    for (int i = a.nd - 1; i >= 0; i--, u /= 10)
      a.d[i] = (uint8_t)(u % 10);
    dec_trim(&a);
    dec_shift(&a, (be > 0 ? be : 1) - 1075);
    if (!dec_near_half(&a, sig))
      break;
  }
  dec_round(&a, sig);

  x = a.dp - 1; /* decimal exponent of the leading digit, as %e would print it */
  if (a.nd == 0) {
    put(&t, '0');
  } else if (x < -4 || x >= sig) { /* %e style, trailing zeros removed */
    int ax = x < 0 ? -x : x;
    put(&t,
        (char)('0' + a.d[0])); // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): nd > 0
    if (a.nd > 1)
      put(&t, '.');
    for (int i = 1; i < a.nd; i++)
      put(&t, (char)('0' + a.d[i])); // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult):
                                     // d[0..nd) is always written
    put(&t, 'e');
    put(&t, x < 0 ? '-' : '+');
    if (ax >= 100)
      put(&t, (char)('0' + ax / 100));
    put(&t, (char)('0' + ax / 10 % 10));
    put(&t, (char)('0' + ax % 10));
  } else if (a.dp <= 0) { /* %f style, 0.000ddd */
    put(&t, '0');
    put(&t, '.');
    for (int i = a.dp; i < 0; i++)
      put(&t, '0');
    for (int i = 0; i < a.nd; i++)
      put(&t, (char)('0' + a.d[i])); // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult):
                                     // d[0..nd) is always written
  } else { /* %f style; at most sig digits, so the whole integer part is shown */
    for (int i = 0; i < a.nd || i < a.dp; i++) {
      if (i == a.dp)
        put(&t, '.');
      put(&t, (char)(i < a.nd ? '0' + a.d[i] : '0'));
    }
  }
  return finish(&t);
}

size_t dfd_format_int64(char *buf, size_t cap, int64_t v) {
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  size_t len = (size_t)(v < 0) + (size_t)u64_len(u);

  if (cap < 21) {
    if (cap > 0)
      buf[0] = '\0';
    return 0;
  }
  buf[0] = '-';
  buf[len] = '\0';
  for (size_t i = len; i-- > (size_t)(v < 0); u /= 10)
    buf[i] = (char)('0' + u % 10);
  return len;
}
