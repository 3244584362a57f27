/* Building the renderer's short texts without stdio: a bounded string builder and the
 * number, duration and percentage formats of the screen (internal to src/render). */
#ifndef DFD_RENDER_FMT_H
#define DFD_RENDER_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Text in buf[0..len), always NUL-terminated; what does not fit is cut (silently, at a
 * byte: the font draws a cut UTF-8 sequence as one replacement glyph). */
typedef struct {
  char *buf;
  size_t cap, len;
} rd_sb;

/** Starts an empty text in buf (cap >= 1). */
void rd_sb_init(rd_sb *sb, char *buf, size_t cap);
/** Appends s[0..n). */
void rd_sb_mem(rd_sb *sb, const char *s, size_t n);
/** Appends the NUL-terminated s. */
void rd_sb_str(rd_sb *sb, const char *s);
/** Appends v in decimal, every digit ("9223372036854775807"). */
void rd_sb_int(rd_sb *sb, int64_t v);
/** Appends a count: every digit, or with compact and |v| >= 10000 three significant
 *  digits, truncated, and a k/M/G/T/P/E suffix ("331k", "9.22E", "-1.5M"). */
void rd_sb_count(rd_sb *sb, int64_t v, bool compact);
/** Appends a duration in whole seconds: "45 s", "2:33", "1:02:33", "4 d 2 h"; "?" when
 *  negative. */
void rd_sb_duration(rd_sb *sb, int64_t s);
/** Appends seconds from a double (a runtime): "2.5 s" under 10 s (3 significant digits),
 *  otherwise as rd_sb_duration; "?" when negative or not a number. */
void rd_sb_seconds(rd_sb *sb, double s);
/** Appends an age: "12 s", "5 min", "3 h", "2 d"; compact: "12s", "5m", "3h", "2d". */
void rd_sb_age(rd_sb *sb, int64_t s, bool compact);
/** Appends a ratio (1.0 = 100 %) as a percentage with up to 4 significant digits and '%':
 *  "99.87%", "100%", ">99.99%" for ratios just under 1 that would round to 100, "?%" when
 *  not a number. */
void rd_sb_percent(rd_sb *sb, double ratio);

#endif
