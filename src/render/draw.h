/* Clipped drawing on a dfd_fb: pixels, rectangles, text in the built-in font (1x, and
 * 2x smoothed with Scale2x, 3x and 4x as blocks), icons (internal to src/render). */
#ifndef DFD_RENDER_DRAW_H
#define DFD_RENDER_DRAW_H

#include <stddef.h>

#include "font.h"
#include "render.h"

/* A framebuffer and a clip rectangle inside it: x0 <= x < x1, y0 <= y < y1. Every
 * primitive writes inside the clip rectangle only, whatever its arguments. */
typedef struct {
  dfd_fb *fb;
  int x0, y0, x1, y1;
} rd_canvas;

/** A canvas over the whole of fb. */
rd_canvas rd_canvas_of(dfd_fb *fb);

/** c restricted to the rectangle (x, y, w, h) (w or h <= 0: an empty canvas). */
rd_canvas rd_canvas_clip(const rd_canvas *c, int x, int y, int w, int h);

/** Sets (ink 1) or clears (ink 0) one pixel. */
void rd_pixel(const rd_canvas *c, int x, int y, int ink);

/** Fills the rectangle (x, y, w, h). */
void rd_fill(const rd_canvas *c, int x, int y, int w, int h, int ink);

/** A one-pixel outline of the rectangle (x, y, w, h). */
void rd_frame(const rd_canvas *c, int x, int y, int w, int h, int ink);

/** Draws the UTF-8 text s[0..n) with its top-left at (x, y), each glyph in a cell of
 *  RD_CELL_W*scale by RD_GLYPH_H*scale pixels (scale 1 to 4; 2 smoothed). Only the
 *  glyphs' own pixels are written (a transparent background). Returns x after the text. */
int rd_text(const rd_canvas *c, int x, int y, const char *s, size_t n, int scale, int ink);

/** Width in pixels that rd_text advances over s[0..n) at this scale. */
int rd_text_width(const char *s, size_t n, int scale);

/** Draws a 16x16 icon at (x, y), scale 1 or 2 (smoothed). Only its ink pixels are written. */
void rd_icon_draw(const rd_canvas *c, int x, int y, rd_icon icon, int scale, int ink);

#endif
