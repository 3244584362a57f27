/* The screen's short texts. Numbers go through dfd_format_int64/dfd_format_double (no
 * printf: it allocates on newlib and pulls in float formatting). */
#include "fmt.h"

#include <string.h>

#include "number.h"

void rd_sb_init(rd_sb *sb, char *buf, size_t cap) {
  sb->buf = buf;
  sb->cap = cap;
  sb->len = 0;
  if (cap)
    buf[0] = '\0';
}

void rd_sb_mem(rd_sb *sb, const char *s, size_t n) {
  if (sb->cap == 0)
    return;
  size_t room = sb->cap - 1 - sb->len;
  if (n > room)
    n = room;
  memcpy(sb->buf + sb->len, s, n);
  sb->len += n;
  sb->buf[sb->len] = '\0';
}

void rd_sb_str(rd_sb *sb, const char *s) { rd_sb_mem(sb, s, strlen(s)); }

void rd_sb_int(rd_sb *sb, int64_t v) {
  char b[24];
  size_t n = dfd_format_int64(b, sizeof b, v);
  rd_sb_mem(sb, b, n);
}

static void put_uint(rd_sb *sb, uint64_t v, int min_digits) {
  char b[24];
  int n = 0;
  do {
    b[sizeof b - 1 - (size_t)n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v > 0 || n < min_digits);
  rd_sb_mem(sb, b + sizeof b - (size_t)n, (size_t)n);
}

void rd_sb_count(rd_sb *sb, int64_t v, bool compact) {
  /* the magnitude as unsigned: INT64_MIN has no positive int64 */
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  if (!compact || mag < 10000u) {
    rd_sb_int(sb, v);
    return;
  }
  static const char units[] = "kMGTPE";
  uint64_t div = 1000u;
  int u = 0;
  while (u < 5 && mag / div >= 1000u) {
    div *= 1000u;
    u++;
  }
  uint64_t q = mag / div, r = mag % div;
  if (v < 0)
    rd_sb_str(sb, "-");
  put_uint(sb, q, 1);
  /* three significant digits, truncated: 9.22E, 33.1M, 331k */
  int decimals = q < 10u ? 2 : q < 100u ? 1 : 0;
  if (decimals) {
    uint64_t scale = decimals == 2 ? 100u : 10u;
    uint64_t frac = r / (div / scale);
    rd_sb_str(sb, ".");
    put_uint(sb, frac, decimals);
  }
  rd_sb_mem(sb, &units[u], 1);
}

void rd_sb_duration(rd_sb *sb, int64_t s) {
  if (s < 0) {
    rd_sb_str(sb, "?");
    return;
  }
  uint64_t v = (uint64_t)s;
  if (v < 60u) {
    put_uint(sb, v, 1);
    rd_sb_str(sb, " s");
  } else if (v < 3600u) {
    put_uint(sb, v / 60u, 1);
    rd_sb_str(sb, ":");
    put_uint(sb, v % 60u, 2);
  } else if (v < 360000u) { /* 100 h */
    put_uint(sb, v / 3600u, 1);
    rd_sb_str(sb, ":");
    put_uint(sb, v / 60u % 60u, 2);
    rd_sb_str(sb, ":");
    put_uint(sb, v % 60u, 2);
  } else {
    put_uint(sb, v / 86400u, 1);
    rd_sb_str(sb, " d ");
    put_uint(sb, v / 3600u % 24u, 1);
    rd_sb_str(sb, " h");
  }
}

void rd_sb_seconds(rd_sb *sb, double s) {
  if (!(s >= 0.0)) { /* negative or NaN */
    rd_sb_str(sb, "?");
    return;
  }
  if (s < 10.0) {
    char b[32];
    size_t n = dfd_format_double(b, sizeof b, s, 3);
    rd_sb_mem(sb, b, n);
    rd_sb_str(sb, " s");
    return;
  }
  /* 9.2e18 s is past INT64_MAX nanoseconds' worth of anything real: clamp, never convert
   * an out-of-range double (undefined behaviour) */
  int64_t whole = s >= 9.0e18 ? (int64_t)9000000000000000000 : (int64_t)(s + 0.5);
  rd_sb_duration(sb, whole);
}

void rd_sb_age(rd_sb *sb, int64_t s, bool compact) {
  if (s < 0)
    s = 0;
  uint64_t v = (uint64_t)s;
  const char *unit;
  if (v < 60u) {
    unit = compact ? "s" : " s";
  } else if (v < 3600u) {
    v /= 60u;
    unit = compact ? "m" : " min";
  } else if (v < 86400u) {
    v /= 3600u;
    unit = compact ? "h" : " h";
  } else {
    v /= 86400u;
    unit = compact ? "d" : " d";
  }
  put_uint(sb, v, 1);
  rd_sb_str(sb, unit);
}

void rd_sb_percent(rd_sb *sb, double ratio) {
  double pct = ratio * 100.0;
  if (pct != pct) { /* NaN */
    rd_sb_str(sb, "?%");
    return;
  }
  if (pct >= 99.995 && pct < 100.0) {
    rd_sb_str(sb, ">99.99%");
    return;
  }
  char b[32];
  size_t n = dfd_format_double(b, sizeof b, pct, 4);
  rd_sb_mem(sb, b, n);
  rd_sb_str(sb, "%");
}
