/* mbedtls_platform_gmtime_r for bare metal (MBEDTLS_PLATFORM_GMTIME_R_ALT): seconds since
 * the epoch to a UTC calendar date for certificate validity, by days-from-civil arithmetic
 * (H. Hinnant's civil_from_days), without libc's time functions: newlib-nano's gmtime
 * calls __assert_func, which pulls in stdio and its allocating paths. Hosts use libc's
 * gmtime_r (mbedTLS's own platform_util.c) and compile nothing here. */
#include "mbedtls/build_info.h"

#if defined(MBEDTLS_PLATFORM_GMTIME_R_ALT)

#include <stdint.h>
#include <time.h>

#include "mbedtls/platform_time.h"
#include "mbedtls/platform_util.h"

struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf) {
  if (!tt || !tm_buf)
    return NULL;
  int64_t t = (int64_t)*tt;
  int64_t days64 = t / 86400;
  int32_t secs = (int32_t)(t % 86400);
  if (secs < 0) { /* floor division: times before 1970 */
    secs += 86400;
    days64--;
  }
  /* +-5 million years: every intermediate below fits 32 bits (no 64-bit division calls) */
  if (days64 > 1826000000 || days64 < -1826000000)
    return NULL;
  int32_t days = (int32_t)days64;
  int32_t z = days + 719468; /* days since 0000-03-01 */
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  int32_t doe = z - era * 146097;                                      /* [0, 146096] */
  int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365], from Mar 1 */
  int32_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
  int32_t mday = doy - (153 * mp + 2) / 5 + 1;                         /* [1, 31] */
  int32_t mon = mp < 10 ? mp + 3 : mp - 9;                             /* [1, 12] */
  int32_t year = yoe + era * 400 + (mon <= 2);
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  static const uint16_t before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

  tm_buf->tm_sec = (int)(secs % 60);
  tm_buf->tm_min = (int)(secs / 60 % 60);
  tm_buf->tm_hour = (int)(secs / 3600);
  tm_buf->tm_mday = (int)mday;
  tm_buf->tm_mon = (int)mon - 1;
  tm_buf->tm_year = (int)(year - 1900);
  tm_buf->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
  tm_buf->tm_yday = before[mon - 1] + (int)mday - 1 + (leap && mon > 2);
  tm_buf->tm_isdst = 0;
  return tm_buf;
}

#endif
