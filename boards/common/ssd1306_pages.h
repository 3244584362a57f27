/* SSD1306 OLED controllers, the portable part: the renderer's 1-bit framebuffer
 * (src/render/render.h: row-major, MSB-first, stride (w + 7) / 8) converted to the
 * controller's page layout, the init sequence and the write window, as bytes ready to
 * send. No I/O: each board sends them with its own I2C driver (ESP-IDF's i2c_master,
 * STM32 HAL_I2C_Mem_Write...), each I2C write starting with a control byte:
 * DFD_SSD1306_CTRL_CMD before command bytes, DFD_SSD1306_CTRL_DATA before pixel bytes.
 *
 * Page layout (the controller's GDDRAM in horizontal addressing mode): the screen is cut
 * into pages of 8 rows; page p holds one byte per column x, whose bit k (bit 0 at the
 * top) is pixel (x, 8p + k). A frame is the pages one after the other, page 0 first:
 * byte p * w + x.
 *
 * Panels: 128x64 and 128x32 modules with the internal charge pump (the common ones).
 * SH1106 controllers (132 columns, page addressing only) need a different push. */
#ifndef DFD_SSD1306_PAGES_H
#define DFD_SSD1306_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The control byte that starts every I2C write (Co = 0: all following bytes alike). */
#define DFD_SSD1306_CTRL_CMD 0x00u  /* command bytes follow */
#define DFD_SSD1306_CTRL_DATA 0x40u /* GDDRAM bytes follow */

/* The usual 7-bit I2C addresses (SA0 low / high). */
#define DFD_SSD1306_ADDR 0x3Cu
#define DFD_SSD1306_ADDR_ALT 0x3Du

#define DFD_SSD1306_WIDTH_MAX 128u
#define DFD_SSD1306_PAGES(h) (((size_t)(h) + 7u) / 8u)
#define DFD_SSD1306_BYTES(w, h) ((size_t)(w)*DFD_SSD1306_PAGES(h))

/* Room for dfd_ssd1306_init_cmds and dfd_ssd1306_window_cmds. */
#define DFD_SSD1306_INIT_MAX 32u
#define DFD_SSD1306_WINDOW_MAX 6u

/** Page `page` (rows 8*page to 8*page + 7) of the w x h framebuffer `bits`: out[x] is
 *  column x, bit k pixel (x, 8*page + k); rows at or beyond h read as 0, and the padding
 *  bits at the end of each framebuffer row are ignored. out holds w bytes.
 *  Returns w, or 0 (nothing written) when bits or out is NULL, w or h is 0, or the page
 *  starts at or beyond row h. */
size_t dfd_ssd1306_page(const uint8_t *bits, uint16_t w, uint16_t h, uint16_t page, uint8_t *out);

/** The whole w x h framebuffer in page layout, page 0 first: out[page * w + x].
 *  Returns DFD_SSD1306_BYTES(w, h), or 0 (nothing written) when bits or out is NULL,
 *  w or h is 0, or cap is smaller than that. */
size_t dfd_ssd1306_from_fb(const uint8_t *bits, uint16_t w, uint16_t h, uint8_t *out, size_t cap);

/** The init sequence (command bytes, without the control byte) of a panel `h` rows high
 *  (16 to 64, a multiple of 8) on the internal charge pump: display off, clock, multiplex,
 *  offset 0, start line 0, charge pump on, horizontal addressing, segment and COM scan
 *  direction (rotate180 turns the picture upside down for a module mounted that way),
 *  COM pins, contrast, precharge, VCOMH, normal (not inverted) display, scrolling off,
 *  display on. Returns the count (at most DFD_SSD1306_INIT_MAX), or 0 when out is NULL,
 *  cap is too small or h is not a supported height. */
size_t dfd_ssd1306_init_cmds(uint8_t *out, size_t cap, uint16_t h, bool rotate180);

/** The commands that set the write window to the whole w x h panel (columns 0 to w - 1,
 *  pages 0 to the last), to send before the DFD_SSD1306_BYTES(w, h) bytes of a frame.
 *  Returns the count (DFD_SSD1306_WINDOW_MAX), or 0 when out is NULL, cap is too small,
 *  w is 0 or above 128, or h is 0 or above 64. */
size_t dfd_ssd1306_window_cmds(uint8_t *out, size_t cap, uint16_t w, uint16_t h);

#endif
