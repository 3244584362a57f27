/* SSD1306: framebuffer to pages, init sequence, write window (ssd1306_pages.h). */
#include "ssd1306_pages.h"

size_t dfd_ssd1306_page(const uint8_t *bits, uint16_t w, uint16_t h, uint16_t page, uint8_t *out) {
  if (!bits || !out || w == 0 || h == 0 || (size_t)page * 8u >= h)
    return 0;
  const size_t stride = ((size_t)w + 7u) / 8u;
  const size_t row0 = (size_t)page * 8u;
  for (size_t bx = 0; bx < stride; bx++) {
    /* the 8 rows of this page over 8 columns: an 8x8 block to transpose */
    uint8_t r[8];
    for (size_t k = 0; k < 8; k++)
      r[k] = row0 + k < h ? bits[(row0 + k) * stride + bx] : 0;
    size_t cols = (size_t)w - bx * 8u; /* the last byte's padding bits are never read */
    if (cols > 8)
      cols = 8;
    for (size_t j = 0; j < cols; j++) {
      uint8_t b = 0;
      for (size_t k = 0; k < 8; k++)
        b |= (uint8_t)(((r[k] >> (7u - j)) & 1u) << k);
      out[bx * 8u + j] = b;
    }
  }
  return w;
}

size_t dfd_ssd1306_from_fb(const uint8_t *bits, uint16_t w, uint16_t h, uint8_t *out, size_t cap) {
  if (!bits || !out || w == 0 || h == 0 || cap < DFD_SSD1306_BYTES(w, h))
    return 0;
  const size_t pages = DFD_SSD1306_PAGES(h);
  for (size_t p = 0; p < pages; p++)
    dfd_ssd1306_page(bits, w, h, (uint16_t)p, out + p * w);
  return DFD_SSD1306_BYTES(w, h);
}

size_t dfd_ssd1306_init_cmds(uint8_t *out, size_t cap, uint16_t h, bool rotate180) {
  if (!out || h < 16 || h > 64 || (h & 7u) != 0)
    return 0;
  /* clang-format off */
  const uint8_t seq[] = {
      0xAE,                         /* display off */
      0xD5, 0x80,                   /* clock: divide ratio 1, default oscillator */
      0xA8, (uint8_t)(h - 1u),      /* multiplex ratio: the panel's rows */
      0xD3, 0x00,                   /* display offset 0 */
      0x40,                         /* start line 0 */
      0x8D, 0x14,                   /* charge pump on (no external VCC) */
      0x20, 0x00,                   /* horizontal addressing: a frame in one write */
      rotate180 ? 0xA0 : 0xA1,      /* segment remap: column 0 at the left edge */
      rotate180 ? 0xC0 : 0xC8,      /* COM scan direction: row 0 at the top */
      0xDA, h == 64 ? 0x12 : 0x02,  /* COM pins: alternative for 64 rows, sequential else */
      0x81, 0xCF,                   /* contrast */
      0xD9, 0xF1,                   /* precharge: phase 1 = 1, phase 2 = 15 (charge pump) */
      0xDB, 0x40,                   /* VCOMH deselect level */
      0xA4,                         /* show the RAM (not all pixels on) */
      0xA6,                         /* normal, not inverted */
      0x2E,                         /* scrolling off */
      0xAF,                         /* display on */
  };
  /* clang-format on */

  if (cap < sizeof seq)
    return 0;
  for (size_t i = 0; i < sizeof seq; i++)
    out[i] = seq[i];
  return sizeof seq;
}

size_t dfd_ssd1306_window_cmds(uint8_t *out, size_t cap, uint16_t w, uint16_t h) {
  if (!out || cap < DFD_SSD1306_WINDOW_MAX || w == 0 || w > DFD_SSD1306_WIDTH_MAX || h == 0 ||
      h > 64)
    return 0;
  out[0] = 0x21; /* column range */
  out[1] = 0;
  out[2] = (uint8_t)(w - 1u);
  out[3] = 0x22; /* page range */
  out[4] = 0;
  out[5] = (uint8_t)(DFD_SSD1306_PAGES(h) - 1u);
  return DFD_SSD1306_WINDOW_MAX;
}
