#include "rfc3339.h"

#include <stdbool.h>
#include <stddef.h>

/* H. Hinnant's days_from_civil: March-based years put the leap day last. Years 1..9999
 * keep every term below 2^32, so unsigned arithmetic is exact (and cheap on 32-bit CPUs). */
int64_t dfd_days_from_civil(unsigned year, unsigned month, unsigned day) {
  unsigned y = year - (month <= 2);
  unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  return (int64_t)(y * 365 + y / 4 - y / 100 + y / 400 + doy) - 719468;
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
      !digits(s + 17, 2, &sec) || y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || sec > 60)
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
  int64_t t = dfd_days_from_civil((unsigned)y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
              mi * 60 + sec - off;
  return t >= 0 ? t : -1;
}
