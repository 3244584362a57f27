/* src/tls_time.c (mbedtls_platform_gmtime_r of the bare-metal builds) against the host
 * libc's gmtime_r: every day from 1600 to 2400 at a varying time of day, the edges of
 * 32-bit time_t, leap days, and the range it refuses. Built and run by test_cross.sh. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mbedtls/platform_util.h"

static int failures;
static long checked;

static void check(int64_t t) {
  time_t tt = (time_t)t;
  mbedtls_time_t mt = (mbedtls_time_t)t;
  struct tm want, got;
  memset(&got, 0x5a, sizeof got);
  if (!gmtime_r(&tt, &want))
    return;
  checked++;
  if (mbedtls_platform_gmtime_r(&mt, &got) != &got || got.tm_sec != want.tm_sec ||
      got.tm_min != want.tm_min || got.tm_hour != want.tm_hour || got.tm_mday != want.tm_mday ||
      got.tm_mon != want.tm_mon || got.tm_year != want.tm_year || got.tm_wday != want.tm_wday ||
      got.tm_yday != want.tm_yday || got.tm_isdst != 0) {
    if (failures++ < 5)
      printf("# %lld: got %d-%02d-%02d %02d:%02d:%02d wday %d yday %d, want %d-%02d-%02d\n",
             (long long)t, got.tm_year + 1900, got.tm_mon + 1, got.tm_mday, got.tm_hour, got.tm_min,
             got.tm_sec, got.tm_wday, got.tm_yday, want.tm_year + 1900, want.tm_mon + 1,
             want.tm_mday);
  }
}

int main(void) {
  const int64_t day = 86400, y1600 = -INT64_C(11676096000), y2400 = INT64_C(13569465600);
  int64_t tod = 0;
  for (int64_t t = y1600; t < y2400; t += day) {
    check(t + tod);
    check(t);
    check(t - 1);
    tod = (tod + 3607) % day;
  }
  const int64_t edges[] = {
      0,         -1,         1,          INT32_MAX,    INT32_MIN,   951782400,
      951868800, 4107456000, 4107542400, 253402300799, -62135596800}; /* 2000-02-29, 2100-02-28,
                                                                         9999, 0001 */
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
    check(edges[i]);
  if (failures == 0)
    printf("ok - mbedtls_platform_gmtime_r agrees with gmtime_r on %ld times (1600 to 2400)\n",
           checked);
  else
    printf("not ok - mbedtls_platform_gmtime_r differs from gmtime_r on %d of %ld times\n",
           failures, checked);

  struct tm out;
  mbedtls_time_t far = (mbedtls_time_t)(INT64_C(1826000001) * day), null_tm = 0;
  int refuses = mbedtls_platform_gmtime_r(&far, &out) == NULL &&
                mbedtls_platform_gmtime_r(NULL, &out) == NULL &&
                mbedtls_platform_gmtime_r(&null_tm, NULL) == NULL;
  printf("%s - times beyond +-5 million years and NULL arguments are refused\n",
         refuses ? "ok" : "not ok");
  return failures == 0 && refuses ? 0 : 1;
}
