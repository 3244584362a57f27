/* dfdiff-kiosk: the status display on a Raspberry Pi (or any Linux box) with a screen.
 * The POSIX port and the library's watch loop poll a list of diffs (one page each,
 * turned in turn: boards/common/panel.c), the renderer draws the page shown into a 1-bit
 * framebuffer of the configured panel size, and that image is scaled onto the Linux
 * framebuffer (/dev/fb0, 16/24/32 bpp) or drawn full-screen in a terminal with block
 * characters. Configuration: /etc/dfdiff/kiosk.conf (boards/rpi/kiosk.conf documents every
 * key). Runs until SIGTERM or SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/fb.h>
#include <linux/kd.h>
#include <sys/mman.h>
#endif

#include "../common/panel.h"
#include "client.h"
#include "dfd_err.h"
#include "dfd_posix.h"
#include "posix_trust.h"
#include "render/render.h"

#define KIOSK_PANEL_MAX 1024
#define KIOSK_DEFAULT_CONFIG "/etc/dfdiff/kiosk.conf"
#define DFD_KIOSK_STR2(x) #x
#define DFD_KIOSK_STR(x) DFD_KIOSK_STR2(x)

/* --- configuration ----------------------------------------------------------------------- */

typedef enum { OUT_AUTO, OUT_FB, OUT_TERMINAL } kiosk_output;

typedef struct {
  char url[300];
  char key_file[256];
  char ca_file[256];
  char diffs[512];
  uint16_t panel_w, panel_h; /* 0 x 0: auto (terminal: the window; framebuffer: 296x128) */
  kiosk_output output;
  char fb_device[128];
  char console[128]; /* a VT switched to graphics mode while the framebuffer is used */
  bool light;        /* black ink on white; default white ink on black */
  bool qr;
  uint32_t page_ms, interval_ms, max_interval_ms, request_timeout_ms, retry_failed_ms;
} kiosk_conf;

static void conf_defaults(kiosk_conf *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->url, sizeof c->url, "https://app.datafold.com");
  snprintf(c->key_file, sizeof c->key_file, "/etc/dfdiff/api-key");
  snprintf(c->fb_device, sizeof c->fb_device, "/dev/fb0");
  c->panel_w = 296;
  c->panel_h = 128;
  c->output = OUT_AUTO;
  c->qr = true;
  c->page_ms = 8000;
  c->interval_ms = 10000;
  c->max_interval_ms = 60000;
  c->request_timeout_ms = 30000;
  c->retry_failed_ms = 600000;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

/* Whole seconds, 0 to 86400 (a day); min is the smallest accepted. */
static int parse_seconds(const char *v, uint32_t min, uint32_t *ms) {
  char *end;
  errno = 0;
  unsigned long s = strtoul(v, &end, 10);
  if (errno || end == v || *end || v[0] == '-' || v[0] == '+' || s < min || s > 86400)
    return -1;
  *ms = (uint32_t)s * 1000u;
  return 0;
}

static int parse_panel(const char *v, uint16_t *w, uint16_t *h) {
  if (strcmp(v, "auto") == 0) {
    *w = *h = 0;
    return 0;
  }
  char *end;
  errno = 0;
  long pw = strtol(v, &end, 10);
  if (errno || end == v || (*end != 'x' && *end != 'X') || pw < 1 || pw > KIOSK_PANEL_MAX ||
      v[0] == '-' || v[0] == '+')
    return -1;
  const char *hs = end + 1;
  long ph = strtol(hs, &end, 10);
  if (errno || end == hs || *end || ph < 1 || ph > KIOSK_PANEL_MAX || hs[0] == '-' || hs[0] == '+')
    return -1;
  *w = (uint16_t)pw;
  *h = (uint16_t)ph;
  return 0;
}

static int set_text(char *dst, size_t cap, const char *v) {
  if (strlen(v) >= cap)
    return -1;
  memcpy(dst, v, strlen(v) + 1);
  return 0;
}

/* One "key = value" setting. Returns 0, or -1 with *why set. */
static int conf_set(kiosk_conf *c, const char *key, const char *v, const char **why) {
  *why = "invalid value";
  if (strcmp(key, "url") == 0)
    return *v ? set_text(c->url, sizeof c->url, v) : -1;
  if (strcmp(key, "api_key_file") == 0)
    return set_text(c->key_file, sizeof c->key_file, v);
  if (strcmp(key, "ca_file") == 0)
    return set_text(c->ca_file, sizeof c->ca_file, v);
  if (strcmp(key, "diffs") == 0) {
    int64_t ids[DFD_PANEL_MAX_DIFFS];
    *why =
        "not a comma-separated list of diff ids (at most " DFD_KIOSK_STR(DFD_PANEL_MAX_DIFFS) ")";
    return dfd_panel_parse_ids(v, ids, DFD_PANEL_MAX_DIFFS) < 0
               ? -1
               : set_text(c->diffs, sizeof c->diffs, v);
  }
  if (strcmp(key, "panel") == 0) {
    *why = "not 'auto' or a panel size WxH (1 to 1024 each, e.g. 296x128)";
    return parse_panel(v, &c->panel_w, &c->panel_h);
  }
  if (strcmp(key, "output") == 0) {
    *why = "not 'auto', 'framebuffer' or 'terminal'";
    if (strcmp(v, "auto") == 0)
      c->output = OUT_AUTO;
    else if (strcmp(v, "framebuffer") == 0 || strcmp(v, "fb") == 0)
      c->output = OUT_FB;
    else if (strcmp(v, "terminal") == 0)
      c->output = OUT_TERMINAL;
    else
      return -1;
    return 0;
  }
  if (strcmp(key, "fb_device") == 0)
    return *v ? set_text(c->fb_device, sizeof c->fb_device, v) : -1;
  if (strcmp(key, "console") == 0)
    return set_text(c->console, sizeof c->console, v);
  if (strcmp(key, "theme") == 0) {
    *why = "not 'dark' or 'light'";
    if (strcmp(v, "dark") != 0 && strcmp(v, "light") != 0)
      return -1;
    c->light = strcmp(v, "light") == 0;
    return 0;
  }
  if (strcmp(key, "qr_code") == 0) {
    *why = "not 'yes' or 'no'";
    if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
      return -1;
    c->qr = strcmp(v, "yes") == 0;
    return 0;
  }
  *why = "not a whole number of seconds in range";
  if (strcmp(key, "page_seconds") == 0)
    return parse_seconds(v, 1, &c->page_ms);
  if (strcmp(key, "interval") == 0)
    return parse_seconds(v, 1, &c->interval_ms);
  if (strcmp(key, "max_interval") == 0)
    return parse_seconds(v, 1, &c->max_interval_ms);
  if (strcmp(key, "request_timeout") == 0)
    return parse_seconds(v, 1, &c->request_timeout_ms);
  if (strcmp(key, "retry_failed") == 0)
    return parse_seconds(v, 0, &c->retry_failed_ms);
  *why = "unknown key";
  return -1;
}

/* Reads a configuration file over the defaults already in *c. Returns 0, or -1 with the
 * reason in err ("FILE:LINE: ..."). */
static int conf_load(const char *path, kiosk_conf *c, char *err, size_t cap) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  char line[1024];
  int n = 0, rc = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    if (!strchr(line, '\n') && !feof(f)) {
      snprintf(err, cap, "%s:%d: line too long", path, n);
      rc = -1;
      break;
    }
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      snprintf(err, cap, "%s:%d: expected 'key = value'", path, n);
      rc = -1;
      break;
    }
    *eq = '\0';
    const char *key = trim(s), *why = NULL;
    char *value = trim(eq + 1);
    if (conf_set(c, key, value, &why) != 0) {
      snprintf(err, cap, "%s:%d: %s: %s", path, n, key, why);
      rc = -1;
      break;
    }
  }
  fclose(f);
  if (rc == 0 && c->diffs[0] == '\0') {
    snprintf(err, cap, "%s: no 'diffs' (the diff ids to show, comma-separated)", path);
    rc = -1;
  }
  if (rc == 0 && c->max_interval_ms < c->interval_ms)
    c->max_interval_ms = c->interval_ms;
  return rc;
}

/* --- scaling the panel's image ---------------------------------------------------------- */

/* Pixel (x, y) of a (tw x th) picture of the w x h image `bits`: nearest when enlarging,
 * and when shrinking, ink if any pixel of the area it covers is ink (thin lines stay). */
static int sample(const uint8_t *bits, uint16_t w, uint16_t h, uint32_t tw, uint32_t th, uint32_t x,
                  uint32_t y) {
  uint32_t x0 = (uint32_t)((uint64_t)x * w / tw), x1 = (uint32_t)((uint64_t)(x + 1) * w / tw);
  uint32_t y0 = (uint32_t)((uint64_t)y * h / th), y1 = (uint32_t)((uint64_t)(y + 1) * h / th);
  if (x1 <= x0)
    x1 = x0 + 1;
  if (y1 <= y0)
    y1 = y0 + 1;
  size_t stride = DFD_FB_STRIDE(w);
  for (uint32_t sy = y0; sy < y1 && sy < h; sy++)
    for (uint32_t sx = x0; sx < x1 && sx < w; sx++)
      if (bits[sy * stride + sx / 8] & (0x80u >> (sx % 8)))
        return 1;
  return 0;
}

/* Where a w x h image goes on a screen of sw x sh pixels: the largest whole multiple
 * that fits, or shrunk (aspect kept) when even 1x does not fit; centered. */
typedef struct {
  uint32_t x, y, w, h; /* on the screen */
} placement;

static placement place(uint16_t w, uint16_t h, uint32_t sw, uint32_t sh) {
  placement p = {0, 0, 0, 0};
  if (w == 0 || h == 0 || sw == 0 || sh == 0)
    return p;
  uint32_t s = sw / w < sh / h ? sw / w : sh / h;
  if (s >= 1) {
    p.w = (uint32_t)w * s;
    p.h = (uint32_t)h * s;
  } else if ((uint64_t)sw * h <= (uint64_t)sh * w) { /* width limits */
    p.w = sw;
    p.h = (uint32_t)((uint64_t)h * sw / w);
  } else {
    p.h = sh;
    p.w = (uint32_t)((uint64_t)w * sh / h);
  }
  if (p.w == 0)
    p.w = 1;
  if (p.h == 0)
    p.h = 1;
  p.x = (sw - p.w) / 2;
  p.y = (sh - p.h) / 2;
  return p;
}

/* --- terminal output ----------------------------------------------------------------------- */

/* Each character cell shows two pixels, one above the other (upper and lower half
 * blocks): about square pixels in the usual 1:2 cells. */
static void term_frame(FILE *out, const uint8_t *bits, uint16_t w, uint16_t h, int cols, int rows,
                       bool light) {
  static const char *const cell[4] = {" ", "\xE2\x96\x80", "\xE2\x96\x84", "\xE2\x96\x88"};
  placement p = place(w, h, (uint32_t)cols, (uint32_t)rows * 2u);
  fputs(light ? "\033[0;30;107m" : "\033[0;97;40m", out);
  for (int r = 0; r < rows; r++) {
    fprintf(out, "\033[%d;1H", r + 1);
    for (int c = 0; c < cols; c++) {
      int v = 0;
      for (int half = 0; half < 2; half++) {
        uint32_t y = (uint32_t)r * 2u + (uint32_t)half, x = (uint32_t)c;
        if (x >= p.x && x < p.x + p.w && y >= p.y && y < p.y + p.h &&
            sample(bits, w, h, p.w, p.h, x - p.x, y - p.y))
          v |= 1 << half;
      }
      fputs(cell[v], out);
    }
  }
  fflush(out);
}

static void term_size(int fd, int *cols, int *rows) {
  struct winsize ws;
  *cols = 80;
  *rows = 24;
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    return;
  }
  const char *c = getenv("COLUMNS"), *l = getenv("LINES");
  if (c && atoi(c) > 0)
    *cols = atoi(c);
  if (l && atoi(l) > 0)
    *rows = atoi(l);
}

/* --- framebuffer output ---------------------------------------------------------------- */

/* A mapped framebuffer's geometry and pixel format (from FBIOGET_VSCREENINFO and
 * FBIOGET_FSCREENINFO); kept free of Linux types so the drawing is testable anywhere. */
typedef struct {
  uint8_t *mem;        /* the visible screen's first pixel */
  uint32_t xres, yres; /* visible pixels */
  uint32_t line;       /* bytes per line */
  uint32_t bpp;        /* 16, 24 or 32 */
  uint32_t ink, paper; /* pixel values */
  uint8_t *last;       /* the image shown (DFD_FB_BYTES of the panel), for changes only */
  uint16_t last_w, last_h;
  bool shown;
} fb_screen;

typedef struct {
  uint32_t offset, length;
} fb_field;

/* The pixel value of a colour, from the channel layout: white has every channel full. */
static uint32_t fb_color(bool white, fb_field r, fb_field g, fb_field b, fb_field alpha) {
  uint32_t v = 0;
  const fb_field ch[3] = {r, g, b};
  for (int i = 0; i < 3 && white; i++)
    if (ch[i].length > 0 && ch[i].length <= 16 && ch[i].offset + ch[i].length <= 32)
      v |= ((1u << ch[i].length) - 1u) << ch[i].offset;
  if (alpha.length > 0 && alpha.length <= 16 && alpha.offset + alpha.length <= 32)
    v |= ((1u << alpha.length) - 1u) << alpha.offset; /* opaque */
  return v;
}

static void fb_put(const fb_screen *s, uint32_t x, uint32_t y, uint32_t v) {
  uint8_t *p = s->mem + (size_t)y * s->line;
  switch (s->bpp) {
  case 32:
    ((uint32_t *)(void *)p)[x] = v;
    break;
  case 24:
    p += (size_t)x * 3u;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    break;
  default:
    ((uint16_t *)(void *)p)[x] = (uint16_t)v;
    break;
  }
}

static void fb_fill(const fb_screen *s, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                    uint32_t v) {
  for (uint32_t y = y0; y < y0 + h && y < s->yres; y++)
    for (uint32_t x = x0; x < x0 + w && x < s->xres; x++)
      fb_put(s, x, y, v);
}

/* Draws the w x h panel image, scaled and centered; only what changed since the last
 * frame of the same size is written. Returns the pixels written. */
static size_t fb_frame(fb_screen *s, const uint8_t *bits, uint16_t w, uint16_t h) {
  size_t written = 0;
  bool all = !s->shown || s->last_w != w || s->last_h != h;
  if (all) {
    fb_fill(s, 0, 0, s->xres, s->yres, s->paper);
    written += (size_t)s->xres * s->yres;
  }
  placement p = place(w, h, s->xres, s->yres);
  size_t stride = DFD_FB_STRIDE(w);
  if (p.w >= w) { /* whole multiples: one block per panel pixel */
    uint32_t k = p.w / w;
    for (uint32_t y = 0; y < h; y++)
      for (uint32_t x = 0; x < w; x++) {
        uint8_t mask = (uint8_t)(0x80u >> (x % 8));
        size_t i = y * stride + x / 8;
        int ink = (bits[i] & mask) != 0;
        if (!all && ((s->last[i] & mask) != 0) == ink)
          continue;
        if (all && !ink)
          continue; /* already paper */
        fb_fill(s, p.x + x * k, p.y + y * k, k, k, ink ? s->ink : s->paper);
        written += (size_t)k * k;
      }
  } else { /* shrunk: every screen pixel of the picture (a panel larger than the screen) */
    for (uint32_t y = 0; y < p.h; y++)
      for (uint32_t x = 0; x < p.w; x++) {
        fb_put(s, p.x + x, p.y + y, sample(bits, w, h, p.w, p.h, x, y) ? s->ink : s->paper);
        written++;
      }
  }
  memcpy(s->last, bits, DFD_FB_BYTES(w, h));
  s->last_w = w;
  s->last_h = h;
  s->shown = true;
  return written;
}

#if defined(__linux__)
typedef struct {
  int fd;
  void *map;
  size_t map_len;
  int console_fd;
} fb_device;

/* Opens and maps the framebuffer. Returns 0, or -1 with the reason in err. */
static int fb_open(fb_device *d, fb_screen *s, const kiosk_conf *c, char *err, size_t cap) {
  memset(d, 0, sizeof *d);
  d->fd = d->console_fd = -1;
  d->fd = open(c->fb_device, O_RDWR | O_CLOEXEC);
  if (d->fd < 0) {
    snprintf(err, cap, "%s: %s", c->fb_device, strerror(errno));
    return -1;
  }
  struct fb_var_screeninfo var;
  struct fb_fix_screeninfo fix;
  if (ioctl(d->fd, FBIOGET_VSCREENINFO, &var) != 0 ||
      ioctl(d->fd, FBIOGET_FSCREENINFO, &fix) != 0) {
    snprintf(err, cap, "%s: not a framebuffer: %s", c->fb_device, strerror(errno));
    close(d->fd);
    return -1;
  }
  if ((var.bits_per_pixel != 16 && var.bits_per_pixel != 24 && var.bits_per_pixel != 32) ||
      fix.type != FB_TYPE_PACKED_PIXELS || fix.visual != FB_VISUAL_TRUECOLOR) {
    snprintf(err, cap, "%s: %u bpp (type %u, visual %u): only 16, 24 and 32 bpp true colour",
             c->fb_device, var.bits_per_pixel, fix.type, fix.visual);
    close(d->fd);
    return -1;
  }
  size_t first =
      (size_t)var.yoffset * fix.line_length + (size_t)var.xoffset * (var.bits_per_pixel / 8);
  size_t need = first + (size_t)var.yres * fix.line_length;
  if (fix.smem_len < need) {
    snprintf(err, cap, "%s: %u bytes of video memory, the visible screen needs %zu", c->fb_device,
             fix.smem_len, need);
    close(d->fd);
    return -1;
  }
  d->map_len = fix.smem_len;
  d->map = mmap(NULL, d->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
  if (d->map == MAP_FAILED) {
    snprintf(err, cap, "%s: mmap: %s", c->fb_device, strerror(errno));
    close(d->fd);
    return -1;
  }
  fb_field r = {var.red.offset, var.red.length}, g = {var.green.offset, var.green.length},
           b = {var.blue.offset, var.blue.length}, a = {var.transp.offset, var.transp.length};
  s->mem = (uint8_t *)d->map + first;
  s->xres = var.xres;
  s->yres = var.yres;
  s->line = fix.line_length;
  s->bpp = var.bits_per_pixel;
  s->ink = fb_color(!c->light, r, g, b, a);
  s->paper = fb_color(c->light, r, g, b, a);
  s->shown = false;
  if (c->console[0]) { /* keep the console's text and cursor off the picture */
    d->console_fd = open(c->console, O_RDWR | O_CLOEXEC);
    if (d->console_fd < 0 || ioctl(d->console_fd, KDSETMODE, KD_GRAPHICS) != 0)
      fprintf(stderr, "dfdiff-kiosk: warning: %s: cannot switch to graphics mode: %s\n", c->console,
              strerror(errno));
  }
  return 0;
}

static void fb_close(fb_device *d, fb_screen *s) {
  if (d->map && d->map != MAP_FAILED) {
    fb_fill(s, 0, 0, s->xres, s->yres, 0); /* black */
    munmap(d->map, d->map_len);
  }
  if (d->fd >= 0)
    close(d->fd);
  if (d->console_fd >= 0) {
    ioctl(d->console_fd, KDSETMODE, KD_TEXT);
    close(d->console_fd);
  }
}
#endif

/* --- the program ------------------------------------------------------------------------- */

#ifndef DFD_KIOSK_NO_MAIN

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static const char usage[] =
    "usage: dfdiff-kiosk [--config FILE] [--output framebuffer|terminal] [--frames N]\n"
    "                    [--until-settled]\n"
    "Shows where a list of Datafold data diffs stand, full screen, one page per diff.\n"
    "\n"
    "  --config FILE     settings (default " KIOSK_DEFAULT_CONFIG ")\n"
    "  --output MODE     override the file's output: framebuffer or terminal\n"
    "  --frames N        exit after N screens (tests)\n"
    "  --until-settled   exit once every diff is finished or has failed for good\n"
    "The API key is read from the file named by api_key_file (first line), or from\n"
    "$DATAFOLD_API_KEY when api_key_file is empty.\n";

static int load_key(const char *path, char *key, size_t cap) {
  key[0] = '\0';
  if (!path[0]) {
    const char *env = getenv("DATAFOLD_API_KEY");
    if (!env || !*env || strlen(env) >= cap) {
      fprintf(stderr, "dfdiff-kiosk: no api_key_file and no usable $DATAFOLD_API_KEY\n");
      return -1;
    }
    memcpy(key, env, strlen(env) + 1);
    return 0;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "dfdiff-kiosk: api_key_file: cannot open '%s': %s\n", path, strerror(errno));
    return -1;
  }
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077))
    fprintf(stderr, "dfdiff-kiosk: warning: key file '%s' is readable by others (chmod 600 it)\n",
            path);
  size_t n = fread(key, 1, cap - 1, f);
  int more = fgetc(f);
  fclose(f);
  key[n] = '\0';
  key[strcspn(key, "\r\n")] = '\0';
  if (more != EOF && strlen(key) == cap - 1) {
    fprintf(stderr, "dfdiff-kiosk: the key in '%s' is too long\n", path);
    memset(key, 0, cap);
    return -1;
  }
  if (!key[0]) {
    fprintf(stderr, "dfdiff-kiosk: '%s' holds no key\n", path);
    return -1;
  }
  return 0;
}

/* What was last logged of a diff: a line is written when it changes. */
typedef struct {
  int64_t done_steps, total_steps;
  char status[DFD_ENUM_TEXT_MAX], result[DFD_ENUM_TEXT_MAX];
  int err;
  bool logged;
} logged_state;

/* One line on stderr (the journal) when a diff's answer or trouble changes. */
static void log_poll(const dfd_panel_diff *d, const dfd_get_info *info, logged_state *last) {
  const dfd_status *s = &d->status;
  int64_t done = s->progress.completed_steps.present ? s->progress.completed_steps.v : -1;
  int64_t total = s->progress.total_steps.present ? s->progress.total_steps.v : -1;
  if (d->err == DFD_OK && last->logged && last->err == DFD_OK &&
      strcmp(last->status, s->status_text) == 0 && strcmp(last->result, s->result_text) == 0 &&
      last->done_steps == done && last->total_steps == total)
    return;
  if (d->err != DFD_OK && last->logged && last->err == d->err)
    return;
  last->logged = true;
  last->err = d->err;
  if (d->err == DFD_OK) {
    memcpy(last->status, s->status_text, sizeof last->status);
    memcpy(last->result, s->result_text, sizeof last->result);
    last->done_steps = done;
    last->total_steps = total;
  }
  if (d->err == DFD_OK) {
    const dfd_status *st = &d->status;
    fprintf(stderr, "dfdiff-kiosk: diff %" PRId64 ": %s", d->id,
            st->status_text[0] ? st->status_text : "(no status)");
    if (st->result_text[0])
      fprintf(stderr, ", result %s", st->result_text);
    if (st->progress.completed_steps.present && st->progress.total_steps.present)
      fprintf(stderr, ", %" PRId64 "/%" PRId64 " steps", st->progress.completed_steps.v,
              st->progress.total_steps.v);
    fputc('\n', stderr);
    return;
  }
  fprintf(stderr, "dfdiff-kiosk: diff %" PRId64 ": %s", d->id, dfd_strerror(d->err));
  if (info->http_status && info->message[0]) {
    fputs(": ", stderr);
    for (const char *m = info->message; *m; m++) /* the server's words, control chars out */
      fputc((unsigned char)*m < 0x20 || *m == 0x7f ? '?' : *m, stderr);
  }
  if (d->next_ms == DFD_PANEL_NEVER)
    fputs(" (not retried)\n", stderr);
  else
    fputc('\n', stderr);
}

static bool settled(const dfd_panel *p) {
  for (uint16_t i = 0; i < p->count; i++)
    if (p->diffs[i].state != DFD_WATCH_FINISHED && p->diffs[i].state != DFD_WATCH_FAILED)
      return false;
  return true;
}

static uint8_t panel_bits[DFD_FB_BYTES(KIOSK_PANEL_MAX, KIOSK_PANEL_MAX)];
static uint8_t shown_bits[DFD_FB_BYTES(KIOSK_PANEL_MAX, KIOSK_PANEL_MAX)];

int main(int argc, char **argv) {
  const char *config = KIOSK_DEFAULT_CONFIG;
  int output_override = -1;
  long frames_max = 0;
  bool until_settled = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config = argv[++i];
    } else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc) {
      i++;
      if (strcmp(argv[i], "framebuffer") == 0 || strcmp(argv[i], "fb") == 0)
        output_override = OUT_FB;
      else if (strcmp(argv[i], "terminal") == 0)
        output_override = OUT_TERMINAL;
      else {
        fprintf(stderr, "dfdiff-kiosk: --output: '%s' is not framebuffer or terminal\n", argv[i]);
        return 4;
      }
    } else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc) {
      frames_max = strtol(argv[++i], NULL, 10);
      if (frames_max <= 0) {
        fprintf(stderr, "dfdiff-kiosk: --frames needs a count above 0\n");
        return 4;
      }
    } else if (strcmp(argv[i], "--until-settled") == 0) {
      until_settled = true;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return 0;
    } else {
      fprintf(stderr, "dfdiff-kiosk: unknown argument '%s' (try --help)\n", argv[i]);
      return 4;
    }
  }

  static kiosk_conf conf;
  char err[512];
  conf_defaults(&conf);
  if (conf_load(config, &conf, err, sizeof err) != 0) {
    fprintf(stderr, "dfdiff-kiosk: %s\n", err);
    return 4;
  }
  if (output_override >= 0)
    conf.output = (kiosk_output)output_override;
  int64_t ids[DFD_PANEL_MAX_DIFFS];
  int n = dfd_panel_parse_ids(conf.diffs, ids, DFD_PANEL_MAX_DIFFS);

  static char key[512];
  if (load_key(conf.key_file, key, sizeof key) != 0)
    return 4;

  static dfd_port port;
  static dfd_posix_trust trust;
  static dfd_client client;
  dfd_posix_port_init(&port, stderr, DFD_LOG_WARN);
  dfd_client_config cc;
  memset(&cc, 0, sizeof cc);
  cc.url = conf.url;
  cc.api_key = key;
  cc.timeout_ms = conf.request_timeout_ms;
  bool https = strncmp(conf.url, "https://", 8) == 0;
  if (https) {
    if (dfd_posix_trust_open(&trust, conf.ca_file[0] ? conf.ca_file : NULL) != DFD_OK) {
      fprintf(stderr, "dfdiff-kiosk: %s\n",
              conf.ca_file[0] ? "ca_file cannot be read or holds no PEM certificate"
                              : "no system CA bundle found (install ca-certificates)");
      return 4;
    }
    cc.trust = &trust.source;
  }
  int e = dfd_client_init(&client, &port, &cc);
  if (e != DFD_OK) {
    fprintf(stderr, "dfdiff-kiosk: url '%s': %s\n", conf.url, dfd_strerror(e));
    return 4;
  }

  /* the output */
  bool use_fb = false;
  static fb_screen screen;
  screen.last = shown_bits;
#if defined(__linux__)
  static fb_device fbdev;
  if (conf.output != OUT_TERMINAL) {
    if (fb_open(&fbdev, &screen, &conf, err, sizeof err) == 0)
      use_fb = true;
    else if (conf.output == OUT_FB) {
      fprintf(stderr, "dfdiff-kiosk: %s\n", err);
      return 4;
    } else
      fprintf(stderr, "dfdiff-kiosk: no framebuffer (%s): drawing in the terminal\n", err);
  }
#else
  if (conf.output == OUT_FB) {
    fprintf(stderr, "dfdiff-kiosk: the framebuffer output needs Linux\n");
    return 4;
  }
#endif
  if (!use_fb)
    fputs("\033[?1049h\033[?25l\033[2J", stdout); /* alternate screen, no cursor */

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a sleep ends at once */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  static dfd_panel panel;
  static dfd_render_qr_work qr;
  dfd_panel_config pc = dfd_panel_defaults();
  pc.poll.interval_ms = conf.interval_ms;
  pc.poll.max_interval_ms = conf.max_interval_ms;
  pc.page_ms = conf.page_ms;
  pc.retry_failed_ms = conf.retry_failed_ms;
  pc.host = conf.qr ? conf.url : NULL;
  dfd_panel_init(&panel, &client, ids, (size_t)n, &pc);
  fprintf(stderr, "dfdiff-kiosk: %d diff%s from %s, %s output\n", n, n == 1 ? "" : "s", conf.url,
          use_fb ? "framebuffer" : "terminal");

  uint32_t seen_polls[DFD_PANEL_MAX_DIFFS] = {0};
  static logged_state logged[DFD_PANEL_MAX_DIFFS];
  uint64_t last_draw = 0;
  bool drawn = false;
  long frames = 0;
  uint16_t last_w = 0, last_h = 0;
  int last_cols = 0, last_rows = 0;
  while (!stop_signal) {
    uint32_t wait = 0;
    bool changed = dfd_panel_step(&panel, &wait);
    if (stop_signal)
      break;
    for (uint16_t i = 0; i < panel.count; i++)
      if (panel.diffs[i].polls != seen_polls[i]) {
        seen_polls[i] = panel.diffs[i].polls;
        log_poll(&panel.diffs[i], &panel.info, &logged[i]);
      }
    uint64_t now = port.now_ms(port.ctx);
    if (changed || !drawn || now - last_draw >= 1000) {
      uint16_t w = conf.panel_w, h = conf.panel_h;
      int cols = 0, rows = 0;
      if (!use_fb) {
        term_size(STDOUT_FILENO, &cols, &rows);
        if (w == 0) { /* auto: the window, two pixels per cell */
          w = (uint16_t)(cols > KIOSK_PANEL_MAX ? KIOSK_PANEL_MAX : cols);
          h = (uint16_t)(rows * 2 > KIOSK_PANEL_MAX ? KIOSK_PANEL_MAX : rows * 2);
        }
      } else if (w == 0) {
        w = 296;
        h = 128;
      }
      dfd_fb fb = {panel_bits, w, h};
      dfd_panel_draw(&panel, &fb, conf.qr ? &qr : NULL, (int64_t)time(NULL));
      if (use_fb) {
        fb_frame(&screen, panel_bits, w, h);
      } else if (!drawn || w != last_w || h != last_h || cols != last_cols || rows != last_rows ||
                 memcmp(panel_bits, shown_bits, DFD_FB_BYTES(w, h)) != 0) {
        term_frame(stdout, panel_bits, w, h, cols, rows, conf.light);
        memcpy(shown_bits, panel_bits, DFD_FB_BYTES(w, h));
      }
      last_w = w;
      last_h = h;
      last_cols = cols;
      last_rows = rows;
      last_draw = now;
      drawn = true;
      frames++;
      if (frames_max && frames >= frames_max)
        break;
    }
    if (until_settled && settled(&panel))
      break;
    uint32_t to_redraw = 1000 - (uint32_t)(now - last_draw < 1000 ? now - last_draw : 1000);
    uint32_t nap = wait < to_redraw ? wait : to_redraw;
    if (nap > 0)
      port.sleep_ms(port.ctx, nap);
  }

  if (!use_fb)
    fputs("\033[0m\033[?25h\033[?1049l", stdout);
#if defined(__linux__)
  if (use_fb)
    fb_close(&fbdev, &screen);
#endif
  fflush(stdout);
  dfd_client_close(&client); /* TLS close_notify */
  dfd_client_free(&client);
  memset(key, 0, sizeof key);
  if (https)
    dfd_posix_trust_close(&trust);
  if (stop_signal)
    fprintf(stderr, "dfdiff-kiosk: stopped (%s)\n", stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
  return 0;
}

#endif /* DFD_KIOSK_NO_MAIN */
