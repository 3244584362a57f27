/* The SSD1306 page conversion of the boards (boards/common/ssd1306_pages.c): every pixel
 * of the renderer's row-major, MSB-first framebuffer lands on its column byte and bit of
 * the controller's pages, for the 128x64 panel and odd sizes; nothing else is set; the
 * init sequence and the write window hold the commands the panels need.
 *
 * The board file is compiled into this test (the top-level Makefile builds each
 * tests/test_*.c alone against the libraries): it is portable, vendor-independent code. */
#include <stdint.h>
#include <string.h>

#include "../boards/common/ssd1306_pages.c"
#include "dfd_err.h"
#include "render/render.h"
#include "test.h"

#define W 128
#define H 64

static uint8_t fb_bits[DFD_FB_BYTES(1024, 72)];
static uint8_t pages[DFD_SSD1306_BYTES(1024, 72) + 16];

/* Pixel (x, y) of a frame in page layout. */
static int page_px(const uint8_t *p, int w, int x, int y) {
  return (p[(size_t)(y / 8) * (size_t)w + (size_t)x] >> (y % 8)) & 1;
}

static void set_px(uint8_t *bits, int w, int x, int y) {
  bits[(size_t)y * DFD_FB_STRIDE(w) + (size_t)x / 8] |= (uint8_t)(0x80u >> (x % 8));
}

static uint32_t rng_state = 0x2545F491u;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Converts a w x h framebuffer and checks every pixel, and every bit of the pages below
 * row h, against the library's own reader. Returns the mismatches. */
static int check_frame(uint16_t w, uint16_t h) {
  dfd_fb fb = {fb_bits, w, h};
  size_t n = DFD_SSD1306_BYTES(w, h);
  memset(pages, 0xA5, sizeof pages);
  size_t got = dfd_ssd1306_from_fb(fb_bits, w, h, pages, n);
  if (got != n)
    return 1000000;
  int bad = 0;
  for (int y = 0; y < (int)DFD_SSD1306_PAGES(h) * 8; y++)
    for (int x = 0; x < w; x++)
      if (page_px(pages, w, x, y) != (y < h ? dfd_fb_get(&fb, x, y) : 0))
        bad++;
  if (pages[n] != 0xA5) /* nothing written past the frame */
    bad++;
  return bad;
}

static void every_single_pixel_of_128x64(void) {
  int bad = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      memset(fb_bits, 0, DFD_FB_BYTES(W, H));
      set_px(fb_bits, W, x, y);
      CHECK(dfd_ssd1306_from_fb(fb_bits, W, H, pages, sizeof pages) == 1024);
      /* exactly one bit set: byte (y / 8) * 128 + x, bit y % 8 */
      for (size_t i = 0; i < 1024; i++) {
        uint8_t want = i == (size_t)(y / 8) * W + (size_t)x ? (uint8_t)(1u << (y % 8)) : 0;
        if (pages[i] != want)
          bad++;
      }
    }
  CHECKF(bad == 0, "%d wrong bytes", bad);
}

static void corners_and_known_bytes(void) {
  memset(fb_bits, 0, DFD_FB_BYTES(W, H));
  set_px(fb_bits, W, 0, 0);    /* top left: page 0, column 0, bit 0 */
  set_px(fb_bits, W, 127, 0);  /* top right: page 0, column 127, bit 0 */
  set_px(fb_bits, W, 0, 63);   /* bottom left: page 7, column 0, bit 7 */
  set_px(fb_bits, W, 127, 63); /* bottom right */
  for (int y = 8; y < 16; y++) /* a vertical bar of 8 rows in column 5: one full byte */
    set_px(fb_bits, W, 5, y);
  for (int x = 16; x < 24; x++) /* a horizontal line in row 2: bit 2 of 8 columns */
    set_px(fb_bits, W, x, 2);
  CHECK(dfd_ssd1306_from_fb(fb_bits, W, H, pages, sizeof pages) == 1024);
  CHECK(pages[0] == 0x01);
  CHECK(pages[127] == 0x01);
  CHECK(pages[7 * 128] == 0x80);
  CHECK(pages[7 * 128 + 127] == 0x80);
  CHECK(pages[128 + 5] == 0xFF);
  for (int x = 16; x < 24; x++)
    CHECK(pages[x] == 0x04);
  CHECK(pages[15] == 0 && pages[24] == 0 && pages[128 + 4] == 0 && pages[128 + 6] == 0);
}

static void random_frames_of_many_sizes(void) {
  static const uint16_t sizes[][2] = {{128, 64}, {128, 32}, {1, 1},    {7, 9},    {8, 8},
                                      {9, 7},    {13, 11},  {64, 48},  {72, 40},  {96, 16},
                                      {130, 9},  {296, 72}, {250, 61}, {1024, 1}, {3, 72}};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    uint16_t w = sizes[s][0], h = sizes[s][1];
    for (int round = 0; round < 4; round++) {
      for (size_t i = 0; i < DFD_FB_BYTES(w, h); i++)
        fb_bits[i] = (uint8_t)(round == 0 ? 0xFF : rnd());
      int bad = check_frame(w, h);
      CHECKF(bad == 0, "%ux%u round %d: %d mismatches", (unsigned)w, (unsigned)h, round, bad);
    }
  }
}

/* The renderer leaves row padding 0, but the conversion must not depend on it. */
static void row_padding_bits_are_ignored(void) {
  const uint16_t w = 13, h = 10;
  memset(fb_bits, 0, DFD_FB_BYTES(w, h));
  for (int y = 0; y < h; y++)
    fb_bits[(size_t)y * DFD_FB_STRIDE(w) + 1] = 0x07; /* only the 3 padding bits of byte 1 */
  CHECK(dfd_ssd1306_from_fb(fb_bits, w, h, pages, sizeof pages) == DFD_SSD1306_BYTES(w, h));
  int set = 0;
  for (size_t i = 0; i < DFD_SSD1306_BYTES(w, h); i++)
    set += pages[i] != 0;
  CHECK(set == 0);
}

static void one_page_at_a_time(void) {
  const uint16_t w = 128, h = 60; /* the last page half outside the panel */
  for (size_t i = 0; i < DFD_FB_BYTES(w, h); i++)
    fb_bits[i] = (uint8_t)rnd();
  CHECK(dfd_ssd1306_from_fb(fb_bits, w, h, pages, sizeof pages) == 1024);
  uint8_t one[128 + 1];
  for (uint16_t p = 0; p < 8; p++) {
    one[128] = 0x5A;
    CHECK(dfd_ssd1306_page(fb_bits, w, h, p, one) == 128);
    CHECK(memcmp(one, pages + (size_t)p * 128, 128) == 0);
    CHECK(one[128] == 0x5A);
  }
  for (int x = 0; x < 128; x++) /* rows 60 to 63 do not exist: bits 4 to 7 clear */
    CHECK((pages[7 * 128 + x] & 0xF0) == 0);
  CHECK(dfd_ssd1306_page(fb_bits, w, h, 8, one) == 0);
}

/* What a board pushes to its 128x64 OLED: the renderer's screen, pixel for pixel. */
static void a_rendered_screen(void) {
  dfd_status st;
  memset(&st, 0, sizeof st);
  st.id.present = true;
  st.id.v = 12345;
  st.status = DFD_JOB_PROCESSING;
  strcpy(st.status_text, "processing");
  st.progress.completed_steps.present = st.progress.total_steps.present = true;
  st.progress.completed_steps.v = 3;
  st.progress.total_steps.v = 9;
  st.table1.present = st.table2.present = true;
  strcpy(st.table1.s, "db.public.orders");
  strcpy(st.table2.s, "db.public.orders_v2");
  dfd_fb fb = {fb_bits, W, H};
  dfd_render_input in;
  memset(&in, 0, sizeof in);
  in.status = &st;
  in.id = 12345;
  in.age_s = 4;
  in.elapsed_s = 75;
  in.page = 1;
  in.pages = 3;
  CHECK(dfd_render_status(&fb, &in) == DFD_OK);
  int ink = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      ink += dfd_fb_get(&fb, x, y);
  CHECK(ink > 200); /* something was drawn */
  CHECK(check_frame(W, H) == 0);
}

static void bad_arguments(void) {
  memset(fb_bits, 0xFF, 64);
  memset(pages, 0x5A, 16);
  CHECK(dfd_ssd1306_from_fb(NULL, W, H, pages, sizeof pages) == 0);
  CHECK(dfd_ssd1306_from_fb(fb_bits, W, H, NULL, 1024) == 0);
  CHECK(dfd_ssd1306_from_fb(fb_bits, 0, H, pages, sizeof pages) == 0);
  CHECK(dfd_ssd1306_from_fb(fb_bits, W, 0, pages, sizeof pages) == 0);
  CHECK(dfd_ssd1306_from_fb(fb_bits, W, H, pages, 1023) == 0); /* too small */
  CHECK(dfd_ssd1306_page(NULL, W, H, 0, pages) == 0);
  CHECK(dfd_ssd1306_page(fb_bits, W, H, 0, NULL) == 0);
  CHECK(dfd_ssd1306_page(fb_bits, W, 8, 1, pages) == 0);
  CHECK(pages[0] == 0x5A); /* nothing written */
}

static bool has_cmd(const uint8_t *c, size_t n, uint8_t cmd, int arg) {
  for (size_t i = 0; i < n; i++)
    if (c[i] == cmd && (arg < 0 || (i + 1 < n && c[i + 1] == (uint8_t)arg)))
      return true;
  return false;
}

static void init_sequence(void) {
  uint8_t c[DFD_SSD1306_INIT_MAX];
  size_t n = dfd_ssd1306_init_cmds(c, sizeof c, 64, false);
  CHECK(n > 0 && n <= DFD_SSD1306_INIT_MAX);
  CHECK(c[0] == 0xAE);              /* display off first */
  CHECK(c[n - 1] == 0xAF);          /* display on last */
  CHECK(has_cmd(c, n, 0xA8, 63));   /* 64 rows */
  CHECK(has_cmd(c, n, 0x8D, 0x14)); /* charge pump */
  CHECK(has_cmd(c, n, 0x20, 0x00)); /* horizontal addressing: one write per frame */
  CHECK(has_cmd(c, n, 0xDA, 0x12)); /* COM pins of a 64-row panel */
  CHECK(has_cmd(c, n, 0xA1, -1) && has_cmd(c, n, 0xC8, -1));
  CHECK(has_cmd(c, n, 0xA6, -1)); /* not inverted */

  uint8_t r[DFD_SSD1306_INIT_MAX];
  CHECK(dfd_ssd1306_init_cmds(r, sizeof r, 64, true) == n);
  CHECK(has_cmd(r, n, 0xA0, -1) && has_cmd(r, n, 0xC0, -1));
  CHECK(!has_cmd(r, n, 0xA1, -1) && !has_cmd(r, n, 0xC8, -1));

  CHECK(dfd_ssd1306_init_cmds(c, sizeof c, 32, false) == n);
  CHECK(has_cmd(c, n, 0xA8, 31) && has_cmd(c, n, 0xDA, 0x02));

  CHECK(dfd_ssd1306_init_cmds(c, sizeof c, 60, false) == 0);
  CHECK(dfd_ssd1306_init_cmds(c, sizeof c, 72, false) == 0);
  CHECK(dfd_ssd1306_init_cmds(c, sizeof c, 8, false) == 0);
  CHECK(dfd_ssd1306_init_cmds(c, n - 1, 64, false) == 0);
  CHECK(dfd_ssd1306_init_cmds(NULL, 64, 64, false) == 0);
}

static void write_window(void) {
  uint8_t c[DFD_SSD1306_WINDOW_MAX];
  CHECK(dfd_ssd1306_window_cmds(c, sizeof c, 128, 64) == 6);
  static const uint8_t want64[] = {0x21, 0, 127, 0x22, 0, 7};
  CHECK(memcmp(c, want64, 6) == 0);
  CHECK(dfd_ssd1306_window_cmds(c, sizeof c, 128, 32) == 6);
  static const uint8_t want32[] = {0x21, 0, 127, 0x22, 0, 3};
  CHECK(memcmp(c, want32, 6) == 0);
  CHECK(dfd_ssd1306_window_cmds(c, sizeof c, 129, 64) == 0);
  CHECK(dfd_ssd1306_window_cmds(c, sizeof c, 128, 65) == 0);
  CHECK(dfd_ssd1306_window_cmds(c, 5, 128, 64) == 0);
}

int main(void) {
  RUN(every_single_pixel_of_128x64);
  RUN(corners_and_known_bytes);
  RUN(random_frames_of_many_sizes);
  RUN(row_padding_bits_are_ignored);
  RUN(one_page_at_a_time);
  RUN(a_rendered_screen);
  RUN(bad_arguments);
  RUN(init_sequence);
  RUN(write_window);
  T_EXIT();
}
