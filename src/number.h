/* Decimal text <-> numbers without libc: no strtod, sscanf or printf, which allocate
 * on newlib. Conversions are exact: doubles are correctly rounded, like glibc's strtod. */
#ifndef DFD_NUMBER_H
#define DFD_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#include "dfd_status.h"

/** Parses a complete JSON number (RFC 8259 grammar) from s[0..n).
 *  Out: *out with present=true, is_int when the text has no fraction or exponent and
 *  fits in int64 (then i holds it), and d the correctly rounded double in all cases.
 *  Returns DFD_OK, or DFD_E_JSON_BAD_NUMBER when the text is not a JSON number.
 *  Numbers beyond the double range give +-inf in d; below it, +-0. */
int dfd_parse_number(const char *s, size_t n, dfd_num *out);

/** Formats v like printf("%.*g", sig, v) (sig 1..17) into buf, NUL-terminated.
 *  "nan"/"inf"/"-inf" for non-finite values. Returns the length, or 0 when cap is too
 *  small (32 bytes always suffice). */
size_t dfd_format_double(char *buf, size_t cap, double v, int sig);

/** Formats v in decimal into buf, NUL-terminated; returns the length, 0 if cap < 21. */
size_t dfd_format_int64(char *buf, size_t cap, int64_t v);

#endif
