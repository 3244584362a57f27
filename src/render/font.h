/* The renderer's built-in bitmap font and icons (internal to src/render). */
#ifndef DFD_RENDER_FONT_H
#define DFD_RENDER_FONT_H

#include <stddef.h>
#include <stdint.h>

/* One glyph: 5x8 pixels in a 6x8 cell. Capitals and digits use rows 0-6, descenders
 * row 7. Each glyph is 5 column bytes, bit 0 the top row. */
#define RD_GLYPH_W 5
#define RD_GLYPH_H 8
#define RD_CELL_W 6

/* The symbols beyond ASCII that the layout uses, as UTF-8 (any UTF-8 text can hold them). */
#define RD_S_MIDDOT "\xC2\xB7"       /* U+00B7 middle dot */
#define RD_S_ELLIPSIS "\xE2\x80\xA6" /* U+2026 horizontal ellipsis */
#define RD_S_LEFT "\xE2\x86\x90"     /* U+2190 leftwards arrow */
#define RD_S_UP "\xE2\x86\x91"       /* U+2191 upwards arrow */
#define RD_S_RIGHT "\xE2\x86\x92"    /* U+2192 rightwards arrow */
#define RD_S_DOWN "\xE2\x86\x93"     /* U+2193 downwards arrow */
#define RD_S_NE "\xE2\x89\xA0"       /* U+2260 not equal to */
#define RD_S_CIRCLE "\xE2\x97\x8B"   /* U+25CB white circle */
#define RD_S_DOT "\xE2\x97\x8F"      /* U+25CF black circle */
#define RD_S_WARNING "\xE2\x9A\xA0"  /* U+26A0 warning sign */
#define RD_S_CHECK "\xE2\x9C\x93"    /* U+2713 check mark */
#define RD_S_CROSS "\xE2\x9C\x97"    /* U+2717 ballot x */
#define RD_CP_ELLIPSIS 0x2026u
#define RD_CP_REPLACEMENT 0xFFFDu /* drawn for any character the font lacks */

#define RD_FONT_SYMBOLS 13

typedef struct {
  uint32_t cp;
  uint8_t cols[RD_GLYPH_W];
} rd_symbol;

extern const uint8_t rd_font_ascii[95][RD_GLYPH_W];
extern const rd_symbol rd_font_symbols[RD_FONT_SYMBOLS];

/* 16x16 icons: one uint16_t per row, bit 15 the leftmost pixel. */
typedef enum {
  RD_ICON_WAIT,    /* hourglass: waiting, no data yet */
  RD_ICON_RUN,     /* play in a disc: processing */
  RD_ICON_OK,      /* check in a disc: identical, empty */
  RD_ICON_DIFF,    /* "not equal" in a disc: different, missing/bad pks */
  RD_ICON_FAIL,    /* cross in a disc: failed, result error */
  RD_ICON_CANCEL,  /* slashed ring: cancelled */
  RD_ICON_UNKNOWN, /* question mark in a ring: a value this client does not know */
  RD_ICON_ATTN,    /* exclamation mark in a triangle: needs a person; other trouble */
  RD_ICON_NO_NET,  /* crossed-out wifi: no network */
  RD_ICON_LOCK,    /* padlock: TLS or certificate failure */
  RD_ICON_KEY,     /* key: API key rejected */
  RD_ICON_SEARCH,  /* magnifying glass: diff not found */
  RD_ICON_COUNT
} rd_icon;
#define RD_ICON_SIZE 16

extern const uint16_t rd_icons[RD_ICON_COUNT][RD_ICON_SIZE];

/** Decodes the UTF-8 character at s[*i] (i < n) and advances *i past it (by 1 to 4).
 *  Returns its code point; an invalid or truncated sequence (overlong, surrogate, beyond
 *  U+10FFFF, a stray continuation byte) gives RD_CP_REPLACEMENT and advances by one byte.
 *  Never reads s[n] or beyond. */
uint32_t rd_utf8_next(const char *s, size_t n, size_t *i);

/** The glyph for a code point: 5 column bytes. Latin-1 letters (U+00C0..U+00FF) draw as
 *  their base letter without the accent; tab, CR and LF as a space; other
 *  control characters (C0, DEL, C1) and characters the font lacks get the replacement
 *  glyph. Never NULL. */
const uint8_t *rd_glyph(uint32_t cp);

/** Number of glyphs (characters, each invalid byte counted as one) in s[0..n). */
size_t rd_glyph_count(const char *s, size_t n);

/** Byte offset in s[0..n) where glyph number k starts (n when k >= the glyph count). */
size_t rd_glyph_offset(const char *s, size_t n, size_t k);

/** Length of s up to its first NUL, at most max: strings of the status record are read
 *  within their arrays even when a NUL is missing. */
size_t rd_strnlen(const char *s, size_t max);

#endif
