/* The Raspberry Pi kiosk's portable parts (boards/rpi/kiosk.c, compiled in without its
 * main): the configuration file, the placement and scaling of the panel's image, the
 * framebuffer drawing into a memory "screen" for 16, 24 and 32 bpp layouts (every pixel
 * checked, only changes rewritten), and the terminal's half-block picture decoded back
 * into pixels. The run against a live server is in boards/rpi/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DFD_KIOSK_NO_MAIN
#include "../boards/common/panel.c"
#include "../boards/rpi/kiosk.c"
#include "test.h"

static char tmp_path[64];

static int load_text(const char *text, kiosk_conf *c, char *err, size_t cap) {
  snprintf(tmp_path, sizeof tmp_path, "/tmp/dfd-kiosk-test-%d.conf", (int)getpid());
  FILE *f = fopen(tmp_path, "w");
  if (!f)
    return -2;
  fputs(text, f);
  fclose(f);
  conf_defaults(c);
  int rc = conf_load(tmp_path, c, err, cap);
  remove(tmp_path);
  return rc;
}

static void config_file(void) {
  kiosk_conf c;
  char err[256];
  CHECK(load_text("# all keys\n"
                  "url = https://dfd.example.com/prefix\n"
                  "  api_key_file=/run/key  \n"
                  "ca_file = /etc/ssl/private-ca.pem\n"
                  "\n"
                  "diffs = 1, 22 ,333\n"
                  "panel = 250x122\n"
                  "output = terminal\n"
                  "fb_device = /dev/fb1\n"
                  "console =\n"
                  "theme = light\n"
                  "qr_code = no\n"
                  "page_seconds = 5\n"
                  "interval = 3\n"
                  "max_interval = 2\n" /* below interval: raised to it */
                  "request_timeout = 12\n"
                  "retry_failed = 0\n",
                  &c, err, sizeof err) == 0);
  CHECK(strcmp(c.url, "https://dfd.example.com/prefix") == 0);
  CHECK(strcmp(c.key_file, "/run/key") == 0);
  CHECK(strcmp(c.ca_file, "/etc/ssl/private-ca.pem") == 0);
  CHECK(strcmp(c.diffs, "1, 22 ,333") == 0);
  CHECK(c.panel_w == 250 && c.panel_h == 122);
  CHECK(c.output == OUT_TERMINAL);
  CHECK(strcmp(c.fb_device, "/dev/fb1") == 0 && c.console[0] == '\0');
  CHECK(c.light && !c.qr);
  CHECK(c.page_ms == 5000 && c.interval_ms == 3000 && c.max_interval_ms == 3000);
  CHECK(c.request_timeout_ms == 12000 && c.retry_failed_ms == 0);

  CHECK(load_text("diffs = 7\n", &c, err, sizeof err) == 0); /* the defaults */
  CHECK(strcmp(c.url, "https://app.datafold.com") == 0 && c.panel_w == 296 && c.panel_h == 128);
  CHECK(c.output == OUT_AUTO && !c.light && c.qr && c.interval_ms == 10000);
  CHECK(strcmp(c.key_file, "/etc/dfdiff/api-key") == 0 && c.retry_failed_ms == 600000);
  CHECK(load_text("diffs = 7\npanel = auto\noutput = fb\n", &c, err, sizeof err) == 0);
  CHECK(c.panel_w == 0 && c.panel_h == 0 && c.output == OUT_FB);

  struct {
    const char *text, *want;
  } bad[] = {
      {"diffs = 1\nintervall = 3\n", ":2: intervall: unknown key"},
      {"diffs = 1\ninterval = 0\n", ":2: interval: not a whole number"},
      {"diffs = 1\ninterval = -3\n", "interval"},
      {"diffs = 1\ninterval = 3s\n", "interval"},
      {"diffs = 1\npanel = 2000x10\n", ":2: panel: not 'auto'"},
      {"diffs = 1\npanel = 296\n", "panel"},
      {"diffs = 1\noutput = hdmi\n", "output"},
      {"diffs = 1\ntheme = blue\n", "theme"},
      {"diffs = 1\nqr_code = maybe\n", "qr_code"},
      {"diffs = 1\nurl =\n", ":2: url: invalid value"},
      {"diffs = 1\njust some words\n", ":2: expected 'key = value'"},
      {"diffs = 1,,2\n", ":1: diffs: not a comma-separated list"},
      {"diffs = 1,2,3,4,5,6,7,8,9\n", "diffs"},
      {"url = https://x\n", "no 'diffs'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = '\0';
    CHECKF(load_text(bad[i].text, &c, err, sizeof err) == -1 && strstr(err, bad[i].want),
           "'%s' gave '%s'", bad[i].text, err);
  }
  char longline[1500];
  memset(longline, 'a', sizeof longline - 2);
  longline[sizeof longline - 2] = '\n';
  longline[sizeof longline - 1] = '\0';
  CHECK(load_text(longline, &c, err, sizeof err) == -1 && strstr(err, "line too long"));
  conf_defaults(&c);
  CHECK(conf_load("/nonexistent/kiosk.conf", &c, err, sizeof err) == -1 &&
        strstr(err, "/nonexistent/kiosk.conf"));
}

static void placement_on_screens(void) {
  placement p = place(296, 128, 1920, 1080); /* 6x */
  CHECK(p.w == 1776 && p.h == 768 && p.x == 72 && p.y == 156);
  p = place(128, 64, 800, 480); /* 6x wide, 7x high: 6x */
  CHECK(p.w == 768 && p.h == 384 && p.x == 16 && p.y == 48);
  p = place(296, 128, 296, 128);
  CHECK(p.w == 296 && p.h == 128 && p.x == 0 && p.y == 0);
  p = place(296, 128, 100, 60); /* shrunk, the width limits */
  CHECK(p.w == 100 && p.h == 43 && p.x == 0 && p.y == 8);
  p = place(100, 400, 300, 100); /* shrunk, the height limits */
  CHECK(p.h == 100 && p.w == 25 && p.x == 137 && p.y == 0);
  p = place(0, 10, 100, 100);
  CHECK(p.w == 0 && p.h == 0);
}

static uint8_t img[DFD_FB_BYTES(100, 50)];

static void set_px(uint8_t *bits, int w, int x, int y) {
  bits[(size_t)y * DFD_FB_STRIDE(w) + (size_t)x / 8] |= (uint8_t)(0x80u >> (x % 8));
}

static void scaling(void) {
  memset(img, 0, sizeof img);
  set_px(img, 10, 3, 2);
  /* 3x: the pixel becomes the 3x3 block at (9..11, 6..8) */
  int bad = 0;
  for (uint32_t y = 0; y < 15; y++)
    for (uint32_t x = 0; x < 30; x++)
      bad += sample(img, 10, 5, 30, 15, x, y) != (x >= 9 && x <= 11 && y >= 6 && y <= 8);
  CHECK(bad == 0);
  /* shrunk 4x: a one-pixel line survives */
  memset(img, 0, sizeof img);
  for (int x = 0; x < 100; x++)
    set_px(img, 100, x, 21);
  int lit = 0;
  for (uint32_t y = 0; y < 12; y++)
    for (uint32_t x = 0; x < 25; x++)
      lit += sample(img, 100, 48, 25, 12, x, y);
  CHECK(lit == 25);
  for (uint32_t x = 0; x < 25; x++)
    CHECK(sample(img, 100, 48, 25, 12, x, 5) == 1);
}

/* A memory screen: xres x yres pixels, `pad` spare bytes at the end of each line. */
static uint8_t screen_mem[64 * 48 * 4 + 48 * 16];
static uint8_t last_img[DFD_FB_BYTES(100, 50)];

static fb_screen mem_screen(uint32_t xres, uint32_t yres, uint32_t bpp, uint32_t pad, uint32_t ink,
                            uint32_t paper) {
  fb_screen s;
  memset(&s, 0, sizeof s);
  memset(screen_mem, 0x77, sizeof screen_mem);
  s.mem = screen_mem;
  s.xres = xres;
  s.yres = yres;
  s.bpp = bpp;
  s.line = xres * (bpp / 8) + pad;
  s.ink = ink;
  s.paper = paper;
  s.last = last_img;
  return s;
}

static uint32_t px_at(const fb_screen *s, uint32_t x, uint32_t y) {
  const uint8_t *p = s->mem + (size_t)y * s->line + (size_t)x * (s->bpp / 8);
  if (s->bpp == 32)
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  if (s->bpp == 24)
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Every screen pixel is ink where the scaled panel has ink, paper elsewhere, and the
 * padding at the end of each line is untouched. Returns the mismatches. */
static int check_screen(const fb_screen *s, const uint8_t *bits, uint16_t w, uint16_t h) {
  placement p = place(w, h, s->xres, s->yres);
  int bad = 0;
  for (uint32_t y = 0; y < s->yres; y++) {
    for (uint32_t x = 0; x < s->xres; x++) {
      int ink = x >= p.x && x < p.x + p.w && y >= p.y && y < p.y + p.h &&
                sample(bits, w, h, p.w, p.h, x - p.x, y - p.y);
      bad += px_at(s, x, y) != (ink ? s->ink : s->paper);
    }
    for (uint32_t i = s->xres * (s->bpp / 8); i < s->line; i++)
      bad += s->mem[(size_t)y * s->line + i] != 0x77;
  }
  return bad;
}

static void framebuffer_formats(void) {
  /* XRGB8888, RGB565, BGR888: the colours from the channel layout */
  fb_field r32 = {16, 8}, g32 = {8, 8}, b32 = {0, 8}, a32 = {24, 0};
  CHECK(fb_color(true, r32, g32, b32, a32) == 0x00FFFFFFu);
  CHECK(fb_color(false, r32, g32, b32, a32) == 0);
  fb_field a8 = {24, 8};
  CHECK(fb_color(false, r32, g32, b32, a8) == 0xFF000000u); /* opaque black */
  fb_field r16 = {11, 5}, g16 = {5, 6}, b16 = {0, 5}, none = {0, 0};
  CHECK(fb_color(true, r16, g16, b16, none) == 0xFFFFu);
  fb_field r24 = {0, 8}, g24 = {8, 8}, b24 = {16, 8};
  CHECK(fb_color(true, r24, g24, b24, none) == 0xFFFFFFu);

  memset(img, 0, sizeof img);
  for (int i = 0; i < 10; i++) /* a diagonal and a frame corner */
    set_px(img, 10, i, i / 2);
  set_px(img, 10, 9, 0);
  set_px(img, 10, 0, 4);

  static const uint32_t bpps[] = {32, 24, 16};
  for (size_t i = 0; i < 3; i++) {
    uint32_t white = bpps[i] == 16 ? 0xFFFFu : 0xFFFFFFu;
    fb_screen s = mem_screen(43, 31, bpps[i], i == 1 ? 3u : 8u, white, 0);
    size_t n = fb_frame(&s, img, 10, 5); /* 4x: 40x20 at (1, 5) */
    CHECK(n > 43u * 31u);
    CHECKF(check_screen(&s, img, 10, 5) == 0, "%u bpp", (unsigned)bpps[i]);
    /* one pixel changes: one 4x4 block is written, nothing else */
    set_px(img, 10, 5, 0);
    CHECK(fb_frame(&s, img, 10, 5) == 16);
    CHECK(check_screen(&s, img, 10, 5) == 0);
    CHECK(fb_frame(&s, img, 10, 5) == 0); /* no change, no write */
    img[0] &= (uint8_t)~0x04u;            /* back: pixel (5, 0) clear */
  }

  /* light theme, and a panel larger than the screen: shrunk */
  memset(img, 0, sizeof img);
  for (int x = 0; x < 100; x++)
    set_px(img, 100, x, 25);
  fb_screen s = mem_screen(40, 30, 32, 0, 0, 0x00FFFFFFu);
  fb_frame(&s, img, 100, 50);
  CHECK(check_screen(&s, img, 100, 50) == 0);
  int line_px = 0;
  for (uint32_t x = 0; x < 40; x++)
    for (uint32_t y = 0; y < 30; y++)
      line_px += px_at(&s, x, y) == 0; /* ink is black */
  CHECK(line_px == 40);
  /* a new size redraws everything */
  memset(img, 0, sizeof img);
  fb_frame(&s, img, 20, 10);
  CHECK(check_screen(&s, img, 20, 10) == 0);
}

/* Decodes the terminal picture: rows addressed by ESC[r;1H, cells ' ', upper, lower and
 * full blocks. Returns the mismatches against the placed, scaled image. */
static int check_terminal(const char *out, const uint8_t *bits, uint16_t w, uint16_t h, int cols,
                          int rows) {
  placement p = place(w, h, (uint32_t)cols, (uint32_t)rows * 2u);
  int bad = 0, row = -1, col = 0, rows_seen = 0;
  for (const char *s = out; *s;) {
    if (*s == '\033') {
      int r = 0, c = 0, used = 0;
      if (sscanf(s, "\033[%d;%dH%n", &r, &c, &used) == 2 && used > 0) {
        row = r - 1;
        col = 0;
        rows_seen++;
      }
      while (*s && !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        s++;
      if (*s)
        s++;
      continue;
    }
    int v;
    if (*s == ' ') {
      v = 0;
      s++;
    } else if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x96) {
      unsigned char k = (unsigned char)s[2];
      v = k == 0x80 ? 1 : k == 0x84 ? 2 : k == 0x88 ? 3 : -1;
      s += 3;
    } else {
      return -1000;
    }
    for (int half = 0; half < 2; half++) {
      uint32_t x = (uint32_t)col, y = (uint32_t)row * 2u + (uint32_t)half;
      int want = x >= p.x && x < p.x + p.w && y >= p.y && y < p.y + p.h &&
                 sample(bits, w, h, p.w, p.h, x - p.x, y - p.y);
      bad += (v >= 0 && ((v >> half) & 1)) != want;
    }
    col++;
  }
  return rows_seen == rows ? bad : -2000;
}

static void terminal_picture(void) {
  memset(img, 0, sizeof img);
  for (int i = 0; i < 10; i++)
    set_px(img, 10, i, i / 2);
  set_px(img, 10, 0, 4);
  static char out[64 * 1024];
  static const int sizes[][2] = {{30, 8}, {80, 24}, {7, 3}};
  for (size_t i = 0; i < 3; i++) {
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f)
      return;
    term_frame(f, img, 10, 5, sizes[i][0], sizes[i][1], i == 1);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    CHECK(strstr(out, i == 1 ? "\033[0;30;107m" : "\033[0;97;40m") == out);
    int bad = check_terminal(out, img, 10, 5, sizes[i][0], sizes[i][1]);
    CHECKF(bad == 0, "%dx%d: %d", sizes[i][0], sizes[i][1], bad);
  }
  int cols = 0, rows = 0;
  term_size(-1, &cols, &rows); /* not a terminal: the environment or 80x24 */
  CHECK(cols > 0 && rows > 0);
}

static void framebuffer_device_errors(void) {
#if defined(__linux__)
  kiosk_conf c;
  conf_defaults(&c);
  snprintf(c.fb_device, sizeof c.fb_device, "/nonexistent/fb9");
  fb_device d;
  fb_screen s;
  memset(&s, 0, sizeof s);
  char err[256] = "";
  CHECK(fb_open(&d, &s, &c, err, sizeof err) == -1 && strstr(err, "/nonexistent/fb9"));
  snprintf(c.fb_device, sizeof c.fb_device, "/dev/null"); /* opens, but no framebuffer */
  CHECK(fb_open(&d, &s, &c, err, sizeof err) == -1 && strstr(err, "not a framebuffer"));
  memset(&d, 0, sizeof d);
  d.fd = d.console_fd = -1;
  fb_close(&d, &s); /* nothing open: nothing done */
#endif
}

int main(void) {
  RUN(config_file);
  RUN(placement_on_screens);
  RUN(scaling);
  RUN(framebuffer_formats);
  RUN(terminal_picture);
  RUN(framebuffer_device_errors);
  T_EXIT();
}
