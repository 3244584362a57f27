/* The screen: what a status means on a panel (describe) and where each part goes (the
 * layout, top to bottom: header, tables, status line, details, trouble banner; the QR
 * code on the right of wide panels). Everything adapts to the panel: texts come in
 * variants from long to short and the first that fits is drawn; blocks that do not fit
 * are left out, the least important first. */
#include <string.h>

#include "dfd_err.h"
#include "draw.h"
#include "fmt.h"
#include "qr.h"
#include "render.h"

#define LINE_MAX 64 /* bytes of one built line of text (the longest is 57) */
#define MAX_SEGS 7  /* detail segments of one screen */
#define LEVELS 3    /* detail texts: 0 long, 1 short, 2 short with compact numbers */
#define VARIANTS 3  /* big label variants */

typedef enum {
  SEG_ADDED_REMOVED, /* +5 added, -7 removed */
  SEG_MATCH,         /* 99.87% match */
  SEG_ROWS,          /* 331872 vs 331870 rows */
  SEG_RUNTIME,       /* runtime 2:33 */
  SEG_DIFFERING,     /* 418 rows differ */
  SEG_ELAPSED,       /* elapsed 2:31 */
  SEG_STOPPED,       /* stopped at step 4/9 */
  SEG_NOTE,          /* a fixed explanation (note[]) */
} seg_kind;

/* What the screen shows, before any placement. */
typedef struct {
  const dfd_render_input *in;
  const dfd_status *st; /* NULL before the first answer */
  rd_icon icon;
  const char *label[VARIANTS]; /* big status text, long to short; NULL ends the list */
  char raw_label[DFD_ENUM_TEXT_MAX];
  bool bar;       /* a progress bar line */
  bool bar_known; /* completed/total known (else the animated stripe) */
  int64_t done, total;
  const char *err_type; /* the error of a failed diff or an error body: a heading... */
  size_t err_type_n;
  const char *err_text; /* ...and a wrapped text */
  size_t err_text_n;
  seg_kind seg[MAX_SEGS];
  int nseg;
  const char *note[LEVELS]; /* SEG_NOTE's text by level (NULL: the previous level's) */
  bool banner;              /* the trouble in an inverted line, below the last status */
} screen;

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

static void add_seg(screen *sc, seg_kind k) {
  if (sc->nseg < MAX_SEGS)
    sc->seg[sc->nseg++] = k;
}

static void set_label(screen *sc, const char *a, const char *b, const char *c) {
  sc->label[0] = a;
  sc->label[1] = b;
  sc->label[2] = c;
}

static void set_note(screen *sc, const char *a, const char *b, const char *c) {
  sc->note[0] = a;
  sc->note[1] = b ? b : a;
  sc->note[2] = c ? c : sc->note[1];
  add_seg(sc, SEG_NOTE);
}

/* A value this client does not know, drawn as the server sent it, upper case. */
static void set_raw_label(screen *sc, const char *text, size_t cap, const char *fallback) {
  size_t n = rd_strnlen(text, cap);
  if (n >= sizeof sc->raw_label)
    n = sizeof sc->raw_label - 1;
  for (size_t i = 0; i < n; i++) {
    char c = text[i];
    sc->raw_label[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  sc->raw_label[n] = '\0';
  set_label(sc, n ? sc->raw_label : fallback, NULL, NULL);
}

static void describe_trouble(screen *sc, dfd_render_trouble t) {
  switch (t) {
  case DFD_TROUBLE_NO_NETWORK:
    sc->icon = RD_ICON_NO_NET;
    set_label(sc, "NO NETWORK", "OFFLINE", NULL);
    set_note(sc, "the server cannot be reached", "server unreachable", "unreachable");
    break;
  case DFD_TROUBLE_TLS:
    sc->icon = RD_ICON_LOCK;
    set_label(sc, "TLS ERROR", "TLS", NULL);
    set_note(sc, "TLS or certificate check failed", "check certificates", "certificate?");
    break;
  case DFD_TROUBLE_KEY_REJECTED:
    sc->icon = RD_ICON_KEY;
    set_label(sc, "KEY REJECTED", "BAD KEY", "KEY?");
    set_note(sc, "HTTP 401/403: check the API key", "check the API key", "check key");
    break;
  case DFD_TROUBLE_NOT_FOUND:
    sc->icon = RD_ICON_SEARCH;
    set_label(sc, "NOT FOUND", "NO DIFF", "404");
    set_note(sc, "HTTP 404: no diff with this id", "no diff with this id", "HTTP 404");
    break;
  case DFD_TROUBLE_SERVER:
    sc->icon = RD_ICON_ATTN;
    set_label(sc, "SERVER ERROR", "SERVER", NULL);
    set_note(sc, "the server answered with an error", "server-side error", "HTTP error");
    break;
  case DFD_TROUBLE_BAD_RESPONSE:
    sc->icon = RD_ICON_ATTN;
    set_label(sc, "BAD RESPONSE", "BAD REPLY", NULL);
    set_note(sc, "the response was not understood", "not the expected JSON", "bad JSON");
    break;
  case DFD_TROUBLE_SETUP:
    sc->icon = RD_ICON_ATTN;
    set_label(sc, "SETUP ERROR", "SETUP", NULL);
    set_note(sc, "check the URL and the API key", "check URL and key", "check setup");
    break;
  default:
    sc->icon = RD_ICON_ATTN;
    set_label(sc, "ERROR", NULL, NULL);
    break;
  }
}

static void describe_done(screen *sc, const dfd_status *st) {
  switch (st->result) {
  case DFD_RESULT_IDENTICAL:
    sc->icon = RD_ICON_OK;
    set_label(sc, "IDENTICAL", "SAME", NULL);
    break;
  case DFD_RESULT_EMPTY:
    sc->icon = RD_ICON_OK;
    set_label(sc, "EMPTY", NULL, NULL);
    break;
  case DFD_RESULT_DIFFERENT:
    sc->icon = RD_ICON_DIFF;
    set_label(sc, "DIFFERENT", "DIFFERS", "DIFF");
    break;
  case DFD_RESULT_MISSING_PKS:
    sc->icon = RD_ICON_DIFF;
    set_label(sc, "MISSING PKS", "NO PKS", NULL);
    break;
  case DFD_RESULT_BAD_PKS:
    sc->icon = RD_ICON_DIFF;
    set_label(sc, "BAD PKS", NULL, NULL);
    break;
  case DFD_RESULT_ERROR:
    sc->icon = RD_ICON_FAIL;
    set_label(sc, "ERROR", NULL, NULL);
    break;
  case DFD_RESULT_ABSENT:
    sc->icon = RD_ICON_UNKNOWN;
    set_label(sc, "DONE", NULL, NULL);
    set_note(sc, "done, without a result", "no result", NULL);
    break;
  default: /* unknown to this client, or an out-of-range value */
    sc->icon = RD_ICON_UNKNOWN;
    set_raw_label(sc, st->result_text, sizeof st->result_text, "DONE");
    set_note(sc, "a result unknown to this client", "unknown result", NULL);
    break;
  }
  if (st->stats.present) {
    const dfd_int *a = &st->stats.rows_added, *r = &st->stats.rows_removed;
    /* "+0 -0" says nothing that "100% match" does not */
    if ((a->present || r->present) && !(a->present && r->present && a->v == 0 && r->v == 0))
      add_seg(sc, SEG_ADDED_REMOVED);
    if (st->stats.match_ratio.present)
      add_seg(sc, SEG_MATCH);
    if (st->stats.table_a_row_count.present || st->stats.table_b_row_count.present)
      add_seg(sc, SEG_ROWS);
  }
  if (st->runtime.present)
    add_seg(sc, SEG_RUNTIME);
  if (st->stats.present && st->stats.diff_rows_count.present && st->result != DFD_RESULT_IDENTICAL)
    add_seg(sc, SEG_DIFFERING);
}

/* The error a failed diff (or an error body) carries: monitor_error, else title/detail. */
static void describe_error(screen *sc, const dfd_status *st) {
  if (st->monitor_error.present) {
    if (st->monitor_error.type.present) {
      sc->err_type = st->monitor_error.type.s;
      sc->err_type_n = rd_strnlen(st->monitor_error.type.s, sizeof st->monitor_error.type.s);
    }
    if (st->monitor_error.value.present) {
      sc->err_text = st->monitor_error.value.s;
      sc->err_text_n = rd_strnlen(st->monitor_error.value.s, sizeof st->monitor_error.value.s);
    }
    return;
  }
  if (st->error_title.present) {
    sc->err_type = st->error_title.s;
    sc->err_type_n = rd_strnlen(st->error_title.s, sizeof st->error_title.s);
  }
  if (st->error_detail.present) {
    sc->err_text = st->error_detail.s;
    sc->err_text_n = rd_strnlen(st->error_detail.s, sizeof st->error_detail.s);
  }
}

static void describe(screen *sc, const dfd_render_input *in) {
  memset(sc, 0, sizeof *sc);
  sc->in = in;
  sc->st = in->status;
  const dfd_status *st = in->status;
  bool trouble = in->trouble != DFD_TROUBLE_NONE;
  if (!st) {
    if (trouble) {
      describe_trouble(sc, in->trouble);
    } else {
      sc->icon = RD_ICON_WAIT;
      set_label(sc, "LOADING", NULL, NULL);
      sc->bar = true;
      set_note(sc, "waiting for the first answer", "connecting", NULL);
    }
    return;
  }
  sc->banner = trouble;
  const int64_t done = st->progress.completed_steps.present ? st->progress.completed_steps.v : 0;
  const bool steps = st->progress.total_steps.present && st->progress.total_steps.v > 0;
  sc->done = done;
  sc->total = steps ? st->progress.total_steps.v : 0;
  switch (st->status) {
  case DFD_JOB_WAITING:
    sc->icon = RD_ICON_WAIT;
    set_label(sc, "WAITING", "QUEUED", NULL);
    add_seg(sc, SEG_ELAPSED);
    break;
  case DFD_JOB_PROCESSING:
    sc->icon = RD_ICON_RUN;
    set_label(sc, "PROCESSING", "RUNNING", "RUN");
    sc->bar = true;
    sc->bar_known = steps;
    add_seg(sc, SEG_ELAPSED);
    break;
  case DFD_JOB_DONE:
    describe_done(sc, st);
    if (st->result == DFD_RESULT_ERROR)
      describe_error(sc, st);
    break;
  case DFD_JOB_FAILED:
    sc->icon = RD_ICON_FAIL;
    set_label(sc, "FAILED", NULL, NULL);
    describe_error(sc, st);
    if (steps)
      add_seg(sc, SEG_STOPPED);
    if (st->runtime.present)
      add_seg(sc, SEG_RUNTIME);
    break;
  case DFD_JOB_CANCELLED:
    sc->icon = RD_ICON_CANCEL;
    set_label(sc, "CANCELLED", "STOPPED", NULL);
    if (steps)
      add_seg(sc, SEG_STOPPED);
    if (st->runtime.present)
      add_seg(sc, SEG_RUNTIME);
    break;
  case DFD_JOB_NEEDS_CONFIRMATION:
    sc->icon = RD_ICON_ATTN;
    set_label(sc, "NEEDS CONFIRMATION", "CONFIRM?", NULL);
    set_note(sc, "confirm it in Datafold", "confirm in app", NULL);
    break;
  case DFD_JOB_NEEDS_AUTHENTICATION:
    sc->icon = RD_ICON_ATTN;
    set_label(sc, "NEEDS AUTHENTICATION", "NEEDS AUTH", "AUTH?");
    set_note(sc, "sign in to the data source", "sign in", NULL);
    break;
  case DFD_JOB_ABSENT:
    describe_error(sc, st);
    if (sc->err_type || sc->err_text) { /* an error body */
      sc->icon = RD_ICON_ATTN;
      set_label(sc, "API ERROR", NULL, NULL);
    } else {
      sc->icon = RD_ICON_UNKNOWN;
      set_label(sc, "NO STATUS", "?", NULL);
    }
    break;
  default: /* unknown to this client, or an out-of-range value */
    sc->icon = RD_ICON_UNKNOWN;
    set_raw_label(sc, st->status_text, sizeof st->status_text, "?");
    if (steps) {
      sc->bar = true;
      sc->bar_known = true;
    }
    set_note(sc, "a status unknown to this client", "unknown status", NULL);
    add_seg(sc, SEG_ELAPSED);
    break;
  }
}

/* --- texts ----------------------------------------------------------------------- */

static int glyphs(const rd_sb *sb) { return (int)rd_glyph_count(sb->buf, sb->len); }

static void put_opt_count(rd_sb *sb, const dfd_int *v, bool compact) {
  if (v->present)
    rd_sb_count(sb, v->v, compact);
  else
    rd_sb_str(sb, "?");
}

/* "+5" / "-7": the sign shown only for counts that have none of their own. */
static void put_signed(rd_sb *sb, const char *sign, const dfd_int *v, bool compact) {
  if (!v->present || v->v >= 0)
    rd_sb_str(sb, sign);
  put_opt_count(sb, v, compact);
}

static void put_steps(rd_sb *sb, const screen *sc, bool compact) {
  rd_sb_count(sb, sc->done, compact);
  rd_sb_str(sb, "/");
  rd_sb_count(sb, sc->total, compact);
}

/* Builds a detail segment's text at a level (0 long ... LEVELS-1 shortest). */
static void build_seg(const screen *sc, seg_kind k, int level, rd_sb *sb) {
  const dfd_status *st = sc->st;
  const bool compact = level >= 2;
  switch (k) {
  case SEG_ADDED_REMOVED:
    put_signed(sb, "+", &st->stats.rows_added, compact);
    rd_sb_str(sb, level == 0 ? " added, " : " ");
    put_signed(sb, "-", &st->stats.rows_removed, compact);
    if (level == 0)
      rd_sb_str(sb, " removed");
    break;
  case SEG_MATCH: {
    bool sampled = st->stats.sampled.present && st->stats.sampled.v;
    if (sampled && level > 0)
      rd_sb_str(sb, "~");
    rd_sb_percent(sb, st->stats.match_ratio.d);
    if (level == 0)
      rd_sb_str(sb, sampled ? " match, sampled" : " match");
    break;
  }
  case SEG_ROWS: {
    const dfd_int *a = &st->stats.table_a_row_count, *b = &st->stats.table_b_row_count;
    if (level == 0 && a->present && b->present && a->v != b->v) {
      rd_sb_count(sb, a->v, false);
      rd_sb_str(sb, " vs ");
      rd_sb_count(sb, b->v, false);
    } else {
      /* the larger of the two, or the one known */
      const dfd_int *m = !a->present ? b : !b->present ? a : (a->v >= b->v ? a : b);
      rd_sb_count(sb, m->v, compact);
    }
    rd_sb_str(sb, " rows");
    break;
  }
  case SEG_RUNTIME:
    if (level == 0)
      rd_sb_str(sb, "runtime ");
    rd_sb_seconds(sb, st->runtime.d);
    break;
  case SEG_DIFFERING:
    rd_sb_count(sb, st->stats.diff_rows_count.v, compact);
    rd_sb_str(sb, level == 0 ? " rows differ" : " differ");
    break;
  case SEG_ELAPSED:
    if (level == 0)
      rd_sb_str(sb, "elapsed ");
    rd_sb_duration(sb, sc->in->elapsed_s);
    break;
  case SEG_STOPPED:
    rd_sb_str(sb, level == 0 ? "stopped at step " : "step ");
    put_steps(sb, sc, compact);
    break;
  case SEG_NOTE:
    rd_sb_str(sb, sc->note[level] ? sc->note[level] : "");
    break;
  }
}

static bool seg_shown(const screen *sc, seg_kind k) {
  return k != SEG_ELAPSED || sc->in->elapsed_s >= 0;
}

/* Puts segments on at most `lines` lines of `cols` glyphs, in order, two spaces between
 * segments sharing a line, each at `level` or the first shorter level at which it fits a
 * line on its own. line_of[i] gets each one's line (-1 when left out), level_of[i] its
 * level. Returns how many were left out. */
static int pack(const screen *sc, int level, int lines, int cols, int *line_of, int *level_of) {
  int line = 0, used = 0, dropped = 0;
  char buf[LINE_MAX];
  for (int i = 0; i < sc->nseg; i++) {
    line_of[i] = -1;
    level_of[i] = level;
    if (!seg_shown(sc, sc->seg[i]))
      continue;
    int n;
    for (;;) {
      rd_sb sb;
      rd_sb_init(&sb, buf, sizeof buf);
      build_seg(sc, sc->seg[i], level_of[i], &sb);
      n = glyphs(&sb);
      if (n <= cols || level_of[i] == LEVELS - 1)
        break;
      level_of[i]++;
    }
    if (line < lines && used > 0 && used + 2 + n <= cols) {
      line_of[i] = line;
      used += 2 + n;
    } else if ((used > 0 ? line + 1 : line) < lines && n <= cols) {
      line = used > 0 ? line + 1 : line;
      line_of[i] = line;
      used = n;
    } else {
      dropped++;
    }
  }
  return dropped;
}

/* --- drawing blocks ------------------------------------------------------------------ */

/* Text that must fit `cols` glyphs: drawn whole, or cut with an ellipsis at the end. */
static void draw_fit(const rd_canvas *c, int x, int y, const char *s, size_t n, int cols, int ink) {
  size_t count = rd_glyph_count(s, n);
  if (cols <= 0)
    return;
  if ((int)count <= cols) {
    rd_text(c, x, y, s, n, 1, ink);
    return;
  }
  size_t cut = rd_glyph_offset(s, n, (size_t)cols - 1);
  x = rd_text(c, x, y, s, cut, 1, ink);
  rd_text(c, x, y, RD_S_ELLIPSIS, strlen(RD_S_ELLIPSIS), 1, ink);
}

/* A table name shortened to `cols` glyphs: the start of the path, an ellipsis, the end of
 * the path and the last component (the table's own name) in full, the room left shared
 * between start and end ("ANALYTICS.…V_PR_1423.ORDERS"); when even the name is too long,
 * the middle of the whole text is elided. A name the extractor cut loses its end instead. */
static void draw_table(const rd_canvas *c, int x, int y, const char *s, size_t n, bool cut,
                       int cols) {
  const char *ell = RD_S_ELLIPSIS;
  const size_t en = strlen(ell);
  const int count = (int)rd_glyph_count(s, n);
  if (cols <= 0)
    return;
  if (count <= cols && !cut) {
    rd_text(c, x, y, s, n, 1, 1);
    return;
  }
  if (cut || cols < 3) {
    /* the start and an ellipsis: the end is unknown, or there is no room for more */
    int keep = cut && count < cols ? count : cols - 1;
    x = rd_text(c, x, y, s, rd_glyph_offset(s, n, (size_t)keep), 1, 1);
    rd_text(c, x, y, ell, en, 1, 1);
    return;
  }
  size_t dot = n;
  for (size_t i = n; i > 0; i--)
    if (s[i - 1] == '.') {
      dot = i - 1;
      break;
    }
  const int name = dot < n ? (int)rd_glyph_count(s + dot, n - dot) : count; /* ".ORDERS" */
  int head, tail;
  if (dot < n && dot > 0 && name + 2 <= cols) {
    const int room = cols - 1 - name;
    head = (room + 1) / 2;
    tail = name + room - head;
  } else { /* the middle of the whole text */
    tail = (cols - 1) / 2;
    head = cols - 1 - tail;
  }
  const size_t hb = rd_glyph_offset(s, n, (size_t)head);
  const size_t tb = rd_glyph_offset(s, n, (size_t)(count - tail));
  x = rd_text(c, x, y, s, hb, 1, 1);
  x = rd_text(c, x, y, ell, en, 1, 1);
  rd_text(c, x, y, s + tb, n - tb, 1, 1);
}

/* Wraps s[0..n) on up to `lines` lines of `cols` glyphs, breaking at spaces where it can;
 * the last line ends with an ellipsis when text remains. Returns the lines used. */
static int draw_wrapped(const rd_canvas *c, int x, int y, int pitch, const char *s, size_t n,
                        int cols, int lines) {
  size_t pos = 0;
  int line = 0;
  if (cols <= 0)
    return 0;
  while (pos < n && line < lines) {
    while (pos < n && (unsigned char)s[pos] <= ' ')
      pos++; /* spaces, newlines, other controls at the start of a line */
    if (pos >= n)
      break;
    size_t end = pos, brk = 0;
    int count = 0;
    while (end < n && count < cols) {
      size_t i = end;
      uint32_t cp = rd_utf8_next(s, n, &i);
      if (cp <= ' ' && count > cols / 2)
        brk = end;
      end = i;
      count++;
    }
    bool more = false;
    for (size_t i = end; i < n; i++)
      if ((unsigned char)s[i] > ' ') {
        more = true;
        break;
      }
    if (more && line == lines - 1) {
      draw_fit(c, x, y + line * pitch, s + pos, n - pos, cols, 1);
      return line + 1;
    }
    size_t stop = end;
    if (more && end < n && (unsigned char)s[end] > ' ' && brk > pos)
      stop = brk;
    rd_text(c, x, y + line * pitch, s + pos, stop - pos, 1, 1);
    pos = stop;
    line++;
  }
  return line;
}

/* The header: an inverted bar with the id (left), the data's age and the page indicator
 * (right). Shorter forms are tried until everything fits. */
static void draw_header(const rd_canvas *c, const screen *sc, int64_t id, int w, int h, int margin,
                        bool wide) {
  const dfd_render_input *in = sc->in;
  rd_fill(c, 0, 0, w, h, 1);
  const int ty = (h - RD_GLYPH_H + 1) / 2;
  const int cols = (w - 2 * margin) / RD_CELL_W;
  char page[LINE_MAX], idt[LINE_MAX], age[LINE_MAX];
  rd_sb sb;
  /* page indicator: dots up to 6 pages, else "2/30" */
  rd_sb_init(&sb, page, sizeof page);
  if (in->pages > 1) {
    if (in->pages <= 6) {
      for (unsigned i = 0; i < in->pages; i++)
        rd_sb_str(&sb, i == in->page ? RD_S_DOT : RD_S_CIRCLE);
    } else {
      rd_sb_int(&sb, (int64_t)in->page + 1);
      rd_sb_str(&sb, "/");
      rd_sb_int(&sb, in->pages);
    }
  }
  const int page_n = glyphs(&sb);
  /* shorter ages first, then the bare number ("#81234" > "81234") */
  for (int pass = 0; pass < 2; pass++)
    for (int age_level = 0; age_level <= 3; age_level++) {
      rd_sb ab;
      rd_sb_init(&ab, age, sizeof age);
      if (sc->st && in->age_s >= 0 && age_level < 3) {
        if (age_level == 0)
          rd_sb_str(&ab, "updated ");
        rd_sb_age(&ab, in->age_s, age_level == 2);
        if (age_level < 2)
          rd_sb_str(&ab, " ago");
      }
      const int age_n = glyphs(&ab);
      for (int id_level = pass ? 2 : wide ? 0 : 1; id_level <= (pass ? 2 : 1); id_level++) {
        rd_sb ib;
        rd_sb_init(&ib, idt, sizeof idt);
        rd_sb_str(&ib, id_level == 0 ? "diff " : id_level == 1 ? "#" : "");
        if (id >= 0)
          rd_sb_int(&ib, id);
        else
          rd_sb_str(&ib, "?");
        const int id_n = glyphs(&ib);
        const int right = age_n + page_n + (age_n && page_n ? 1 : 0);
        const bool last = pass == 1 && age_level == 3;
        if (id_n + (right ? 1 : 0) + right > cols && !last)
          continue;
        int x = margin;
        int room = cols - right - (right ? 1 : 0);
        if (id_n <= room) {
          rd_text(c, x, ty, ib.buf, ib.len, 1, 0);
        } else if (room > 1) { /* keep the end of the id: "…4775807" */
          size_t from = rd_glyph_offset(ib.buf, ib.len, (size_t)id_n - (size_t)room + 1u);
          x = rd_text(c, x, ty, RD_S_ELLIPSIS, strlen(RD_S_ELLIPSIS), 1, 0);
          rd_text(c, x, ty, ib.buf + from, ib.len - from, 1, 0);
        }
        x = margin + (cols - right) * RD_CELL_W;
        if (age_n) {
          x = rd_text(c, x, ty, ab.buf, ab.len, 1, 0);
          if (page_n)
            x += RD_CELL_W;
        }
        rd_text(c, x, ty, sb.buf, sb.len, 1, 0);
        return;
      }
    }
}

/* The status line: icon and big label. Picks the largest scale (max_scale down to 1)
 * and the longest variant that fit `width` pixels and `height`. */
typedef struct {
  int scale, icon_scale, variant, height;
} status_fit;

static status_fit fit_status(const screen *sc, int width, int height, int max_scale) {
  status_fit f = {1, 1, 0, RD_ICON_SIZE};
  /* each label from the longest, large (max_scale down to 2); then any label at 1x */
  for (int pass = 0; pass < 2; pass++) {
    for (int v = 0; v < VARIANTS && sc->label[v]; v++) {
      for (int scale = pass ? 1 : max_scale; scale >= (pass ? 1 : 2); scale--) {
        int iscale = scale >= 3 ? 2 : 1;
        int lh = imax(RD_ICON_SIZE * iscale, RD_GLYPH_H * scale);
        int tw = rd_text_width(sc->label[v], strlen(sc->label[v]), scale) - scale;
        if ((lh <= height || scale == 1) && RD_ICON_SIZE * iscale + 2 * scale + tw <= width) {
          status_fit r = {scale, iscale, v, lh};
          return r;
        }
      }
    }
  }
  return f; /* nothing fits: the first label at 1x, clipped */
}

static void draw_status(const rd_canvas *c, const screen *sc, int x, int y, const status_fit *f) {
  const int isz = RD_ICON_SIZE * f->icon_scale;
  rd_icon_draw(c, x, y + (f->height - isz) / 2, sc->icon, f->icon_scale, 1);
  const char *label = sc->label[f->variant] ? sc->label[f->variant] : "";
  /* centre the capitals (7 rows of the 8) on the icon */
  int ty = y + (f->height - 7 * f->scale) / 2;
  rd_text(c, x + isz + 2 * f->scale, ty, label, strlen(label), f->scale, 1);
}

/* A progress bar `width` pixels wide, 7 high, with "3/9" after it when there is room;
 * the animated stripe (moving with the tick) when the totals are unknown. */
static void draw_bar(const rd_canvas *c, const screen *sc, int x, int y, int width) {
  char buf[LINE_MAX];
  rd_sb sb;
  rd_sb_init(&sb, buf, sizeof buf);
  int tw = 0;
  if (sc->bar_known) {
    put_steps(&sb, sc, false);
    if (glyphs(&sb) * RD_CELL_W + RD_CELL_W + 24 > width) {
      rd_sb_init(&sb, buf, sizeof buf);
      put_steps(&sb, sc, true);
    }
    tw = glyphs(&sb) * RD_CELL_W;
    if (tw + RD_CELL_W + 24 > width)
      tw = 0; /* the bar alone */
  }
  int bw = tw ? width - tw - RD_CELL_W : width;
  if (bw < 3)
    return;
  rd_frame(c, x, y, bw, 7, 1);
  rd_canvas inner = rd_canvas_clip(c, x + 2, y + 2, bw - 4, 3);
  if (sc->bar_known) {
    int64_t done = sc->done < 0 ? 0 : sc->done, total = sc->total;
    if (done > total)
      done = total;
    while (total > ((int64_t)1 << 31)) { /* keep done * width within 64 bits */
      total >>= 1;
      done >>= 1;
    }
    int64_t fill = total > 0 ? done * (bw - 4) / total : 0;
    rd_fill(&inner, x + 2, y + 2, (int)fill, 3, 1);
    rd_text(c, x + bw + RD_CELL_W, y, sb.buf, sb.len, 1, 1);
  } else {
    /* diagonal stripes, 4 on 4 off, moving right 1 pixel per tick */
    int shift = (int)(sc->in->tick % 8u);
    for (int yy = 0; yy < 3; yy++)
      for (int xx = 0; xx < bw - 4; xx++)
        if (((xx - yy - shift) & 7) < 4)
          rd_pixel(&inner, x + 2 + xx, y + 2 + yy, 1);
  }
}

/* The trouble below a known status: "⚠ no network" inverted. */
static void draw_banner(const rd_canvas *c, const screen *sc, int x, int y, int width, int h) {
  rd_fill(c, x - 1, y, width + 2, h, 1);
  char buf[LINE_MAX];
  rd_sb sb;
  rd_sb_init(&sb, buf, sizeof buf);
  rd_sb_str(&sb, RD_S_WARNING " ");
  rd_sb_str(&sb, dfd_render_trouble_name(sc->in->trouble));
  const size_t short_len = sb.len;
  rd_sb_str(&sb, ": last known status");
  const int cols = width / RD_CELL_W;
  if (glyphs(&sb) > cols)
    sb.len = short_len;
  draw_fit(c, x, y + (h - RD_GLYPH_H + 1) / 2, sb.buf, sb.len, cols, 0);
}

/* A table line: an inverted letter ("A", "B") and the shortened name. */
static void draw_table_line(const rd_canvas *c, int x, int y, const char *letter,
                            const dfd_str_table *t, int width) {
  rd_fill(c, x, y, 7, RD_GLYPH_H, 1);
  rd_text(c, x + 1, y, letter, 1, 1, 0);
  const int tx = x + 7 + 3;
  const int cols = (width - 10) / RD_CELL_W;
  if (t->present)
    draw_table(c, tx, y, t->s, rd_strnlen(t->s, sizeof t->s), t->truncated, cols);
  else
    rd_text(c, tx, y, "?", 1, 1, 1);
}

/* --- the screen ----------------------------------------------------------------------- */

void dfd_fb_clear(dfd_fb *fb) {
  if (fb && fb->bits)
    memset(fb->bits, 0, DFD_FB_BYTES(fb->width, fb->height));
}

int dfd_fb_get(const dfd_fb *fb, int x, int y) {
  if (!fb || !fb->bits || x < 0 || y < 0 || x >= fb->width || y >= fb->height)
    return 0;
  return (fb->bits[(size_t)y * DFD_FB_STRIDE(fb->width) + (size_t)x / 8u] >> (7 - x % 8)) & 1;
}

int dfd_render_status(dfd_fb *fb, const dfd_render_input *in) {
  if (!fb || !fb->bits || !in || fb->width == 0 || fb->height == 0)
    return DFD_E_ARG;
  dfd_fb_clear(fb);
  screen sc;
  describe(&sc, in);
  const rd_canvas full = rd_canvas_of(fb);
  const int W = fb->width, H = fb->height;
  const bool wide = W >= 200 && H >= 96;
  const int pitch = wide ? 10 : 9, margin = wide ? 3 : 1;
  const int64_t id = sc.st && sc.st->id.present ? sc.st->id.v : in->id;

  /* header, when the panel has room for it and a status line */
  int y = 0;
  const int hh = wide ? 11 : 9;
  if (H >= hh + RD_ICON_SIZE + 1 && W >= 6 * RD_CELL_W) {
    draw_header(&full, &sc, id, W, hh, margin, wide);
    y = hh + (wide ? 3 : 1);
  }

  /* the QR code: on wide panels, in a square column of up to 2/5 of the width */
  int text_right = W - margin;
  if (wide && in->qr && in->host && id >= 0) {
    int box = imin(H - y, W * 2 / 5);
    int n = rd_qr_encode(in->qr, in->host, id);
    int scale = n > 0 ? box / (n + 4) : 0; /* a quiet zone of 2 modules on each side */
    if (scale >= 2 && W - box - margin >= 20 * RD_CELL_W) {
      int qs = n * scale;
      rd_qr_draw(&full, W - box + (box - qs) / 2, y + (H - y - qs) / 2, in->qr, scale);
      text_right = W - box;
    }
  }
  const int x = margin, cw = imax(0, text_right - margin), cols = cw / RD_CELL_W;
  const rd_canvas col = rd_canvas_clip(&full, 0, 0, text_right, H);

  /* vertical budget: status line first, then the banner, the tables, the details */
  const int gap_status = wide ? 4 : 2, gap_tables = wide ? 2 : 0;
  int avail = H - y;
  int banner_h = sc.banner ? pitch : 0;
  const status_fit f =
      fit_status(&sc, cw, avail - banner_h, wide && H >= 100 && avail >= 80 ? 3 : 2);
  if (avail - f.height < banner_h)
    banner_h = 0;
  const bool tables = sc.st && (sc.st->table1.present || sc.st->table2.present) &&
                      avail - f.height - banner_h >= 2 * pitch + gap_tables;
  if (tables) {
    draw_table_line(&col, x, y, "A", &sc.st->table1, cw);
    draw_table_line(&col, x, y + pitch, "B", &sc.st->table2, cw);
    y += 2 * pitch + gap_tables;
  }
  draw_status(&col, &sc, x, y, &f);
  y += f.height + gap_status;
  const int bottom = H - banner_h;
  if (banner_h)
    draw_banner(&col, &sc, x, bottom, cw, banner_h);

  /* details: the progress bar, the error text, then the segments, as lines allow */
  int lines = y < bottom ? (bottom - y + 1) / pitch : 0;
  if (sc.bar && lines > 0) {
    draw_bar(&col, &sc, x, y, cw);
    y += pitch;
    lines--;
  }
  int reserve = sc.nseg > 0 && lines >= 2 ? 1 : 0; /* keep a line for runtime and such */
  if (sc.err_text || sc.err_type) {
    int err_lines = lines - reserve;
    if (sc.err_type && (err_lines >= 3 || (err_lines >= 1 && !sc.err_text))) {
      draw_fit(&col, x, y, sc.err_type, sc.err_type_n, cols, 1);
      y += pitch;
      lines--;
      err_lines--;
    }
    if (sc.err_text && err_lines > 0) {
      int used = draw_wrapped(&col, x, y, pitch, sc.err_text, sc.err_text_n, cols, err_lines);
      y += used * pitch;
      lines -= used;
    }
  }
  if (sc.nseg > 0 && lines > 0) {
    int line_of[MAX_SEGS], level_of[MAX_SEGS], best = 0, best_drop = MAX_SEGS + 1;
    for (int level = 0; level < LEVELS; level++) {
      int d = pack(&sc, level, lines, cols, line_of, level_of);
      if (d < best_drop) {
        best_drop = d;
        best = level;
      }
    }
    pack(&sc, best, lines, cols, line_of, level_of);
    int xs[MAX_SEGS + 1];
    for (int l = 0; l <= MAX_SEGS; l++)
      xs[l] = x;
    for (int i = 0; i < sc.nseg; i++) {
      int l = line_of[i];
      if (l < 0 || l > MAX_SEGS)
        continue;
      char buf[LINE_MAX];
      rd_sb sb;
      rd_sb_init(&sb, buf, sizeof buf);
      build_seg(&sc, sc.seg[i], level_of[i], &sb);
      if (xs[l] > x)
        xs[l] += 2 * RD_CELL_W;
      xs[l] = rd_text(&col, xs[l], y + l * pitch, sb.buf, sb.len, 1, 1);
    }
  }
  return DFD_OK;
}
