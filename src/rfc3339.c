#include "rfc3339.h"

#include <stdbool.h>
#include <stddef.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int64_t *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    *v = *v * 10 + (s[i] - '0');
  }
  return true;
}

int64_t dfd_rfc3339_seconds(const char *s) {
  int64_t y, mo, d, h, mi, sec;
  if (!s)
    return -1;
  size_t len = 0;
  while (len < 19 && s[len])
    len++;
  if (len < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
      !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
      !digits(s + 17, 2, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return -1;
  const char *q = s + 19;
  if (*q == '.')
    for (q++; *q >= '0' && *q <= '9'; q++)
      ;
  int64_t off = 0;
  if (*q == '+' || *q == '-') {
    int64_t oh, om;
    if (!digits(q + 1, 2, &oh) || q[3] != ':' || !digits(q + 4, 2, &om) || q[6] != '\0' ||
        oh > 23 || om > 59)
      return -1;
    off = (oh * 60 + om) * 60 * (*q == '-' ? -1 : 1);
  } else if ((*q == 'Z' || *q == 'z') && q[1] == '\0') {
    off = 0;
  } else if (*q != '\0') {
    return -1;
  }
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
  return t >= 0 ? t : -1;
}
