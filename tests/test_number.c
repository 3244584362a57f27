/* Unit tests for src/number.c. glibc's strtod, strtoll and snprintf are the oracles:
 * every parsed double must be bit-identical to strtod's and every formatted double
 * byte-identical to snprintf("%.*g"). Random inputs use a fixed seed. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dfd_err.h"
#include "number.h"
#include "test.h"

static uint64_t rng_state;

static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n) { return rnd() % n; }

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static double from_bits(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* A random finite double from random bits (every exponent equally likely). */
static double random_finite(void) {
  for (;;) {
    double d = from_bits(rnd());
    if (isfinite(d))
      return d;
  }
}

static int parse(const char *s, dfd_num *out) { return dfd_parse_number(s, strlen(s), out); }

/* Mismatches in the current case; the first few are printed, all are counted. */
static long bad;
static long compared;

static void expect_strtod(const char *s) {
  dfd_num x;
  double want = strtod(s, NULL);
  int r = parse(s, &x);
  bool ok = r == DFD_OK && x.present && same_bits(x.d, want);

  compared++;
  if (!ok && bad++ < 5)
    CHECKF(ok, "\"%.80s\" (%zu chars): r=%d d=%a, strtod gives %a", s, strlen(s), r, x.d, want);
}

static void expect_format(double v, int sig) {
  char got[40], want[40];
  size_t n = dfd_format_double(got, sizeof got, v, sig);
  int wn = snprintf(want, sizeof want, "%.*g", sig, v);
  bool ok = n == (size_t)wn && strcmp(got, want) == 0;

  compared++;
  if (!ok && bad++ < 5)
    CHECKF(ok, "%a sig %d: got \"%s\" (%zu), snprintf gives \"%s\"", v, sig, got, n, want);
}

static void grammar_accepts(void) {
  static const char ok[] = "0 -0 0.0 -0.0 1 -1 10 1.5 -1.5 0.5e1 1e5 1E5 1e+5 1e-5 1E-05 1E+005 "
                           "-0.0e-0 0e0 0.000001 9.999e999 123456789012345678901234567890 1.0 "
                           "3.14159 2e-1 1234567890.0987654321e-10 0.1e-0 7E0 5e-324 -5e-324";
  char s[64];
  int n = 0;

  bad = 0;
  for (const char *p = ok; *p; n++) {
    size_t len = strcspn(p, " ");
    snprintf(s, sizeof s, "%.*s", (int)len, p);
    expect_strtod(s);
    p += len + (p[len] == ' ');
  }
  CHECKF(n == 29, "%d numbers", n);
  CHECKF(bad == 0, "%ld of the accepted numbers mismatch", bad);
}

static void grammar_rejects(void) {
  static const char *const no[] = {"",      "-",        "+1",        "01",    "-01",
                                   "00",    "1.",       ".5",        "-.5",   "1e",
                                   "1e+",   "1e-",      "1E",        "0x10",  "NaN",
                                   "nan",   "Infinity", "-Infinity", "inf",   " 1",
                                   "1 ",    "1.2.3",    "--1",       "1e5.5", "1e1e1",
                                   "1.e5",  "e5",       "-e5",       "1ee5",  "1e+-5",
                                   "1e--5", "+0",       "1,5",       "1_000", "0.",
                                   "-0.",   "a",        "1a",        "1\t",   "\n1",
                                   "0e",    "1.5e",     "1..5",      "1.5.",  ".",
                                   "-.",    "0b1",      "1f",        "1d",    "\xef\xbc\x91",
                                   "1e5 ",  "1E+",      "00.5",      "-00",   "\xd9\xa3"};
  bad = 0;
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    dfd_num x = {true, true, 42, 1.0};
    int r = parse(no[i], &x);
    bool ok = r == DFD_E_JSON_BAD_NUMBER && !x.present && !x.is_int;
    if (!ok && bad++ < 5)
      CHECKF(ok, "\"%s\" gave r=%d present=%d", no[i], r, x.present);
  }
  CHECKF(bad == 0, "%ld of %zu rejects were accepted", bad, sizeof no / sizeof no[0]);
}

/* The text is exactly s[0..n): neither stops at a NUL nor reads past n. */
static void explicit_length(void) {
  dfd_num x = {0};
  CHECK(dfd_parse_number("12", 1, &x) == DFD_OK && x.is_int && x.i == 1);
  CHECK(dfd_parse_number("1.5e3junk", 5, &x) == DFD_OK && same_bits(x.d, 1500.0));
  CHECK(dfd_parse_number("1e", 1, &x) == DFD_OK && x.i == 1);
  CHECK(dfd_parse_number("1\0", 2, &x) == DFD_E_JSON_BAD_NUMBER && !x.present);
  CHECK(dfd_parse_number("-5", 1, &x) == DFD_E_JSON_BAD_NUMBER && !x.present);
  CHECK(dfd_parse_number("7", 0, &x) == DFD_E_JSON_BAD_NUMBER && !x.present);
  CHECK(dfd_parse_number(NULL, 0, &x) == DFD_E_JSON_BAD_NUMBER && !x.present);
}

static void int64_bounds(void) {
  static const struct {
    const char *s;
    bool is_int;
    int64_t i;
  } cases[] = {
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"18446744073709551615", false, 0},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"100000000000000000000", false, 0},
      {"1000000000000000000", true, 1000000000000000000},
      {"9999999999999999999", false, 0},
      {"1234567890123456789", true, 1234567890123456789},
      {"-1234567890123456789", true, -1234567890123456789},
      {"9007199254740993", true, 9007199254740993},
      {"-9007199254740993", true, -9007199254740993},
      {"0", true, 0},
      {"-0", true, 0},
      {"42", true, 42},
      {"1.0", false, 0},
      {"1e2", false, 0},
      {"1E0", false, 0},
      {"-7.0", false, 0},
      {"10000000000000000000000000000000000000000", false, 0},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    dfd_num x;
    int r = parse(cases[k].s, &x);
    CHECKF(r == DFD_OK && x.present, "%s: r=%d", cases[k].s, r);
    CHECKF(x.is_int == cases[k].is_int, "%s: is_int=%d", cases[k].s, x.is_int);
    CHECKF(!x.is_int || x.i == cases[k].i, "%s: i=%" PRId64, cases[k].s, x.i);
    CHECKF(same_bits(x.d, strtod(cases[k].s, NULL)), "%s: d=%a", cases[k].s, x.d);
  }
}

/* Every 19-digit integer fits uint64; those up to INT64_MAX are exact ints. */
static void nineteen_digits(void) {
  rng_state = 0xA4093822299F31D0ULL;
  bad = 0;
  for (int k = 0; k < t_iterations(20000); k++) {
    char s[24];
    uint64_t u = 1000000000000000000ULL + below(9000000000000000000ULL);
    bool neg = rnd() & 1;
    dfd_num x;
    snprintf(s, sizeof s, "%s%" PRIu64, neg ? "-" : "", u);
    int r = parse(s, &x);
    bool fits = u <= (uint64_t)INT64_MAX + neg;
    int64_t want = fits ? (int64_t)strtoll(s, NULL, 10) : 0;
    bool ok = r == DFD_OK && x.is_int == fits && (!fits || x.i == want) &&
              same_bits(x.d, strtod(s, NULL));
    if (!ok && bad++ < 5)
      CHECKF(ok, "%s: r=%d is_int=%d i=%" PRId64 " d=%a", s, r, x.is_int, x.i, x.d);
  }
  CHECKF(bad == 0, "%ld 19-digit mismatches", bad);
}

static void negative_zero(void) {
  static const char *const negz[] = {"-0",        "-0.0",    "-0e5",
                                     "-0.000e-7", "-1e-400", "-2.4703282292062327e-324"};
  static const char *const posz[] = {"0", "0.0", "0e999999999999", "1e-400", "0.0e+0"};
  for (size_t k = 0; k < sizeof negz / sizeof negz[0]; k++) {
    dfd_num x;
    CHECKF(parse(negz[k], &x) == DFD_OK && x.d == 0 && signbit(x.d), "%s", negz[k]);
  }
  for (size_t k = 0; k < sizeof posz / sizeof posz[0]; k++) {
    dfd_num x;
    CHECKF(parse(posz[k], &x) == DFD_OK && x.d == 0 && !signbit(x.d), "%s", posz[k]);
  }
}

static void exponent_extremes(void) {
  static char s[3000], big[20020];
  dfd_num x;

  rng_state = 0x243F6A8885A308D3ULL;
  CHECK(parse("1e0000000000000000000005", &x) == DFD_OK && same_bits(x.d, 1e5) && !x.is_int);
  CHECK(parse("0e999999999999", &x) == DFD_OK && same_bits(x.d, 0.0));
  CHECK(parse("1e400", &x) == DFD_OK && isinf(x.d) && x.d > 0);
  CHECK(parse("-1e400", &x) == DFD_OK && isinf(x.d) && x.d < 0);
  CHECK(parse("1e99999999999999999999999999", &x) == DFD_OK && isinf(x.d));
  CHECK(parse("1e-99999999999999999999999999", &x) == DFD_OK && same_bits(x.d, 0.0));
  CHECK(parse("123e-99999999999999999999999999", &x) == DFD_OK && same_bits(x.d, 0.0));

  bad = 0;
  /* "1" and 799 zeros, scaled back to 1; and the same past the digit buffer. */
  for (size_t len = 790; len <= 1210; len += 140) {
    memset(s, '0', len);
    s[0] = '1';
    snprintf(s + len, 20, "e-%zu", len - 1);
    expect_strtod(s);
    s[len - 1] = '1'; /* a nonzero digit past the buffer */
    expect_strtod(s);
  }
  /* 0.(1000 zeros)1e1000 and friends. */
  strcpy(s, "0.");
  memset(s + 2, '0', 1000);
  strcpy(s + 1002, "17e1003");
  expect_strtod(s);
  strcpy(s + 1002, "17e-1");
  expect_strtod(s);
  /* 20000 zeros before or after the digits, undone by a five-digit exponent. */
  memset(big, '0', sizeof big);
  memcpy(big, "0.", 2);
  strcpy(big + 20002, "25e20003");
  expect_strtod(big);
  memset(big, '0', sizeof big);
  big[0] = '3';
  strcpy(big + 20001, "e-20000");
  expect_strtod(big);
  /* 800 random digits with exponents across the whole range. */
  for (int e = -1200; e <= 400; e += 37) {
    for (int i = 0; i < 800; i++)
      s[i] = (char)('0' + (i == 0 ? 1 + below(9) : below(10)));
    snprintf(s + 800, 20, "e%d", e);
    expect_strtod(s);
  }
  CHECKF(bad == 0, "%ld long-mantissa mismatches", bad);
}

static void hard_cases(void) {
  static const char *const hard[] = {
      "2.2250738585072011e-308",
      "2.2250738585072012e-308",
      "2.2250738585072014e-308",
      "2.2250738585072009e-308",
      "2.225073858507201136057409796709131975934819546351645648e-308",
      "4.9406564584124654e-324",
      "2.4703282292062327e-324",
      "2.4703282292062328e-324",
      "7.4109846876186982e-324",
      "1e-323",
      "5e-324",
      "3e-324",
      "1.7976931348623157e308",
      "1.7976931348623158e308",
      "1.7976931348623159e308",
      "1.797693134862315807e308",
      "1.7976931348623157081452742373170435679807056752584499659891747680315726078e308",
      "9007199254740993",
      "9007199254740992.5",
      "9007199254740994.9999999999999",
      "18014398509481993",
      "0.1",
      "0.2",
      "0.3",
      "0.7",
      "1e23",
      "8.533e+68",
      "4.1006e-184",
      "9.998e+307",
      "9.9538452227e-280",
      "6.47660115e-260",
      "7.4e+47",
      "5.92e+48",
      "7.35e+66",
      "8.32116e+55",
      "1.00000000000000011102230246251565404236316680908203125",
      "1.00000000000000011102230246251565404236316680908203124",
      "1.00000000000000011102230246251565404236316680908203126",
      "1.000000000000000111022302462515654042363166809082031250000000000000000000001",
      "0.500000000000000166533453693773481063544750213623046875",
      "3.518437208883201171875e13",
      "62.5364939768271845828",
      "8.10109172351e-10",
      "1.50000000000000011102230246251565404236316680908203125",
      "9007199254740991.4999999999999999999999999999999995",
      "1448997445238699",
      "179769313486231580793728971405303415079934132710037826936173778980444968292764750946"
      "649017977587207096330286416692887910946555547851940402630657488671505820681908902000"
      "708383676273854845817711531764475730270069855571366959622842914819860834936475292719"
      "074168444365510704342711559699508093042880177904174497791.9999999999999999999999999999",
      "2.470328229206232720882538124467e-324",
      "7.2057594037927933e16",
      "123456789012345678901234567890e-30",
      "100000000000000000000000",
      "1000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
  };
  bad = 0;
  for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
    expect_strtod(hard[i]);
    if (hard[i][0] != '-') {
      char neg[600];
      snprintf(neg, sizeof neg, "-%s", hard[i]);
      expect_strtod(neg);
    }
  }
  CHECKF(bad == 0, "%ld hard-case mismatches", bad);
}

/* Points exactly halfway between two doubles (up to 767 digits), just above and just
 * below them, and their short prefixes: the inputs where a truncating parser fails.
 * long double (64-bit mantissa on x86) holds every such midpoint exactly. */
static void halfway_points(void) {
  static char exact[1200], s[1300];
  int n = 0;

  rng_state = 0x13198A2E03707344ULL;
  bad = 0;
  compared = 0;
  if (LDBL_MANT_DIG < 55) { /* long double is double here (ARM): no exact midpoints */
    printf("# skipped: long double has %d mantissa bits, too few to hold midpoints\n",
           LDBL_MANT_DIG);
    return;
  }
  for (int k = 0; k < t_iterations(4000); k++) {
    double lo = fabs(random_finite());
    char *e;
    size_t mlen;

    if (k % 4 == 0) /* subnormals and the smallest normals */
      lo = from_bits(below((uint64_t)1 << 53));
    if (lo == DBL_MAX)
      continue;
    long double mid = ((long double)lo + (long double)nextafter(lo, INFINITY)) / 2;
    snprintf(exact, sizeof exact, "%.900Le", mid);
    e = strchr(exact, 'e');
    mlen = (size_t)(e - exact);
    while (exact[mlen - 1] == '0')
      mlen--;
    if (exact[mlen - 1] == '.') /* a one-digit midpoint such as 5e22 */
      continue;
    /* exact midpoint */
    snprintf(s, sizeof s, "%.*s%s", (int)mlen, exact, e);
    expect_strtod(s);
    /* a 1 far past the 800th digit */
    snprintf(s, sizeof s, "%.*s%0*d1%s", (int)mlen, exact, (int)(1000 - mlen), 0, e);
    expect_strtod(s);
    /* the last digit lowered and 9s to beyond the 800th digit */
    snprintf(s, sizeof s, "%.*s%c", (int)mlen - 1, exact, exact[mlen - 1] - 1);
    memset(s + mlen, '9', 1000 - mlen);
    strcpy(s + 1000, e);
    expect_strtod(s);
    /* short prefixes */
    for (int p = 17; p <= 45; p += 4) {
      if ((size_t)p + 1 >= mlen)
        break;
      snprintf(s, sizeof s, "%.*s%s", p + 1, exact, e);
      expect_strtod(s);
    }
    n++;
  }
  printf("# %d midpoints: %ld texts compared with strtod\n", n, compared);
  CHECKF(bad == 0, "%ld halfway mismatches", bad);
}

/* A random JSON number: 1 to 40 significant digits (sometimes from "0459" to land near
 * rounding boundaries), a random point position, a random exponent in -350..350. */
static size_t random_number_text(char *s, bool *plain) {
  static const char near[] = "0459";
  char digits[48];
  int nd = 1 + (int)below(40), point, len = 0;
  bool biased = below(4) == 0;

  for (int i = 0; i < nd; i++)
    digits[i] = biased ? near[below(4)] : (char)('0' + below(10));
  if (digits[0] == '0')
    digits[0] = (char)('1' + below(9));
  if (rnd() & 1)
    s[len++] = '-';
  point = (int)below((uint64_t)nd + 2); /* nd or nd+1: no point */
  if (point == 0) {
    len += snprintf(s + len, 64, "0.%.*s", (int)below(4), "000");
    memcpy(s + len, digits, (size_t)nd);
    len += nd;
  } else {
    memcpy(s + len, digits, (size_t)(point < nd ? point : nd));
    len += point < nd ? point : nd;
    if (point < nd) {
      s[len++] = '.';
      memcpy(s + len, digits + point, (size_t)(nd - point));
      len += nd - point;
    }
  }
  *plain = point >= nd;
  if (below(10) < 7) {
    static const char *const sign[] = {"", "+", "-"};
    int ex = (int)below(701) - 350;
    len += snprintf(s + len, 32, "%c%s%.*s%d", (rnd() & 1) ? 'e' : 'E',
                    ex < 0 ? "-" : sign[below(2)], (int)below(3), "00", ex < 0 ? -ex : ex);
    *plain = false;
  }
  s[len] = '\0';
  return (size_t)len;
}

static void random_decimal_texts(void) {
  char s[160];
  long ints = 0;

  bad = 0;
  compared = 0;
  rng_state = 0x9E3779B97F4A7C15ULL;
  for (int k = 0; k < t_iterations(250000); k++) {
    bool plain;
    random_number_text(s, &plain);
    expect_strtod(s);
    if (plain) { /* is_int exactly when strtoll does not overflow */
      dfd_num x;
      long long want;
      parse(s, &x);
      errno = 0;
      want = strtoll(s, NULL, 10);
      bool fits = errno != ERANGE, ok = x.is_int == fits && (!fits || x.i == want);
      ints++;
      if (!ok && bad++ < 5)
        CHECKF(ok, "%s: is_int=%d i=%" PRId64 ", strtoll %lld (fits %d)", s, x.is_int, x.i, want,
               fits);
    }
  }
  printf("# %ld random decimal texts compared with strtod (%ld integers)\n", compared, ints);
  CHECKF(compared == t_iterations(250000), "compared %ld", compared);
  CHECKF(bad == 0, "%ld mismatches", bad);
}

/* Random doubles printed by glibc with %.17g and with 1 to 17 significant digits. */
static void random_double_texts(void) {
  char s[64];

  bad = 0;
  compared = 0;
  rng_state = 0xD1B54A32D192ED03ULL;
  for (int k = 0; k < t_iterations(20000); k++) {
    double v = random_finite();
    snprintf(s, sizeof s, "%.17g", v);
    expect_strtod(s);
    for (int p = 0; p < 17; p++) {
      snprintf(s, sizeof s, "%.*e", p, v);
      expect_strtod(s);
    }
  }
  printf("# %ld printed doubles compared with strtod\n", compared);
  CHECKF(bad == 0, "%ld mismatches", bad);
}

static void format_specials(void) {
  static const struct {
    double v;
    int sig;
    const char *want;
  } cases[] = {
      {0.0, 6, "0"},
      {-0.0, 6, "-0"},
      {1e20, 1, "1e+20"},
      {1e-5, 3, "1e-05"},
      {1e-4, 3, "0.0001"},
      {123456, 6, "123456"},
      {1234567, 6, "1.23457e+06"},
      {0.5, 1, "0.5"},
      {2.5, 1, "2"},
      {3.5, 1, "4"},
      {0.125, 2, "0.12"},
      {0.375, 2, "0.38"},
      {9.5, 1, "1e+01"},
      {99.5, 2, "1e+02"},
      {1.5, 17, "1.5"},
      {100, 3, "100"},
      {100, 2, "1e+02"},
      {1e100, 17, "1e+100"},
      {5e-324, 17, "4.9406564584124654e-324"},
      {-1.7976931348623157e308, 3, "-1.8e+308"},
      {0.1, 17, "0.10000000000000001"},
      {1, 0, "1"}, /* sig 0 acts as 1 */
  };
  char buf[40];

  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    size_t n = dfd_format_double(buf, sizeof buf, cases[k].v, cases[k].sig);
    CHECKF(n == strlen(cases[k].want) && strcmp(buf, cases[k].want) == 0,
           "%a sig %d: \"%s\", want \"%s\"", cases[k].v, cases[k].sig, buf, cases[k].want);
  }
  CHECK(dfd_format_double(buf, sizeof buf, NAN, 6) == 3 && strcmp(buf, "nan") == 0);
  CHECK(dfd_format_double(buf, sizeof buf, -NAN, 6) == 3 && strcmp(buf, "nan") == 0);
  CHECK(dfd_format_double(buf, sizeof buf, INFINITY, 6) == 3 && strcmp(buf, "inf") == 0);
  CHECK(dfd_format_double(buf, sizeof buf, -INFINITY, 6) == 4 && strcmp(buf, "-inf") == 0);
  /* the longest output fits in 32 bytes */
  CHECK(dfd_format_double(buf, 32, -2.2250738585072014e-308, 17) == 24);
  CHECK(strcmp(buf, "-2.2250738585072014e-308") == 0);
  /* too small a buffer: 0 and an empty string */
  CHECK(dfd_format_double(buf, 6, 1.25, 17) == 4 && strcmp(buf, "1.25") == 0);
  CHECK(dfd_format_double(buf, 5, 1.25, 17) == 4);
  CHECK(dfd_format_double(buf, 4, 1.25, 17) == 0 && buf[0] == '\0');
  CHECK(dfd_format_double(buf, 3, -INFINITY, 17) == 0 && buf[0] == '\0');
  buf[0] = 'x';
  CHECK(dfd_format_double(buf, 0, 1.0, 17) == 0 && buf[0] == 'x');
}

/* Exact decimal ties (m / 2^j with small m) exercise round-half-even; powers of ten
 * and their neighbours exercise carries into a new digit and the %e/%f switch. */
static void format_ties_and_carries(void) {
  bad = 0;
  compared = 0;
  rng_state = 0xA0761D6478BD642FULL;
  for (int k = 0; k < t_iterations(20000); k++) {
    double v = (double)below(1u << 20) / (double)(1u << below(21));
    for (int sig = 1; sig <= 17; sig++)
      expect_format(k & 1 ? -v : v, sig);
  }
  for (int e = -323; e <= 308; e++) {
    char s[16];
    double p;
    snprintf(s, sizeof s, "1e%d", e);
    p = strtod(s, NULL);
    for (int sig = 1; sig <= 17; sig++) {
      expect_format(p, sig);
      expect_format(nextafter(p, 0), sig);
      expect_format(nextafter(p, INFINITY), sig);
    }
  }
  for (int sig = 1; sig <= 17; sig++) {
    expect_format(DBL_MAX, sig);
    expect_format(DBL_MIN, sig);
    expect_format(DBL_TRUE_MIN, sig);
    expect_format(nextafter(DBL_MIN, 0), sig);
  }
  CHECKF(bad == 0, "%ld of %ld formats mismatch", bad, compared);
}

static void format_random_doubles(void) {
  bad = 0;
  compared = 0;
  rng_state = 0x8EBC6AF09C88C6E3ULL;
  for (int k = 0; k < t_iterations(100000); k++) {
    double v = random_finite();
    for (int sig = 1; sig <= 17; sig++)
      expect_format(v, sig);
  }
  printf("# %ld formats of random doubles compared with snprintf\n", compared);
  CHECKF(compared == 17L * t_iterations(100000), "compared %ld", compared);
  CHECKF(bad == 0, "%ld mismatches", bad);
}

/* Formatting with 17 digits and parsing back gives the same double. */
static void round_trip(void) {
  bad = 0;
  rng_state = 0x1234567887654321ULL;
  for (int k = 0; k < t_iterations(50000); k++) {
    double v = random_finite();
    char buf[32];
    dfd_num x = {0};
    size_t n = dfd_format_double(buf, sizeof buf, v, 17);
    bool ok = n > 0 && dfd_parse_number(buf, n, &x) == DFD_OK && same_bits(x.d, v);
    if (!ok && bad++ < 5)
      CHECKF(ok, "%a -> \"%s\" -> %a", v, buf, x.d);
  }
  CHECKF(bad == 0, "%ld round trips failed", bad);
}

static void format_int64(void) {
  static const int64_t fixed[] = {0,
                                  1,
                                  -1,
                                  9,
                                  10,
                                  -10,
                                  INT64_MAX,
                                  INT64_MIN,
                                  INT64_MIN + 1,
                                  1000000000000000000,
                                  -999999999999999999};
  char got[32], want[32];

  bad = 0;
  rng_state = 0x0F1E2D3C4B5A6978ULL;
  for (int k = 0; k < t_iterations(20000); k++) {
    int64_t v = k < (int)(sizeof fixed / sizeof fixed[0])
                    ? fixed[k]
                    : (int64_t)(rnd() >> (1 + below(63))) * ((rnd() & 1) ? -1 : 1);
    size_t n = dfd_format_int64(got, 21, v);
    int wn = snprintf(want, sizeof want, "%" PRId64, v);
    bool ok = n == (size_t)wn && strcmp(got, want) == 0;
    if (!ok && bad++ < 5)
      CHECKF(ok, "%s: got \"%s\" (%zu)", want, got, n);
  }
  CHECKF(bad == 0, "%ld mismatches", bad);
  CHECK(dfd_format_int64(got, sizeof got, INT64_MIN) == 20);
  CHECK(strcmp(got, "-9223372036854775808") == 0);
  CHECK(dfd_format_int64(got, 20, 5) == 0 && got[0] == '\0');
  got[0] = 'x';
  CHECK(dfd_format_int64(got, 0, 5) == 0 && got[0] == 'x');
}

int main(void) {
  RUN(grammar_accepts);
  RUN(grammar_rejects);
  RUN(explicit_length);
  RUN(int64_bounds);
  RUN(nineteen_digits);
  RUN(negative_zero);
  RUN(exponent_extremes);
  RUN(hard_cases);
  RUN(halfway_points);
  RUN(random_decimal_texts);
  RUN(random_double_texts);
  RUN(format_specials);
  RUN(format_ties_and_carries);
  RUN(format_random_doubles);
  RUN(round_trip);
  RUN(format_int64);
  T_EXIT();
}
