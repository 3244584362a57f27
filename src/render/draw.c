/* Clipped drawing primitives. Every write goes through the clip rectangle, itself inside
 * the framebuffer, so no argument can reach outside fb->bits. */
#include "draw.h"

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

rd_canvas rd_canvas_of(dfd_fb *fb) {
  rd_canvas c = {fb, 0, 0, fb->width, fb->height};
  return c;
}

rd_canvas rd_canvas_clip(const rd_canvas *c, int x, int y, int w, int h) {
  rd_canvas r = *c;
  if (w <= 0 || h <= 0) {
    r.x1 = r.x0;
    r.y1 = r.y0;
    return r;
  }
  r.x0 = imax(c->x0, x);
  r.y0 = imax(c->y0, y);
  /* x + w cannot overflow: coordinates stay within a few times the 16-bit panel size */
  r.x1 = imax(r.x0, imin(c->x1, x + w));
  r.y1 = imax(r.y0, imin(c->y1, y + h));
  return r;
}

void rd_pixel(const rd_canvas *c, int x, int y, int ink) {
  if (x < c->x0 || x >= c->x1 || y < c->y0 || y >= c->y1)
    return;
  uint8_t *p = c->fb->bits + (size_t)y * DFD_FB_STRIDE(c->fb->width) + (size_t)x / 8u;
  uint8_t bit = (uint8_t)(0x80u >> ((unsigned)x & 7u));
  if (ink)
    *p |= bit;
  else
    *p &= (uint8_t)~bit;
}

void rd_fill(const rd_canvas *c, int x, int y, int w, int h, int ink) {
  rd_canvas r = rd_canvas_clip(c, x, y, w, h);
  for (int yy = r.y0; yy < r.y1; yy++)
    for (int xx = r.x0; xx < r.x1; xx++)
      rd_pixel(&r, xx, yy, ink);
}

void rd_frame(const rd_canvas *c, int x, int y, int w, int h, int ink) {
  if (w <= 0 || h <= 0)
    return;
  rd_fill(c, x, y, w, 1, ink);
  rd_fill(c, x, y + h - 1, w, 1, ink);
  rd_fill(c, x, y, 1, h, ink);
  rd_fill(c, x + w - 1, y, 1, h, ink);
}

/* A 1-bit source image read through a function: glyphs (column bytes) and icons (rows). */
typedef struct {
  const uint8_t *cols;  /* glyph, or NULL */
  const uint16_t *rows; /* icon, or NULL */
  int w, h;
} rd_src;

static int src_px(const rd_src *s, int x, int y) {
  if (x < 0 || y < 0 || x >= s->w || y >= s->h)
    return 0;
  if (s->rows)
    return (s->rows[y] >> (15 - x)) & 1;
  return s->cols ? (s->cols[x] >> y) & 1 : 0;
}

/* Draws the source scaled: 1 as is, 2 with Scale2x (smooths the diagonals of a pixel
 * font without blurring it), 3 and more as plain blocks (crisper than Scale3x on 5x8
 * glyphs). */
static void blit(const rd_canvas *c, int x0, int y0, const rd_src *s, int scale, int ink) {
  if (x0 >= c->x1 || y0 >= c->y1 || x0 + s->w * scale <= c->x0 || y0 + s->h * scale <= c->y0)
    return;
  for (int y = 0; y < s->h; y++) {
    for (int x = 0; x < s->w; x++) {
      const int e = src_px(s, x, y), px = x0 + x * scale, py = y0 + y * scale;
      if (scale != 2) {
        if (e)
          rd_fill(c, px, py, scale, scale, ink);
        continue;
      }
      /* Scale2x: B above, D left, F right, H below */
      const int b = src_px(s, x, y - 1), d = src_px(s, x - 1, y);
      const int f = src_px(s, x + 1, y), h = src_px(s, x, y + 1);
      const bool edge = b != h && d != f;
      if ((edge && d == b) ? d : e)
        rd_pixel(c, px, py, ink);
      if ((edge && b == f) ? f : e)
        rd_pixel(c, px + 1, py, ink);
      if ((edge && d == h) ? d : e)
        rd_pixel(c, px, py + 1, ink);
      if ((edge && h == f) ? f : e)
        rd_pixel(c, px + 1, py + 1, ink);
    }
  }
}

int rd_text(const rd_canvas *c, int x, int y, const char *s, size_t n, int scale, int ink) {
  if (scale < 1)
    scale = 1;
  if (scale > 4)
    scale = 4;
  size_t i = 0;
  while (i < n) {
    uint32_t cp = rd_utf8_next(s, n, &i);
    if (x < c->x1) {
      rd_src src = {rd_glyph(cp), NULL, RD_GLYPH_W, RD_GLYPH_H};
      blit(c, x, y, &src, scale, ink);
    }
    x += RD_CELL_W * scale;
  }
  return x;
}

int rd_text_width(const char *s, size_t n, int scale) {
  return (int)rd_glyph_count(s, n) * RD_CELL_W * scale;
}

void rd_icon_draw(const rd_canvas *c, int x, int y, rd_icon icon, int scale, int ink) {
  if ((unsigned)icon >= RD_ICON_COUNT)
    icon = RD_ICON_UNKNOWN;
  rd_src src = {NULL, rd_icons[icon], RD_ICON_SIZE, RD_ICON_SIZE};
  blit(c, x, y, &src, scale < 1 ? 1 : scale > 2 ? 2 : scale, ink);
}
