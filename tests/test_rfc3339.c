/* Calendar arithmetic (src/rfc3339.c): days_from_civil against a day-by-day count, and the
 * RFC 3339 parser's edges (its common cases are in test_panel.c, which the panel uses). */
#include "rfc3339.h"

#include <stdbool.h>

#include "test.h"

static int month_days(int64_t y, int64_t m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return days[m - 1] + (m == 2 && leap);
}

/* Every date from 1600-01-01 to 2500-12-31, counted one day at a time from 1970-01-01. */
static void days_from_civil_counts_every_day(void) {
  int64_t y = 1970, m = 1, d = 1, n = 0, bad = 0;
  while (y <= 2500) { /* forwards */
    bad += dfd_days_from_civil(y, m, d) != n;
    n++;
    if (++d > month_days(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
  }
  y = 1969, m = 12, d = 31, n = -1;
  while (y >= 1600) { /* backwards */
    bad += dfd_days_from_civil(y, m, d) != n;
    n--;
    if (--d < 1) {
      if (--m < 1) {
        m = 12;
        y--;
      }
      d = month_days(y, m);
    }
  }
  CHECKF(bad == 0, "%lld dates off", (long long)bad);
  CHECK(dfd_days_from_civil(2000, 2, 29) == 11016);
  CHECK(dfd_days_from_civil(9999, 12, 31) == 2932896);
  CHECK(dfd_days_from_civil(1, 1, 1) == -719162);
}

static void rfc3339_edges(void) {
  CHECK(dfd_rfc3339_seconds("1969-12-31T23:59:59Z") == -1); /* before 1970 */
  CHECK(dfd_rfc3339_seconds("1969-12-31T23:00:00-01:00") == 0);
  CHECK(dfd_rfc3339_seconds("0000-01-01T00:00:00Z") == -1);
  CHECK(dfd_rfc3339_seconds("1970-01-01T01:00:00+01:00") == 0);
  CHECK(dfd_rfc3339_seconds("1970-01-01T00:59:59+01:00") == -1);
  CHECK(dfd_rfc3339_seconds("2016-12-31T23:59:60Z") == 1483228800); /* a leap second */
  CHECK(dfd_rfc3339_seconds("9999-12-31T23:59:59z") == 253402300799);
  CHECK(dfd_rfc3339_seconds("2024-06-03t14:21:07.5Z") == 1717424467);
  CHECK(dfd_rfc3339_seconds("2024-06-03T14:21:07+24:00") == -1);
  CHECK(dfd_rfc3339_seconds("2024-06-03T14:21:07+02:00 ") == -1);
  CHECK(dfd_rfc3339_seconds("2024-6-03T14:21:07Z") == -1);
}

int main(void) {
  RUN(days_from_civil_counts_every_day);
  RUN(rfc3339_edges);
  T_EXIT();
}
