/* The status display renderer: golden images of every state on each panel size, random
 * records on random panel sizes inside guard bytes, and its small parts (UTF-8, number
 * formats, trouble mapping, the overview URL).
 *
 * UPDATE_GOLDEN=1 build/tests/test_render rewrites tests/render/golden/ (see
 * tests/render/README.md). Run from the repository root, like every test. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfd_err.h"
#include "extract.h"
#include "render/draw.h"
#include "render/fmt.h"
#include "render/font.h"
#include "render/render.h"
#include "test.h"

#define GOLDEN_DIR "tests/render/golden"
#define FIXTURES "tests/fixtures"
#define HOST "https://app.datafold.com"

static const struct { uint16_t w, h; } panels[] = {{128, 64}, {296, 128}, {250, 122}};

static uint8_t fb_bits[DFD_FB_BYTES(400, 300)];
static dfd_render_qr_work qr_work;

/* --- fixtures ------------------------------------------------------------------------- */

static dfd_status fixture_status;

/* Reads tests/fixtures/NAME.json through the extractor into fixture_status. */
static const dfd_status *load_fixture(const char *name) {
  static dfd_extract x;
  static unsigned char chunk[1024];
  char path[256];
  snprintf(path, sizeof path, FIXTURES "/%s.json", name);
  FILE *f = fopen(path, "rb");
  CHECKF(f != NULL, "cannot open %s (run from the repository root)", path);
  if (!f)
    return NULL;
  dfd_extract_init(&x, &fixture_status);
  int err = DFD_OK;
  size_t n;
  while (err == DFD_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    err = dfd_extract_feed(&x, chunk, n);
  fclose(f);
  if (err == DFD_OK)
    err = dfd_extract_finish(&x);
  CHECKF(err == DFD_OK, "%s: %s", path, dfd_strerror(err));
  return err == DFD_OK ? &fixture_status : NULL;
}

static void set_table(dfd_str_table *t, const char *s) {
  t->present = true;
  t->truncated = false;
  snprintf(t->s, sizeof t->s, "%s", s);
}

/* --- PBM ------------------------------------------------------------------------------ */

static bool write_pbm(const char *path, const dfd_fb *fb) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return false;
  fprintf(f, "P4\n%u %u\n", (unsigned)fb->width, (unsigned)fb->height);
  size_t n = DFD_FB_BYTES(fb->width, fb->height);
  bool ok = fwrite(fb->bits, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* Reads a P4 file written by write_pbm into bits (cap bytes); returns the byte count or
 * -1, and the size in *w, *h. */
static long read_pbm(const char *path, uint8_t *bits, size_t cap, unsigned *w, unsigned *h) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  long n = -1;
  if (fscanf(f, "P4 %u %u", w, h) == 2 && fgetc(f) != EOF) {
    size_t want = DFD_FB_BYTES(*w, *h);
    if (want <= cap && fread(bits, 1, want, f) == want && fgetc(f) == EOF)
      n = (long)want;
  }
  fclose(f);
  return n;
}

/* --- golden images -------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *fixture; /* NULL: no status (before the first answer) */
  dfd_render_trouble trouble;
  int64_t age_s, elapsed_s;
  uint16_t page, pages;
  void (*tweak)(dfd_status *st);
} golden_case;

static void tweak_unknown_total(dfd_status *st) { st->progress.total_steps.present = false; }

static void tweak_long_tables(dfd_status *st) {
  set_table(&st->table1, "WAREHOUSE_PRODUCTION_EU_WEST.ANALYTICS_MARTS_FINANCE."
                         "fct_orders_enriched_with_customer_lifetime_value_daily");
  set_table(&st->table2, "WAREHOUSE_PRODUCTION_EU_WEST.DBT_CI_PR_14231_A1B2C3D4."
                         "fct_orders_enriched_with_customer_lifetime_value_daily");
}

static const golden_case golden[] = {
    {"loading", NULL, DFD_TROUBLE_NONE, -1, -1, 0, 0, NULL},
    {"waiting", "status-waiting", DFD_TROUBLE_NONE, 3, 41, 0, 0, NULL},
    {"processing", "status-processing", DFD_TROUBLE_NONE, 12, 151, 0, 2, NULL},
    {"processing-no-total", "status-processing", DFD_TROUBLE_NONE, 5, 3700, 0, 0,
     tweak_unknown_total},
    {"done-identical", "status-done-identical", DFD_TROUBLE_NONE, 40, -1, 0, 0, NULL},
    {"done-different", "result-different", DFD_TROUBLE_NONE, 12, -1, 1, 3, NULL},
    {"failed", "status-failed", DFD_TROUBLE_NONE, 7, -1, 11, 12, NULL},
    {"cancelled", "status-cancelled", DFD_TROUBLE_NONE, 95, -1, 0, 0, NULL},
    {"no-network", "status-processing", DFD_TROUBLE_NO_NETWORK, 320, 480, 0, 0, NULL},
    {"no-network-first", NULL, DFD_TROUBLE_NO_NETWORK, -1, -1, 0, 0, NULL},
    {"key-rejected", NULL, DFD_TROUBLE_KEY_REJECTED, -1, -1, 0, 0, NULL},
    {"tls-error", "result-different", DFD_TROUBLE_TLS, 7200, -1, 0, 0, NULL},
    {"unknown-status", "status-unknown-queued", DFD_TROUBLE_NONE, 2, 10, 0, 0, NULL},
    {"long-tables", "result-different", DFD_TROUBLE_NONE, 12, -1, 0, 0, tweak_long_tables},
    {"long-tables-cut", "long-table-names-3-4byte", DFD_TROUBLE_NONE, 12, -1, 0, 0, NULL},
    {"unicode-tables", "unicode-table-names", DFD_TROUBLE_NONE, 12, -1, 0, 0, NULL},
    {"big-counts", "numbers-int64-limits", DFD_TROUBLE_NONE, 86400 * 3, -1, 0, 0, NULL},
    {"big-counts-realistic", "realistic-big-counts", DFD_TROUBLE_NONE, 59, -1, 0, 0, NULL},
};

static bool update_golden(void) {
  const char *u = getenv("UPDATE_GOLDEN");
  return u && *u && strcmp(u, "0") != 0;
}

static void render_case(const golden_case *gc, dfd_fb *fb) {
  static dfd_status st;
  const dfd_status *sp = NULL;
  if (gc->fixture) {
    const dfd_status *loaded = load_fixture(gc->fixture);
    if (loaded) {
      st = *loaded;
      if (gc->tweak)
        gc->tweak(&st);
      sp = &st;
    }
  }
  dfd_render_input in = {sp,        81234,         HOST,     &qr_work,  gc->trouble,
                         gc->age_s, gc->elapsed_s, gc->page, gc->pages, 0};
  CHECK(dfd_render_status(fb, &in) == DFD_OK);
}

static void golden_images(void) {
  static uint8_t want[DFD_FB_BYTES(400, 300)];
  int written = 0;
  for (size_t p = 0; p < sizeof panels / sizeof panels[0]; p++) {
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
      dfd_fb fb = {fb_bits, panels[p].w, panels[p].h};
      render_case(&golden[i], &fb);
      char path[256];
      snprintf(path, sizeof path, GOLDEN_DIR "/%s-%ux%u.pbm", golden[i].name, (unsigned)fb.width,
               (unsigned)fb.height);
      if (update_golden()) {
        CHECKF(write_pbm(path, &fb), "cannot write %s", path);
        written++;
        continue;
      }
      unsigned w = 0, h = 0;
      long n = read_pbm(path, want, sizeof want, &w, &h);
      CHECKF(n >= 0, "%s missing or unreadable (UPDATE_GOLDEN=1 writes it)", path);
      if (n < 0)
        continue;
      CHECKF(w == fb.width && h == fb.height, "%s is %ux%u", path, w, h);
      bool same = w == fb.width && h == fb.height &&
                  memcmp(want, fb.bits, DFD_FB_BYTES(fb.width, fb.height)) == 0;
      if (!same) {
        char got[300];
        snprintf(got, sizeof got, "/tmp/test_render-%s-%ux%u.pbm", golden[i].name,
                 (unsigned)fb.width, (unsigned)fb.height);
        write_pbm(got, &fb);
        CHECKF(same, "%s differs: got %s", path, got);
      }
    }
  }
  if (update_golden())
    printf("# wrote %d golden images in " GOLDEN_DIR "\n", written);
}

/* The screens say what they should: spot checks that do not depend on pixels. */
static void golden_images_not_blank(void) {
  for (size_t p = 0; p < sizeof panels / sizeof panels[0]; p++) {
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
      dfd_fb fb = {fb_bits, panels[p].w, panels[p].h};
      render_case(&golden[i], &fb);
      size_t ink = 0;
      for (int y = 0; y < fb.height; y++)
        for (int x = 0; x < fb.width; x++)
          ink += (size_t)dfd_fb_get(&fb, x, y);
      size_t total = (size_t)fb.width * fb.height;
      CHECKF(ink > total / 20 && ink < total * 3 / 4, "%s on %ux%u: %zu of %zu pixels inked",
             golden[i].name, (unsigned)fb.width, (unsigned)fb.height, ink, total);
    }
  }
}

/* The QR code appears on the wide panels only, and only with a host and scratch memory. */
static size_t ink_in(const dfd_fb *fb, int x0, int y0, int x1, int y1) {
  size_t n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      n += (size_t)dfd_fb_get(fb, x, y);
  return n;
}

static void qr_only_where_room(void) {
  const dfd_status *st = load_fixture("result-different");
  if (!st)
    return;
  for (size_t p = 0; p < sizeof panels / sizeof panels[0]; p++) {
    dfd_fb fb = {fb_bits, panels[p].w, panels[p].h};
    dfd_render_input in = {st, -1, HOST, &qr_work, DFD_TROUBLE_NONE, 5, -1, 0, 0, 0};
    dfd_render_status(&fb, &in);
    int qx = fb.width * 3 / 5 + 4;
    size_t with = ink_in(&fb, qx, 20, fb.width, fb.height);
    in.qr = NULL;
    dfd_render_status(&fb, &in);
    size_t without = ink_in(&fb, qx, 20, fb.width, fb.height);
    if (fb.width >= 250)
      CHECKF(with > without + 500, "%ux%u: QR adds %zu inked pixels", (unsigned)fb.width,
             (unsigned)fb.height, with - without);
    else
      CHECKF(with == without, "%ux%u: a QR code on a compact panel", (unsigned)fb.width,
             (unsigned)fb.height);
  }
}

/* --- random records in guarded buffers ------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t rnd64(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static uint32_t rnd(uint32_t n) { return n ? (uint32_t)(rnd64() % n) : 0; }

static int64_t rnd_i64(void) {
  static const int64_t special[] = {0,
                                    1,
                                    -1,
                                    9,
                                    10,
                                    41,
                                    1000,
                                    99999,
                                    1048576,
                                    2147483647,
                                    4294967296,
                                    INT64_MAX,
                                    INT64_MIN,
                                    INT64_MAX - 1,
                                    INT64_MIN + 1,
                                    9223372036854775807 / 3};
  switch (rnd(4)) {
  case 0:
    return special[rnd(sizeof special / sizeof special[0])];
  case 1:
    return (int64_t)rnd64();
  case 2:
    return (int64_t)rnd(100000) - 100;
  default:
    return (int64_t)(rnd64() >> rnd(64));
  }
}

static double rnd_double(void) {
  static const double special[] = {
      0.0,    -0.0,   1.0,    0.5,     0.9987404, 0.99999999997, 1.0000001,  -1.0, 1e308,
      -1e308, 5e-324, 9.3e18, -9.3e18, 86399.999, 2.5,           153.497526, 1e-7};
  switch (rnd(5)) {
  case 0:
    return special[rnd(sizeof special / sizeof special[0])];
  case 1:
    return NAN;
  case 2:
    return rnd(2) ? INFINITY : -INFINITY;
  case 3: {
    uint64_t bits = rnd64();
    double d;
    memcpy(&d, &bits, sizeof d); /* any bit pattern, NaN payloads included */
    return d;
  }
  default:
    return (double)rnd(1000000) / 1000.0;
  }
}

/* A string of random length and bytes: ASCII, UTF-8 (valid and not), control characters;
 * NUL-terminated within cap, or sometimes filling the whole array without a NUL. */
static void rnd_str(char *s, size_t cap) {
  static const char *const pieces[] = {"a",
                                       "Z",
                                       "_",
                                       ".",
                                       " ",
                                       "0",
                                       "\xC3\xA9",
                                       "\xE4\xB8\xAD",
                                       "\xF0\x9F\x9A\x80",
                                       "\xE2\x80\xA6",
                                       "\n",
                                       "\t",
                                       "\x01",
                                       "\x7F",
                                       "\xC2\x85",
                                       "\xFF",
                                       "\xC0\x80",
                                       "\xED\xA0\x80",
                                       "\xF4\x90\x80\x80",
                                       "\xE4\xB8",
                                       "\x80",
                                       "%s",
                                       "\x1B[31m"};
  size_t n = rnd(4) == 0 ? cap : rnd((uint32_t)cap);
  size_t i = 0;
  while (i < n) {
    if (rnd(3) == 0) {
      s[i++] = (char)(1 + rnd(255));
      continue;
    }
    const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
    while (*p && i < n)
      s[i++] = *p++;
  }
  if (n < cap)
    s[n] = '\0';
}

#define RND_STR(field)                                                                             \
  do {                                                                                             \
    (field).present = rnd(5) != 0;                                                                 \
    (field).truncated = rnd(4) == 0;                                                               \
    rnd_str((field).s, sizeof(field).s);                                                           \
  } while (0)

static void rnd_int(dfd_int *v) {
  v->present = rnd(5) != 0;
  v->v = rnd_i64();
}

static void rnd_num(dfd_num *v) {
  v->present = rnd(5) != 0;
  v->is_int = rnd(2) != 0;
  v->i = rnd_i64();
  v->d = v->is_int && rnd(2) ? (double)v->i : rnd_double();
}

static void random_status(dfd_status *st) {
  memset(st, 0, sizeof *st);
  rnd_int(&st->id);
  st->status = (dfd_job_status)((int)rnd(14) - 2);
  rnd_str(st->status_text, sizeof st->status_text);
  st->done.present = rnd(2) != 0;
  st->done.v = rnd(2) != 0;
  st->result = (dfd_result)((int)rnd(13) - 2);
  rnd_str(st->result_text, sizeof st->result_text);
  RND_STR(st->kind);
  rnd_num(&st->runtime);
  RND_STR(st->created_at);
  RND_STR(st->finished_at);
  RND_STR(st->table1);
  RND_STR(st->table2);
  rnd_int(&st->progress.completed_steps);
  rnd_int(&st->progress.total_steps);
  st->stats.present = rnd(4) != 0;
  rnd_int(&st->stats.rows_added);
  rnd_int(&st->stats.rows_removed);
  rnd_int(&st->stats.diff_rows_count);
  rnd_int(&st->stats.table_a_row_count);
  rnd_int(&st->stats.table_b_row_count);
  rnd_int(&st->stats.errors);
  rnd_num(&st->stats.match_ratio);
  rnd_num(&st->stats.diff_pks);
  rnd_num(&st->stats.diff_values);
  rnd_num(&st->stats.diff_schema);
  rnd_num(&st->stats.diff_duplicate_pks);
  rnd_num(&st->stats.diff_null_pks);
  st->stats.sampled.present = rnd(2) != 0;
  st->stats.sampled.v = rnd(2) != 0;
  st->monitor_error.present = rnd(3) == 0;
  RND_STR(st->monitor_error.type);
  RND_STR(st->monitor_error.value);
  RND_STR(st->error_title);
  RND_STR(st->error_detail);
  st->member_truncated = rnd(2) != 0;
}

#define GUARD 64
static uint8_t arena[GUARD + DFD_FB_BYTES(400, 300) + GUARD];

static void random_records_stay_inside(void) {
  static dfd_status st;
  static char host[300];
  const int iterations = 6000;
  int bad_guard = 0, bad_pad = 0, bad_ret = 0, qr_drawn = 0;
  for (int it = 0; it < iterations; it++) {
    uint16_t w, h;
    switch (rnd(4)) {
    case 0: /* tiny */
      w = (uint16_t)(1 + rnd(40));
      h = (uint16_t)(1 + rnd(40));
      break;
    case 1: { /* the real panels, and their neighbours */
      static const uint16_t sizes[][2] = {{128, 64}, {296, 128}, {250, 122}, {128, 32},
                                          {200, 96}, {199, 95},  {400, 300}, {264, 176}};
      w = sizes[rnd(8)][0];
      h = sizes[rnd(8)][1];
      break;
    }
    default:
      w = (uint16_t)(1 + rnd(400));
      h = (uint16_t)(1 + rnd(300));
      break;
    }
    if (rnd(2))
      w |= 1; /* odd widths: rows end inside a byte */
    if (w > 400)
      w = 399;
    size_t bytes = DFD_FB_BYTES(w, h);
    memset(arena, 0xA5, sizeof arena);
    for (size_t i = 0; i < bytes; i++)
      arena[GUARD + i] = (uint8_t)rnd64(); /* garbage: the renderer clears */
    dfd_fb fb = {arena + GUARD, w, h};
    random_status(&st);
    switch (rnd(5)) {
    case 0:
      host[0] = '\0';
      break;
    case 1:
      rnd_str(host, sizeof host - 1);
      host[sizeof host - 1] = '\0';
      break;
    case 2:
      memset(host, 'h', sizeof host - 1); /* far too long for the QR code */
      host[sizeof host - 1] = '\0';
      break;
    default:
      snprintf(host, sizeof host, "%s", rnd(2) ? HOST : "app.datafold.com/");
      break;
    }
    dfd_render_input in = {rnd(8) ? &st : NULL,
                           rnd(3) ? rnd_i64() : -1,
                           rnd(6) ? host : NULL,
                           rnd(4) ? &qr_work : NULL,
                           (dfd_render_trouble)((int)rnd(14) - 2),
                           rnd_i64(),
                           rnd_i64(),
                           (uint16_t)rnd64(),
                           (uint16_t)(rnd(2) ? rnd(9) : rnd64()),
                           (uint32_t)rnd64()};
    if (dfd_render_status(&fb, &in) != DFD_OK)
      bad_ret++;
    for (size_t i = 0; i < GUARD; i++)
      if (arena[i] != 0xA5 || arena[GUARD + bytes + i] != 0xA5) {
        bad_guard++;
        break;
      }
    /* the padding bits at the end of each row stay 0 */
    if (w % 8) {
      uint8_t pad = (uint8_t)(0xFFu >> (w % 8));
      for (size_t y = 0; y < h; y++)
        if (fb.bits[y * DFD_FB_STRIDE(w) + DFD_FB_STRIDE(w) - 1] & pad) {
          bad_pad++;
          break;
        }
    }
    if (in.qr && w >= 250 && h >= 120 && in.host == host && strcmp(host, HOST) == 0)
      qr_drawn++;
  }
  CHECKF(bad_guard == 0, "%d renders wrote outside the framebuffer", bad_guard);
  CHECKF(bad_pad == 0, "%d renders set padding bits", bad_pad);
  CHECKF(bad_ret == 0, "%d renders failed", bad_ret);
  printf("# %d random renders, %d with a chance of a QR code\n", iterations, qr_drawn);
}

static void bad_arguments(void) {
  dfd_render_input in = {NULL, 1, NULL, NULL, DFD_TROUBLE_NONE, -1, -1, 0, 0, 0};
  dfd_fb fb = {fb_bits, 128, 64};
  CHECK(dfd_render_status(NULL, &in) == DFD_E_ARG);
  CHECK(dfd_render_status(&fb, NULL) == DFD_E_ARG);
  dfd_fb none = {NULL, 128, 64}, empty = {fb_bits, 0, 64}, flat = {fb_bits, 128, 0};
  CHECK(dfd_render_status(&none, &in) == DFD_E_ARG);
  CHECK(dfd_render_status(&empty, &in) == DFD_E_ARG);
  CHECK(dfd_render_status(&flat, &in) == DFD_E_ARG);
  dfd_fb_clear(NULL);
  dfd_fb_clear(&none);
  CHECK(dfd_fb_get(&fb, -1, 0) == 0 && dfd_fb_get(&fb, 128, 0) == 0 && dfd_fb_get(NULL, 0, 0) == 0);
}

/* --- the parts ------------------------------------------------------------------------ */

static void utf8_decoding(void) {
  struct {
    const char *s;
    size_t glyphs;
    uint32_t first;
  } cases[] = {
      {"abc", 3, 'a'},
      {"\xC3\xA9t\xC3\xA9", 3, 0xE9},
      {"\xE4\xB8\xAD", 1, 0x4E2D},
      {"\xF0\x9F\x9A\x80!", 2, 0x1F680},
      {"\xC0\x80", 2, RD_CP_REPLACEMENT},         /* overlong NUL: two bad bytes */
      {"\xED\xA0\x80", 3, RD_CP_REPLACEMENT},     /* a surrogate */
      {"\xF4\x90\x80\x80", 4, RD_CP_REPLACEMENT}, /* beyond U+10FFFF */
      {"\xE4\xB8", 2, RD_CP_REPLACEMENT},         /* cut short */
      {"\x80x", 2, RD_CP_REPLACEMENT},
      {"\xFF", 1, RD_CP_REPLACEMENT},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = strlen(cases[i].s), at = 0;
    CHECKF(rd_glyph_count(cases[i].s, n) == cases[i].glyphs, "case %zu: %zu glyphs", i,
           rd_glyph_count(cases[i].s, n));
    CHECKF(rd_utf8_next(cases[i].s, n, &at) == cases[i].first, "case %zu", i);
  }
  /* a sequence cut by the length, not by a NUL, is not read past n */
  size_t at = 0;
  CHECK(rd_utf8_next("\xE4\xB8\xAD", 2, &at) == RD_CP_REPLACEMENT && at == 1);
  CHECK(rd_glyph_offset("a\xC3\xA9z", 4, 2) == 3 && rd_glyph_offset("ab", 2, 5) == 2);
  CHECK(rd_glyph(0x2026) != rd_glyph(RD_CP_REPLACEMENT));
  CHECK(rd_glyph(0x01) == rd_glyph(RD_CP_REPLACEMENT) && rd_glyph(0x9F) == rd_glyph(0xFFFD));
  CHECK(rd_glyph('\n') == rd_glyph(' '));
  CHECK(rd_glyph(0xDC) == rd_glyph('U') && rd_glyph(0xE9) == rd_glyph('e'));
  CHECK(rd_glyph(0xD7) == rd_glyph('x') && rd_glyph(0xFF) == rd_glyph('y'));
  CHECK(rd_strnlen("abc", 2) == 2 && rd_strnlen("abc", 9) == 3 && rd_strnlen(NULL, 3) == 0);
}

static const char *fmt(void (*f)(rd_sb *, int64_t, bool), int64_t v, bool compact) {
  static char buf[64];
  rd_sb sb;
  rd_sb_init(&sb, buf, sizeof buf);
  f(&sb, v, compact);
  return buf;
}

static void put_duration(rd_sb *sb, int64_t v, bool unused) {
  (void)unused;
  rd_sb_duration(sb, v);
}

static const char *fmt_d(void (*f)(rd_sb *, double), double v) {
  static char buf[64];
  rd_sb sb;
  rd_sb_init(&sb, buf, sizeof buf);
  f(&sb, v);
  return buf;
}

static void number_formats(void) {
  CHECK(strcmp(fmt(rd_sb_count, 331872, false), "331872") == 0);
  CHECK(strcmp(fmt(rd_sb_count, 331872, true), "331k") == 0);
  CHECK(strcmp(fmt(rd_sb_count, 9999, true), "9999") == 0);
  CHECK(strcmp(fmt(rd_sb_count, 12345, true), "12.3k") == 0);
  CHECK(strcmp(fmt(rd_sb_count, 1500000, true), "1.50M") == 0);
  CHECK(strcmp(fmt(rd_sb_count, INT64_MAX, true), "9.22E") == 0);
  CHECK(strcmp(fmt(rd_sb_count, INT64_MIN, true), "-9.22E") == 0);
  CHECK(strcmp(fmt(rd_sb_count, INT64_MIN, false), "-9223372036854775808") == 0);
  CHECK(strcmp(fmt(rd_sb_count, 999999999999, true), "999G") == 0);
  CHECK(strcmp(fmt(rd_sb_age, 12, false), "12 s") == 0);
  CHECK(strcmp(fmt(rd_sb_age, 12, true), "12s") == 0);
  CHECK(strcmp(fmt(rd_sb_age, 320, false), "5 min") == 0);
  CHECK(strcmp(fmt(rd_sb_age, 7200, true), "2h") == 0);
  CHECK(strcmp(fmt(rd_sb_age, INT64_MAX, true), "106751991167300d") == 0);
  CHECK(strcmp(fmt(put_duration, 45, false), "45 s") == 0);
  CHECK(strcmp(fmt(put_duration, 153, false), "2:33") == 0);
  CHECK(strcmp(fmt(put_duration, 3700, false), "1:01:40") == 0);
  CHECK(strcmp(fmt(put_duration, 400000, false), "4 d 15 h") == 0);
  CHECK(strcmp(fmt(put_duration, -1, false), "?") == 0);
  CHECK(strcmp(fmt_d(rd_sb_seconds, 2.5), "2.5 s") == 0);
  CHECK(strcmp(fmt_d(rd_sb_seconds, 153.497526), "2:33") == 0);
  CHECK(strcmp(fmt_d(rd_sb_seconds, NAN), "?") == 0);
  CHECK(strcmp(fmt_d(rd_sb_seconds, 1e300), "104166666666666 d 16 h") == 0);
  CHECK(strcmp(fmt_d(rd_sb_percent, 0.9987404), "99.87%") == 0);
  CHECK(strcmp(fmt_d(rd_sb_percent, 1.0), "100%") == 0);
  CHECK(strcmp(fmt_d(rd_sb_percent, 0.99999999997), ">99.99%") == 0);
  CHECK(strcmp(fmt_d(rd_sb_percent, NAN), "?%") == 0);
  CHECK(strcmp(fmt_d(rd_sb_percent, 0.5), "50%") == 0);
  /* the builder cuts, NUL-terminated */
  char small[4];
  rd_sb sb;
  rd_sb_init(&sb, small, sizeof small);
  rd_sb_str(&sb, "abcdef");
  CHECK(strcmp(small, "abc") == 0 && sb.len == 3);
}

static void trouble_mapping(void) {
  CHECK(dfd_render_trouble_for_err(DFD_OK) == DFD_TROUBLE_NONE);
  CHECK(dfd_render_trouble_for_err(DFD_E_DNS) == DFD_TROUBLE_NO_NETWORK);
  CHECK(dfd_render_trouble_for_err(DFD_E_TIMEOUT_RESPONSE) == DFD_TROUBLE_NO_NETWORK);
  CHECK(dfd_render_trouble_for_err(DFD_E_HTTP_TRUNCATED) == DFD_TROUBLE_NO_NETWORK);
  CHECK(dfd_render_trouble_for_err(DFD_E_TLS_CERT_EXPIRED) == DFD_TROUBLE_TLS);
  CHECK(dfd_render_trouble_for_err(DFD_E_TLS_HANDSHAKE) == DFD_TROUBLE_TLS);
  CHECK(dfd_render_trouble_for_err(DFD_E_TLS_RETRY_TLS12) == DFD_TROUBLE_TLS);
  CHECK(dfd_render_trouble_for_err(DFD_E_TLS_CA_FILE) == DFD_TROUBLE_SETUP);
  CHECK(dfd_render_trouble_for_err(DFD_E_API_UNAUTHORIZED) == DFD_TROUBLE_KEY_REJECTED);
  CHECK(dfd_render_trouble_for_err(DFD_E_API_FORBIDDEN) == DFD_TROUBLE_KEY_REJECTED);
  CHECK(dfd_render_trouble_for_err(DFD_E_API_NOT_FOUND) == DFD_TROUBLE_NOT_FOUND);
  CHECK(dfd_render_trouble_for_err(DFD_E_API_SERVER) == DFD_TROUBLE_SERVER);
  CHECK(dfd_render_trouble_for_err(DFD_E_API_RATE_LIMITED) == DFD_TROUBLE_SERVER);
  CHECK(dfd_render_trouble_for_err(DFD_E_JSON_TRUNCATED) == DFD_TROUBLE_BAD_RESPONSE);
  CHECK(dfd_render_trouble_for_err(DFD_E_NO_KEY) == DFD_TROUBLE_SETUP);
  CHECK(dfd_render_trouble_for_err(-12345) == DFD_TROUBLE_BAD_RESPONSE);
  CHECK(strcmp(dfd_render_trouble_name(DFD_TROUBLE_NO_NETWORK), "no network") == 0);
  CHECK(strcmp(dfd_render_trouble_name((dfd_render_trouble)99), "error") == 0);
}

static void overview_url(void) {
  char buf[200];
  CHECK(dfd_render_overview_url(buf, sizeof buf, HOST, 81234) == 49);
  CHECK(strcmp(buf, HOST "/datadiffs/81234/overview") == 0);
  CHECK(dfd_render_overview_url(buf, sizeof buf, "app.datafold.com//", 7) > 0);
  CHECK(strcmp(buf, "https://app.datafold.com/datadiffs/7/overview") == 0);
  CHECK(dfd_render_overview_url(buf, sizeof buf, "http://h:8080/pre/", 1) > 0);
  CHECK(strcmp(buf, "http://h:8080/pre/datadiffs/1/overview") == 0);
  CHECK(dfd_render_overview_url(buf, sizeof buf, HOST, -1) == 0 && buf[0] == '\0');
  CHECK(dfd_render_overview_url(buf, sizeof buf, "", 1) == 0);
  CHECK(dfd_render_overview_url(buf, sizeof buf, "///", 1) == 0);
  CHECK(dfd_render_overview_url(buf, sizeof buf, NULL, 1) == 0);
  /* all or nothing: 49 bytes do not fit in 49 */
  CHECK(dfd_render_overview_url(buf, 49, HOST, 81234) == 0 && buf[0] == '\0');
  CHECK(dfd_render_overview_url(buf, 50, HOST, 81234) == 49);
}

/* Text is clipped to the canvas, and scaled glyphs keep their shape. */
static void drawing_clips(void) {
  dfd_fb fb = {fb_bits, 13, 9};
  dfd_fb_clear(&fb);
  rd_canvas c = rd_canvas_of(&fb);
  rd_canvas inner = rd_canvas_clip(&c, 2, 2, 5, 5);
  rd_fill(&inner, -100, -100, 1000, 1000, 1);
  CHECK(ink_in(&fb, 0, 0, 13, 9) == 25 && ink_in(&fb, 2, 2, 7, 7) == 25);
  rd_canvas none = rd_canvas_clip(&c, 5, 5, 0, 3);
  dfd_fb_clear(&fb);
  rd_fill(&none, 0, 0, 13, 9, 1);
  rd_text(&none, 0, 0, "WWW", 3, 3, 1);
  CHECK(ink_in(&fb, 0, 0, 13, 9) == 0);
  /* an "I" at 2x: its 1-pixel strokes become 2 pixels */
  dfd_fb big = {fb_bits, 24, 16};
  dfd_fb_clear(&big);
  rd_canvas bc = rd_canvas_of(&big);
  CHECK(rd_text(&bc, 0, 0, "I", 1, 2, 1) == 12);
  CHECK(dfd_fb_get(&big, 4, 6) && dfd_fb_get(&big, 5, 6) && !dfd_fb_get(&big, 3, 6));
  CHECK(rd_text_width("a" RD_S_ELLIPSIS "b", 5, 1) == 18);
}

int main(void) {
  RUN(utf8_decoding);
  RUN(number_formats);
  RUN(trouble_mapping);
  RUN(overview_url);
  RUN(drawing_clips);
  RUN(bad_arguments);
  RUN(golden_images);
  RUN(golden_images_not_blank);
  RUN(qr_only_where_room);
  RUN(random_records_stay_inside);
  T_EXIT();
}
