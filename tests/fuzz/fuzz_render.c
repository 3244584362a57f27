/* The status display (src/render/): any record, any panel size, any inputs.
 *
 * Input, read front to back (missing bytes are 0): width and height (2 bytes each, taken
 * 1 + v % 480 and 1 + v % 320), a flags byte (bit 0: no status, bit 1: no QR scratch,
 * bit 2: no host, bit 3: draw twice), id, age_s, elapsed_s (8 bytes each), trouble (4 bytes, any
 * value), page, pages (2 each), tick (4), the host (a length byte, then its bytes), then the record
 * field by field: integers and doubles as raw bits (NaN, infinities, extremes), enums as
 * any 32-bit value, booleans from one bit, strings as a length byte and bytes (longer than
 * the field: the whole array, without a NUL).
 * Checks: DFD_OK; no write outside the framebuffer (it ends the buffer, so ASan sees an
 * overrun; the bytes before it are a canary); the row padding bits stay 0; the picture
 * does not depend on what the buffer held before (bit 3); dfd_render_overview_url returns the
 * length of a terminated URL that fits, or 0. */
#include "dfd_err.h"
#include "fuzz.h"
#include "render/render.h"

#define W_MAX 480
#define H_MAX 320
#define CANARY 64

typedef struct {
  const uint8_t *p;
  size_t n;
} input;

static void take(input *in, void *out, size_t k) {
  uint8_t *o = out;
  for (size_t i = 0; i < k; i++) {
    o[i] = in->n ? *in->p : 0;
    if (in->n) {
      in->p++;
      in->n--;
    }
  }
}

static uint64_t take_u(input *in, size_t k) {
  uint8_t b[8] = {0};
  uint64_t v = 0;
  take(in, b, k);
  for (size_t i = 0; i < k; i++)
    v |= (uint64_t)b[i] << (8 * i);
  return v;
}

static bool take_bool(input *in) { return take_u(in, 1) & 1; }

static void take_str(input *in, char *s, size_t cap, bool *present, bool *truncated) {
  size_t len = (size_t)take_u(in, 1);
  memset(s, 0, cap);
  take(in, s, len < cap ? len : cap);
  if (present)
    *present = take_bool(in);
  if (truncated)
    *truncated = take_bool(in);
}

#define TAKE_INT(f)                                                                                \
  do {                                                                                             \
    (f).present = take_bool(&in);                                                                  \
    (f).v = (int64_t)take_u(&in, 8);                                                               \
  } while (0)
#define TAKE_NUM(f)                                                                                \
  do {                                                                                             \
    (f).present = take_bool(&in);                                                                  \
    (f).is_int = take_bool(&in);                                                                   \
    (f).i = (int64_t)take_u(&in, 8);                                                               \
    take(&in, &(f).d, 8);                                                                          \
  } while (0)
#define TAKE_STR(f) take_str(&in, (f).s, sizeof(f).s, &(f).present, &(f).truncated)

static uint8_t mem[CANARY + DFD_FB_BYTES(W_MAX, H_MAX)];
static uint8_t first[DFD_FB_BYTES(W_MAX, H_MAX)];
static dfd_status st;
static dfd_render_qr_work qr;
static char host[257];
static char url[300];

FUZZ_TARGET(render) {
  input in = {data, size};
  uint16_t w = (uint16_t)(1 + take_u(&in, 2) % W_MAX);
  uint16_t h = (uint16_t)(1 + take_u(&in, 2) % H_MAX);
  uint8_t flags = (uint8_t)take_u(&in, 1);
  dfd_render_input ri;
  memset(&ri, 0, sizeof ri);
  ri.id = (int64_t)take_u(&in, 8);
  ri.age_s = (int64_t)take_u(&in, 8);
  ri.elapsed_s = (int64_t)take_u(&in, 8);
  ri.trouble = (dfd_render_trouble)take_u(&in, 4);
  ri.page = (uint16_t)take_u(&in, 2);
  ri.pages = (uint16_t)take_u(&in, 2);
  ri.tick = (uint32_t)take_u(&in, 4);
  size_t hl = (size_t)take_u(&in, 1);
  memset(host, 0, sizeof host);
  take(&in, host, hl);

  memset(&st, 0, sizeof st);
  TAKE_INT(st.id);
  st.status = (dfd_job_status)take_u(&in, 4);
  take_str(&in, st.status_text, sizeof st.status_text, NULL, NULL);
  st.done.present = take_bool(&in);
  st.done.v = take_bool(&in);
  st.result = (dfd_result)take_u(&in, 4);
  take_str(&in, st.result_text, sizeof st.result_text, NULL, NULL);
  TAKE_STR(st.kind);
  TAKE_NUM(st.runtime);
  TAKE_STR(st.created_at);
  TAKE_STR(st.finished_at);
  TAKE_STR(st.table1);
  TAKE_STR(st.table2);
  TAKE_INT(st.progress.completed_steps);
  TAKE_INT(st.progress.total_steps);
  st.stats.present = take_bool(&in);
  TAKE_INT(st.stats.rows_added);
  TAKE_INT(st.stats.rows_removed);
  TAKE_INT(st.stats.diff_rows_count);
  TAKE_INT(st.stats.table_a_row_count);
  TAKE_INT(st.stats.table_b_row_count);
  TAKE_INT(st.stats.errors);
  TAKE_NUM(st.stats.match_ratio);
  TAKE_NUM(st.stats.diff_pks);
  TAKE_NUM(st.stats.diff_values);
  TAKE_NUM(st.stats.diff_schema);
  TAKE_NUM(st.stats.diff_duplicate_pks);
  TAKE_NUM(st.stats.diff_null_pks);
  st.stats.sampled.present = take_bool(&in);
  st.stats.sampled.v = take_bool(&in);
  st.monitor_error.present = take_bool(&in);
  TAKE_STR(st.monitor_error.type);
  TAKE_STR(st.monitor_error.value);
  TAKE_STR(st.error_title);
  TAKE_STR(st.error_detail);
  st.member_truncated = take_bool(&in);

  ri.status = flags & 1 ? NULL : &st;
  ri.qr = flags & 2 ? NULL : &qr;
  ri.host = flags & 4 ? NULL : host;

  /* the framebuffer ends the static array: an overrun is ASan's global-buffer-overflow */
  size_t bytes = DFD_FB_BYTES(w, h), stride = DFD_FB_STRIDE(w);
  uint8_t *bits = mem + sizeof mem - bytes;
  dfd_fb fb = {bits, w, h};
  memset(mem, 0xA5, sizeof mem);
  int rc = dfd_render_status(&fb, &ri);
  FUZZ_CHECK(rc == DFD_OK, "dfd_render_status %d at %ux%u", rc, w, h);
  for (size_t i = 0; i < (size_t)(bits - mem); i++)
    FUZZ_CHECK(mem[i] == 0xA5, "byte %zu before the framebuffer written (%ux%u)",
               (size_t)(bits - mem) - i, w, h);
  if (w % 8)
    for (size_t y = 0; y < h; y++)
      FUZZ_CHECK((bits[y * stride + stride - 1] & (0xFFu >> (w % 8))) == 0,
                 "padding bits of row %zu set (%ux%u)", y, w, h);
  for (int k = 0; k < 3; k++) {
    int x = (int)(ri.tick % (w + 2u)) - 1 + k, y = (int)(ri.page % (h + 2u)) - 1;
    int v = dfd_fb_get(&fb, x, y);
    FUZZ_CHECK(v == 0 || v == 1, "dfd_fb_get(%d, %d) = %d", x, y, v);
    if (x < 0 || y < 0 || x >= w || y >= h)
      FUZZ_CHECK(v == 0, "ink outside the framebuffer at (%d, %d)", x, y);
  }
  if (flags & 8) { /* the same picture over a buffer that held something else */
    memcpy(first, bits, bytes);
    memset(mem, 0x00, sizeof mem);
    rc = dfd_render_status(&fb, &ri);
    FUZZ_CHECK(rc == DFD_OK && memcmp(first, bits, bytes) == 0,
               "a second draw over a different buffer differs (%ux%u)", w, h);
  }

  size_t cap = 1 + (size_t)(ri.tick % sizeof url);
  memset(url, 0x5A, sizeof url);
  size_t n = dfd_render_overview_url(url, cap, ri.host, ri.id);
  FUZZ_CHECK(n < cap && (n == 0 || strlen(url) == n), "overview URL length %zu in %zu bytes", n,
             cap);
  for (size_t i = cap; i < sizeof url; i++)
    FUZZ_CHECK(url[i] == 0x5A, "overview URL written past its %zu bytes", cap);
  return 0;
}
