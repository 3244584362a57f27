/* The status display: draws where a data diff stands into a 1-bit framebuffer, for small
 * monochrome panels (SSD1306/SH1106 OLEDs, e-paper). Portable, no malloc, no stdio.
 *
 * Framebuffer layout (the same bytes as the pixel data of a binary PBM, P4):
 *   - row-major, rows top to bottom; stride = (width + 7) / 8 bytes per row;
 *   - 1 bit per pixel, the most significant bit of each byte the leftmost pixel;
 *   - 1 = ink (a lit OLED pixel, a black e-paper pixel), 0 = background;
 *   - the padding bits at the end of each row are left 0.
 * SSD1306-style controllers want 8-pixel vertical "pages" instead: the board converts
 * (or sends rows through a controller mode that takes them).
 *
 * Layouts: the screen adapts to the panel. Below 200x96 (128x64 OLEDs) a compact one: an
 * inverted header with the id, data age and page, the two tables, the status in 2x type
 * with its 16x16 icon, then one or two lines of progress or stats. From 200x96 (296x128
 * and 250x122 e-paper) the same blocks with more lines and, where a column of about 2/5
 * of the width is left, a QR code of the diff's overview page on the right. Any size
 * works, down to 1x1: what does not fit is left out, and nothing is drawn outside the
 * buffer.
 */
#ifndef DFD_RENDER_H
#define DFD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfd_status.h"

/* A 1-bit framebuffer (layout above). bits holds DFD_FB_BYTES(width, height) bytes. */
typedef struct {
  uint8_t *bits;
  uint16_t width, height;
} dfd_fb;

#define DFD_FB_STRIDE(w) (((size_t)(w) + 7u) / 8u)
#define DFD_FB_BYTES(w, h) (DFD_FB_STRIDE(w) * (size_t)(h))

/** Sets every pixel of fb to 0 (background). Does nothing when fb or fb->bits is NULL. */
void dfd_fb_clear(dfd_fb *fb);

/** Pixel (x, y): 1 ink, 0 background; 0 outside the framebuffer. */
int dfd_fb_get(const dfd_fb *fb, int x, int y);

/* The client's own trouble, distinct from the diff's state: a board shows it next to the
 * last status it knows ("no network" while the last answer said "processing 3/9"). */
typedef enum {
  DFD_TROUBLE_NONE = 0,
  DFD_TROUBLE_NO_NETWORK,   /* DNS, connect, timeouts, resets, proxy: "no network" */
  DFD_TROUBLE_TLS,          /* TLS handshake or certificate verification failed */
  DFD_TROUBLE_KEY_REJECTED, /* HTTP 401 or 403: "key rejected" */
  DFD_TROUBLE_NOT_FOUND,    /* HTTP 404: "diff not found" */
  DFD_TROUBLE_SERVER,       /* 422, 429, 5xx, redirects, other HTTP statuses */
  DFD_TROUBLE_BAD_RESPONSE, /* a response that is not the expected HTTP or JSON */
  DFD_TROUBLE_SETUP,        /* configuration: no key, bad URL, unreadable CA file */
  DFD_TROUBLE_COUNT         /* any value from here on is drawn as a generic "error" */
} dfd_render_trouble;

/** The trouble a dfd_err code means (DFD_OK gives DFD_TROUBLE_NONE; unknown codes
 *  DFD_TROUBLE_BAD_RESPONSE). */
dfd_render_trouble dfd_render_trouble_for_err(int err);

/** A short English name of a trouble ("no network", "key rejected"...); never NULL. */
const char *dfd_render_trouble_name(dfd_render_trouble t);

/* The QR code of the overview page: {host}/datadiffs/{id}/overview, byte mode, error
 * correction L (raised when it costs no size), versions 1 to DFD_RENDER_QR_VERSION_MAX.
 * Version 6 (41x41 modules) holds 134 bytes: a host of up to about 95 characters with a
 * 19-digit id. A URL longer than that leaves the QR code out. */
#ifndef DFD_RENDER_QR_VERSION_MAX
#define DFD_RENDER_QR_VERSION_MAX 6
#endif
#define DFD_RENDER_QR_BUF                                                                          \
  (((DFD_RENDER_QR_VERSION_MAX * 4 + 17) * (DFD_RENDER_QR_VERSION_MAX * 4 + 17) + 7) / 8 + 1)
/* Scratch memory for the QR code, provided by the caller (static or on its stack):
 * 2 * DFD_RENDER_QR_BUF bytes, 424 with the default version limit. */
typedef struct {
  uint8_t temp[DFD_RENDER_QR_BUF]; /* the URL, then qrcodegen's working space */
  uint8_t code[DFD_RENDER_QR_BUF]; /* the encoded symbol */
} dfd_render_qr_work;

typedef struct {
  /* The last status read (NULL before the first answer). Its strings are read within
   * their arrays even when a NUL is missing; unknown enum values are drawn as unknown. */
  const dfd_status *status;
  /* The diff id, shown when the status has none (NULL status, error body); <0: unknown. */
  int64_t id;
  /* Where the QR code points: the base URL of the Datafold app ("https://app.datafold.com";
   * a bare host name is taken as https; a trailing '/' is dropped). NULL: no QR code. */
  const char *host;
  /* Scratch memory for the QR code; NULL: no QR code. */
  dfd_render_qr_work *qr;
  /* The client's trouble with the last poll (DFD_TROUBLE_NONE when it succeeded). */
  dfd_render_trouble trouble;
  /* Seconds since the status was read ("updated 12 s ago"); <0, or no status: not shown. */
  int64_t age_s;
  /* Seconds the diff has been running, for statuses that are not terminal (from its
   * created_at, or since the board started watching); <0: not shown. A terminal status
   * shows its own runtime instead. */
  int64_t elapsed_s;
  /* Page indicator when a panel rotates several diffs: page is 0-based; pages <= 1
   * shows none. Up to 6 pages as dots, more as "page/pages". */
  uint16_t page, pages;
  /* Animation frame counter (any value; the caller increments it once per redraw):
   * drives the indeterminate progress bar when the step totals are unknown. */
  uint32_t tick;
} dfd_render_input;

/** Draws the whole screen for `in` into fb: fb is cleared first, then every pixel is
 *  written inside the buffer only, whatever the size (1x1 and up) and whatever the
 *  record holds (any bytes in strings, any numbers, out-of-range enums).
 *  Shown (as space allows): the diff id, the two tables (middle elided, the table name
 *  kept), the status with an icon, a progress bar from completed/total steps (an animated
 *  stripe when the totals are unknown), once done the result in large type with rows
 *  +added/-removed, the match percentage and rows compared, the error of a failed diff,
 *  elapsed time or runtime, the data's age, the trouble, the page indicator and the QR code.
 *  Returns DFD_OK, or DFD_E_ARG when fb, fb->bits or in is NULL (nothing drawn) or the
 *  framebuffer is 0 pixels wide or high. Uses no heap, no static data, and at most
 *  1.7 KB of stack on a Cortex-M4 (tests/render/README.md). */
int dfd_render_status(dfd_fb *fb, const dfd_render_input *in);

/** Writes the overview URL for diff `id` on `host` into buf (NUL-terminated).
 *  Returns its length, or 0 when host is NULL or empty, id < 0, or the URL needs more than
 *  cap - 1 bytes. */
size_t dfd_render_overview_url(char *buf, size_t cap, const char *host, int64_t id);

#endif
