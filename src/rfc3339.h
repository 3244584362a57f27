/* RFC 3339 timestamps as the API writes them ("2024-06-03T14:21:07.512+00:00"). */
#ifndef DFD_RFC3339_H
#define DFD_RFC3339_H

#include <stdint.h>

/** Seconds since 1970 of an RFC 3339 time ('T', 't' or a space between date and time;
 *  'Z', 'z' or a +hh:mm / -hh:mm offset; the fraction ignored), or -1 when text is NULL,
 *  not one, or before 1970. */
int64_t dfd_rfc3339_seconds(const char *text);

/** Days since 1970-01-01 of a proleptic Gregorian date, negative before it: year 1-9999,
 *  month 1-12, day 1-31 (not validated further). Also used for HTTP dates. */
int64_t dfd_days_from_civil(unsigned year, unsigned month, unsigned day);

#endif
