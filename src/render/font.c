/* UTF-8 decoding and glyph lookup for the built-in font (the tables are in glyphs.c). */
#include "font.h"

size_t rd_strnlen(const char *s, size_t max) {
  size_t n = 0;
  if (!s)
    return 0;
  while (n < max && s[n] != '\0')
    n++;
  return n;
}

uint32_t rd_utf8_next(const char *s, size_t n, size_t *i) {
  const unsigned char *p = (const unsigned char *)s + *i;
  size_t left = n - *i;
  unsigned char c = p[0];
  *i += 1;
  if (c < 0x80)
    return c;
  size_t len;
  uint32_t cp, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
    min = 0x10000;
  } else {
    return RD_CP_REPLACEMENT; /* a continuation byte, C0/C1 (overlong) or F5..FF */
  }
  if (left < len)
    return RD_CP_REPLACEMENT;
  for (size_t k = 1; k < len; k++) {
    if ((p[k] & 0xC0u) != 0x80u)
      return RD_CP_REPLACEMENT;
    cp = (cp << 6) | (p[k] & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu))
    return RD_CP_REPLACEMENT;
  *i += len - 1;
  return cp;
}

/* Latin-1 letters U+00C0..U+00FF drawn as their ASCII base letter (the 5x8 cell has no
 * room for accents): "Ünïcödé" reads "Unicode" rather than a row of boxes. */
static const char latin1_base[65] =
    "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYPsaaaaaaaceeeeiiiidnooooo/ouuuuypy";

const uint8_t *rd_glyph(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF)
    cp = (uint8_t)latin1_base[cp - 0xC0];
  if (cp == '\t' || cp == '\n' || cp == '\r')
    cp = ' '; /* white space in error messages; other controls get the replacement */
  if (cp >= 0x20 && cp <= 0x7E)
    return rd_font_ascii[cp - 0x20];
  size_t lo = 0, hi = RD_FONT_SYMBOLS;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (rd_font_symbols[mid].cp == cp)
      return rd_font_symbols[mid].cols;
    if (rd_font_symbols[mid].cp < cp)
      lo = mid + 1;
    else
      hi = mid;
  }
  /* The replacement glyph is the last symbol (the highest code point). */
  return rd_font_symbols[RD_FONT_SYMBOLS - 1].cols;
}

size_t rd_glyph_count(const char *s, size_t n) {
  size_t i = 0, count = 0;
  while (i < n) {
    (void)rd_utf8_next(s, n, &i);
    count++;
  }
  return count;
}

size_t rd_glyph_offset(const char *s, size_t n, size_t k) {
  size_t i = 0;
  while (i < n && k > 0) {
    (void)rd_utf8_next(s, n, &i);
    k--;
  }
  return i;
}
