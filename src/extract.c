/* Streaming status extractor. A byte-level JSON validator walks the whole body; only the
 * wanted top-level members are copied (normalised) into a small buffer, which jsmn then
 * tokenizes. See docs/EXTRACTOR.md. */
#include "extract.h"

#include <string.h>

#include "dfd_err.h"
#include "number.h"

_Static_assert(DFD_MEMBER_STRING_MAX >= DFD_ERROR_TEXT_MAX &&
                   DFD_MEMBER_STRING_MAX >= DFD_TABLE_MAX &&
                   DFD_MEMBER_STRING_MAX >= DFD_ERROR_TYPE_MAX &&
                   DFD_MEMBER_STRING_MAX >= DFD_TIME_MAX,
               "a string cut while copying must also overflow its field, to be flagged");
_Static_assert(DFD_MEMBER_BUF > 2 * (DFD_JSON_DEPTH_MAX + 1) && DFD_MEMBER_BUF < 65535,
               "member buffer size");
_Static_assert(DFD_MEMBER_TOKENS >= 8 && DFD_MEMBER_TOKENS < 65535, "member token count");
_Static_assert(DFD_KEY_MAX >= 20 && DFD_KEY_MAX < 256, "key buffer size");

enum {
  S_START,        /* before the top-level value */
  S_KEY_OR_END,   /* after '{' */
  S_KEY,          /* after ',' in an object */
  S_COLON,        /* after a key */
  S_VALUE,        /* after ':', or after ',' in an array */
  S_VALUE_OR_END, /* after '[' */
  S_AFTER,        /* after a value */
  S_STRING,
  S_NUMBER,
  S_LITERAL,
  S_END, /* after the top-level object: only whitespace may follow */
};

/* Positions inside a string escape. */
enum { E_NONE, E_BACKSLASH, E_HEX0 /* .. E_HEX0 + 3 */ };

/* Number grammar (RFC 8259); N_ZERO, N_INT, N_FRAC and N_EXP may end a number. */
enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

enum {
  M_ID,
  M_STATUS,
  M_DONE,
  M_RESULT,
  M_KIND,
  M_RUNTIME,
  M_CREATED_AT,
  M_FINISHED_AT,
  M_TABLE1,
  M_TABLE2,
  M_DIFF_PROGRESS,
  M_DIFF_STATS,
  M_MONITOR_ERROR,
  M_DETAIL,
  M_TITLE,
  M_COUNT
};

static const char *const member_names[M_COUNT] = {
    "id",          "status", "done",   "result",        "kind",       "runtime",       "created_at",
    "finished_at", "table1", "table2", "diff_progress", "diff_stats", "monitor_error", "detail",
    "title",
};

static const char *const progress_keys[] = {"completed_steps", "total_steps", NULL};
static const char *const stats_keys[] = {
    "rows_added",        "rows_removed", "diff_rows_count", "match_ratio", "table_a_row_count",
    "table_b_row_count", "diff_pks",     "diff_values",     "diff_schema", "diff_duplicate_pks",
    "diff_null_pks",     "errors",       "sampled",         NULL};
static const char *const monitor_error_keys[] = {"error_type", "error_value", NULL};
static const char *const detail_item_keys[] = {"msg", NULL};

static bool is_ws(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

static bool is_array_at(const dfd_extract *x, unsigned depth) {
  return (x->arrays >> (depth - 1)) & 1u;
}

static int fail(dfd_extract *x, int err) {
  if (x->err == DFD_OK)
    x->err = err;
  return x->err;
}

static bool copying(const dfd_extract *x) {
  return x->member >= 0 && !x->stopped && x->skip_depth == 0;
}

/* ---- the member buffer ------------------------------------------------------------ */

/* Room kept at the end of the buffer for the closing brackets a rollback may need. */
#define MEMBER_LIMIT (DFD_MEMBER_BUF - DFD_JSON_DEPTH_MAX - 1)

static void mark_cut(dfd_extract *x) {
  x->cut_len = x->len;
  x->cut_ntok = x->ntok;
  x->cut_depth = x->depth;
}

/* The member no longer fits: keep what was complete at the last cut, close it now (the
 * containers open at the cut are known only now: later ones reuse the same levels), and
 * skip the rest. MEMBER_LIMIT kept the room for these closers. */
static void overflow(dfd_extract *x) {
  x->len = x->cut_len;
  x->ntok = x->cut_ntok;
  for (unsigned d = x->cut_depth; d >= 2; d--)
    x->buf[x->len++] = is_array_at(x, d) ? ']' : '}';
  x->stopped = true;
}

static void emit(dfd_extract *x, const char *s, size_t n) {
  if (!copying(x))
    return;
  if (x->len + n > MEMBER_LIMIT) {
    overflow(x);
    return;
  }
  memcpy(x->buf + x->len, s, n);
  x->len = (uint16_t)(x->len + n);
}

static void add_token(dfd_extract *x) {
  if (!copying(x))
    return;
  if (x->ntok >= DFD_MEMBER_TOKENS)
    overflow(x);
  else
    x->ntok++;
}

/* A new key or array element inside the member: separate it from the previous one. */
static void element_start(dfd_extract *x) {
  if (!copying(x))
    return;
  char last = x->buf[x->len - 1];
  if (last != '{' && last != '[') {
    mark_cut(x);
    emit(x, ",", 1);
  }
  add_token(x);
}

/* A value starts at the current depth. */
static void value_begin(dfd_extract *x) {
  if (!copying(x))
    return;
  if (x->member == M_DETAIL && x->depth == 2 && x->buf[x->len - 1] != '[') {
    x->skip_depth = x->depth; /* only detail[0] is read: the rest are skipped, not copied */
    return;
  }
  if (x->depth >= 2 && is_array_at(x, x->depth))
    element_start(x);
  else
    add_token(x); /* the member's own value, or an object member's value */
}

static int lookup(const char *const *names, int count, const char *key, size_t len) {
  for (int i = 0; (count < 0 && names[i]) || i < count; i++)
    if (strlen(names[i]) == len && memcmp(names[i], key, len) == 0)
      return i;
  return -1;
}

static const char *const *wanted_keys(int member, unsigned depth) {
  switch (member) {
  case M_DIFF_PROGRESS:
    return depth == 2 ? progress_keys : NULL;
  case M_DIFF_STATS:
    return depth == 2 ? stats_keys : NULL;
  case M_MONITOR_ERROR:
    return depth == 2 ? monitor_error_keys : NULL;
  case M_DETAIL:
    return depth == 3 ? detail_item_keys : NULL;
  default:
    return NULL;
  }
}

static void member_begin(dfd_extract *x, int member) {
  x->member = (int8_t)member;
  x->stopped = false;
  x->skip_depth = 0;
  x->buf[0] = '['; /* a wrapper: jsmn's strict mode rejects a bare top-level primitive */
  x->len = 1;
  x->ntok = 1;
  mark_cut(x);
}

static void apply_member(dfd_extract *x, const jsmntok_t *tokens, int member, int ntok);

static void member_finish(dfd_extract *x) {
  x->buf[x->len++] = ']';
  jsmntok_t tokens[DFD_MEMBER_TOKENS];
  jsmn_parser p;
  jsmn_init(&p);
  int n = jsmn_parse(&p, x->buf, x->len, tokens, DFD_MEMBER_TOKENS);
  if (n < 1) {
    fail(x, DFD_E_JSON_SYNTAX); /* unreachable: the validator passed the same bytes */
  } else {
    if (x->stopped)
      x->out->member_truncated = true;
    apply_member(x, tokens, x->member, n);
  }
  x->member = -1;
}

/* ---- grammar ---------------------------------------------------------------------- */

static void value_done(dfd_extract *x) {
  if (x->skip_depth == x->depth)
    x->skip_depth = 0;
  x->state = S_AFTER;
  if (x->member >= 0 && x->depth == 1)
    member_finish(x);
}

static void key_done(dfd_extract *x) {
  x->state = S_COLON;
  if (x->depth == 1) {
    int m = x->key_long ? -1 : lookup(member_names, M_COUNT, x->key, x->key_len);
    if (m >= 0)
      member_begin(x, m);
    return;
  }
  if (!copying(x))
    return;
  const char *const *keys = wanted_keys(x->member, x->depth);
  if (x->key_long || !keys || lookup(keys, -1, x->key, x->key_len) < 0) {
    x->skip_depth = x->depth;
    return;
  }
  element_start(x);
  emit(x, "\"", 1);
  emit(x, x->key, x->key_len);
  emit(x, "\":", 2);
}

static int open_container(dfd_extract *x, bool array) {
  if (x->depth >= DFD_JSON_DEPTH_MAX)
    return fail(x, DFD_E_JSON_TOO_DEEP);
  if (x->depth >= 1)
    value_begin(x);
  x->depth++;
  if (array)
    x->arrays |= 1ull << (x->depth - 1);
  else
    x->arrays &= ~(1ull << (x->depth - 1));
  if (x->depth >= 2 && copying(x)) {
    emit(x, array ? "[" : "{", 1);
    if (copying(x))
      mark_cut(x);
  }
  x->state = array ? S_VALUE_OR_END : S_KEY_OR_END;
  return DFD_OK;
}

static void close_container(dfd_extract *x) {
  if (x->depth >= 2)
    emit(x, is_array_at(x, x->depth) ? "]" : "}", 1);
  x->depth--;
  if (x->depth == 0) {
    x->ended = true;
    x->state = S_END;
  } else {
    value_done(x);
  }
}

/* ---- strings ---------------------------------------------------------------------- */

static bool key_sink(const dfd_extract *x) { return x->in_key && (x->depth == 1 || copying(x)); }

/* Reserves room for an n-byte character of the current string; false: drop it. */
static bool string_room(dfd_extract *x, unsigned n) {
  if (key_sink(x)) {
    if (x->key_len + n < DFD_KEY_MAX)
      return true;
    x->key_long = true;
    return false;
  }
  if (x->in_key || !copying(x) || x->str_cut)
    return false;
  if (x->str_bytes + n > DFD_MEMBER_STRING_MAX) {
    x->str_cut = true;
    return false;
  }
  x->str_bytes = (uint16_t)(x->str_bytes + n);
  return true;
}

static void string_byte(dfd_extract *x, char c) {
  if (key_sink(x))
    x->key[x->key_len++] = c;
  else
    emit(x, &c, 1);
}

static void put_codepoint(dfd_extract *x, uint32_t cp) {
  char u[4];
  unsigned n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  if (!string_room(x, n))
    return;
  if (key_sink(x)) {
    memcpy(x->key + x->key_len, u, n);
    x->key_len = (uint8_t)(x->key_len + n);
  } else if (cp == '"' || cp == '\\') {
    /* the copy keeps only the escapes jsmn and our decoder need */
    emit(x, "\\", 1);
    emit(x, u, 1);
  } else if (cp < 0x20) {
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 15]};
    emit(x, e, 6);
  } else {
    emit(x, u, n);
  }
}

#define REPLACEMENT 0xFFFDu

static void flush_high_surrogate(dfd_extract *x) {
  if (x->high_surrogate) {
    x->high_surrogate = 0;
    put_codepoint(x, REPLACEMENT);
  }
}

static void put_escaped(dfd_extract *x, uint32_t cp) {
  if (x->high_surrogate) {
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      uint32_t full = 0x10000u + ((uint32_t)(x->high_surrogate - 0xD800) << 10) + (cp - 0xDC00);
      x->high_surrogate = 0;
      put_codepoint(x, full);
      return;
    }
    flush_high_surrogate(x);
  }
  if (cp >= 0xD800 && cp <= 0xDBFF)
    x->high_surrogate = (uint16_t)cp;
  else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0)
    put_codepoint(x, REPLACEMENT);
  else
    put_codepoint(x, cp);
}

static int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static void string_begin(dfd_extract *x, bool key) {
  x->state = S_STRING;
  x->sub = E_NONE;
  x->in_key = key;
  x->utf8_left = 0;
  x->high_surrogate = 0;
  if (key) {
    x->key_len = 0;
    x->key_long = false;
  } else {
    value_begin(x);
    emit(x, "\"", 1);
    x->str_bytes = 0;
    x->str_cut = false;
  }
}

static void string_end(dfd_extract *x) {
  flush_high_surrogate(x);
  if (x->in_key) {
    x->in_key = false;
    key_done(x);
  } else {
    emit(x, "\"", 1);
    value_done(x);
  }
}

/* One byte inside a string (after the opening quote). */
static int string_char(dfd_extract *x, uint8_t c) {
  if (x->utf8_left) {
    if (c < x->utf8_lo || c > x->utf8_hi)
      return fail(x, DFD_E_JSON_BAD_STRING);
    x->utf8_lo = 0x80;
    x->utf8_hi = 0xBF;
    x->utf8_left--;
    if (x->utf8_emit)
      string_byte(x, (char)c);
    return DFD_OK;
  }
  if (x->sub == E_BACKSLASH) {
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    if (c == 'u') {
      x->sub = E_HEX0;
      x->uhex = 0;
      return DFD_OK;
    }
    const char *p = c ? memchr(from, c, sizeof from - 1) : NULL;
    if (!p)
      return fail(x, DFD_E_JSON_BAD_ESCAPE);
    x->sub = E_NONE;
    flush_high_surrogate(x);
    put_codepoint(x, (uint8_t)to[p - from]);
    return DFD_OK;
  }
  if (x->sub >= E_HEX0) {
    int h = hex_value(c);
    if (h < 0)
      return fail(x, DFD_E_JSON_BAD_ESCAPE);
    x->uhex = (uint16_t)(x->uhex << 4 | (unsigned)h);
    if (++x->sub == E_HEX0 + 4) {
      x->sub = E_NONE;
      put_escaped(x, x->uhex);
    }
    return DFD_OK;
  }
  if (c == '"') {
    string_end(x);
    return DFD_OK;
  }
  if (c == '\\') {
    x->sub = E_BACKSLASH;
    return DFD_OK;
  }
  if (c < 0x20)
    return fail(x, DFD_E_JSON_BAD_STRING);
  flush_high_surrogate(x);
  if (c < 0x80) {
    if (string_room(x, 1))
      string_byte(x, (char)c);
    return DFD_OK;
  }
  /* UTF-8 lead byte: well-formed sequences only (RFC 3629: no overlongs, no surrogates) */
  x->utf8_lo = 0x80;
  x->utf8_hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    x->utf8_left = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    x->utf8_left = 2;
    if (c == 0xE0)
      x->utf8_lo = 0xA0;
    else if (c == 0xED)
      x->utf8_hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    x->utf8_left = 3;
    if (c == 0xF0)
      x->utf8_lo = 0x90;
    else if (c == 0xF4)
      x->utf8_hi = 0x8F;
  } else {
    return fail(x, DFD_E_JSON_BAD_STRING);
  }
  x->utf8_emit = string_room(x, x->utf8_left + 1u);
  if (x->utf8_emit)
    string_byte(x, (char)c);
  return DFD_OK;
}

/* ---- numbers and literals ---------------------------------------------------------- */

/* Advances the number grammar by c; false (state unchanged) when c cannot continue it. */
static bool number_char(dfd_extract *x, uint8_t c) {
  bool digit = c >= '0' && c <= '9';
  bool exp = c == 'e' || c == 'E';
  uint8_t next;
  switch (x->sub) {
  case N_MINUS:
    next = c == '0' ? N_ZERO : digit ? N_INT : 0xFF;
    break;
  case N_ZERO:
    next = c == '.' ? N_DOT : exp ? N_E : 0xFF;
    break;
  case N_INT:
    next = digit ? N_INT : c == '.' ? N_DOT : exp ? N_E : 0xFF;
    break;
  case N_DOT:
  case N_FRAC:
    next = digit ? N_FRAC : (exp && x->sub == N_FRAC) ? N_E : 0xFF;
    break;
  case N_E:
    next = (c == '+' || c == '-') ? N_ESIGN : digit ? N_EXP : 0xFF;
    break;
  default: /* N_ESIGN, N_EXP */
    next = digit ? N_EXP : 0xFF;
    break;
  }
  if (next == 0xFF)
    return false;
  x->sub = next;
  return true;
}

static bool number_may_end(uint8_t sub) {
  return sub == N_ZERO || sub == N_INT || sub == N_FRAC || sub == N_EXP;
}

/* A value starts at S_VALUE / S_VALUE_OR_END. */
static int value_char(dfd_extract *x, uint8_t c) {
  char ch = (char)c;
  switch (c) {
  case '{':
    return open_container(x, false);
  case '[':
    return open_container(x, true);
  case '"':
    string_begin(x, false);
    return DFD_OK;
  case 't':
  case 'f':
  case 'n':
    x->literal = c == 't' ? "rue" : c == 'f' ? "alse" : "ull";
    x->state = S_LITERAL;
    value_begin(x);
    emit(x, &ch, 1);
    return DFD_OK;
  default:
    if (c == '-' || (c >= '0' && c <= '9')) {
      x->state = S_NUMBER;
      x->sub = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
      value_begin(x);
      emit(x, &ch, 1);
      return DFD_OK;
    }
    return fail(x, DFD_E_JSON_SYNTAX);
  }
}

static int step(dfd_extract *x, uint8_t c) {
  switch (x->state) {
  case S_STRING:
    return string_char(x, c);
  case S_NUMBER:
    if (number_char(x, c)) {
      char ch = (char)c;
      emit(x, &ch, 1);
      return DFD_OK;
    }
    if (!number_may_end(x->sub) || (c >= '0' && c <= '9'))
      return fail(x, DFD_E_JSON_BAD_NUMBER);
    value_done(x);
    return step(x, c); /* the byte after the number */
  case S_LITERAL:
    if (c != (uint8_t)*x->literal)
      return fail(x, DFD_E_JSON_SYNTAX);
    {
      char ch = (char)c;
      emit(x, &ch, 1);
    }
    if (*++x->literal == '\0')
      value_done(x);
    return DFD_OK;
  default:
    break;
  }
  if (is_ws(c))
    return DFD_OK;
  switch (x->state) {
  case S_START:
    if (c == '{')
      return open_container(x, false);
    if (c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' ||
        c == 'n')
      return fail(x, DFD_E_JSON_NOT_OBJECT);
    return fail(x, DFD_E_JSON_NOT_JSON);
  case S_KEY_OR_END:
    if (c == '}') {
      close_container(x);
      return DFD_OK;
    }
    /* fall through */
  case S_KEY:
    if (c != '"')
      return fail(x, DFD_E_JSON_SYNTAX);
    string_begin(x, true);
    return DFD_OK;
  case S_COLON:
    if (c != ':')
      return fail(x, DFD_E_JSON_SYNTAX);
    x->state = S_VALUE;
    return DFD_OK;
  case S_VALUE_OR_END:
    if (c == ']') {
      close_container(x);
      return DFD_OK;
    }
    /* fall through */
  case S_VALUE:
    return value_char(x, c);
  case S_AFTER: {
    bool array = is_array_at(x, x->depth);
    if (c == ',') {
      x->state = array ? S_VALUE : S_KEY;
      return DFD_OK;
    }
    if (c == (array ? ']' : '}')) {
      close_container(x);
      return DFD_OK;
    }
    return fail(x, DFD_E_JSON_SYNTAX);
  }
  default: /* S_END */
    return fail(x, DFD_E_JSON_TRAILING);
  }
}

void dfd_extract_init(dfd_extract *x, dfd_status *out) {
  memset(x, 0, sizeof *x);
  memset(out, 0, sizeof *out);
  x->out = out;
  x->member = -1;
  x->state = S_START;
}

/* Bytes that end a run of plain string content: '"', '\\', controls and non-ASCII. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_ZERO_BYTE(v) (((v)-ONES) & ~(v)&HIGHS)

static bool simple_escape(uint8_t c) {
  return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
         c == 't';
}

/* Skips string content nobody wants, eight bytes at a time where it can. Stops at the
 * closing quote, a \u escape, a control or non-ASCII byte, or the end of the input: the
 * state machine takes over there. */
static const uint8_t *skip_string(const uint8_t *p, const uint8_t *end) {
  for (;;) {
    while (end - p >= 8) {
      uint64_t v;
      memcpy(&v, p, 8);
      uint64_t stop = HAS_ZERO_BYTE(v ^ (ONES * '"')) | HAS_ZERO_BYTE(v ^ (ONES * '\\')) |
                      ((v - ONES * 0x20) & ~v & HIGHS) | (v & HIGHS);
      if (stop) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        p += __builtin_ctzll(stop) >> 3; /* the lowest flagged byte is a real stop */
#endif
        break;
      }
      p += 8;
    }
    while (p < end && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x80)
      p++;
    if (end - p >= 2 && *p == '\\' && simple_escape(p[1])) {
      p += 2;
      continue;
    }
    return p;
  }
}

int dfd_extract_feed(dfd_extract *x, const void *data, size_t n) {
  const uint8_t *p = data, *end = p + n;
  while (x->err == DFD_OK && p < end) {
    if (x->state == S_STRING) {
      /* most of a body is string content nobody wants */
      if (x->sub == E_NONE && x->utf8_left == 0 && !x->high_surrogate &&
          !(x->in_key ? key_sink(x) : copying(x))) {
        p = skip_string(p, end);
        if (p == end)
          break;
      }
      string_char(x, *p++);
      continue;
    }
    if (x->state != S_NUMBER && x->state != S_LITERAL) {
      while (p < end && is_ws(*p))
        p++;
      if (p == end)
        break;
    }
    step(x, *p++);
  }
  return x->err;
}

int dfd_extract_finish(dfd_extract *x) {
  if (x->err != DFD_OK)
    return x->err;
  if (x->state == S_START)
    return fail(x, DFD_E_JSON_NOT_JSON);
  if (!x->ended)
    return fail(x, DFD_E_JSON_TRUNCATED);
  return DFD_OK;
}

/* ---- reading the member's tokens ---------------------------------------------------- */

/* Index just past the subtree rooted at token i. */
static int skip_token(const jsmntok_t *t, int i, int n) {
  int pending = 1;
  while (pending > 0 && i < n) {
    pending += t[i].size - 1;
    i++;
  }
  return i;
}

static bool token_is(const char *js, const jsmntok_t *t, const char *s) {
  size_t len = strlen(s);
  return (size_t)(t->end - t->start) == len && memcmp(js + t->start, s, len) == 0;
}

/* Decodes a normalised string token (escapes left: \" \\ \u00XX) into dst, cut at a
 * UTF-8 boundary; sets *truncated when it did not fit. Returns the length. */
static size_t decode_string(const char *js, const jsmntok_t *t, char *dst, size_t cap,
                            bool *truncated) {
  size_t o = 0;
  int i = t->start;
  while (i < t->end) {
    char one;
    const char *src = &one;
    size_t n = 1;
    uint8_t c = (uint8_t)js[i];
    if (c == '\\') {
      if (js[i + 1] == 'u') {
        /* the filter wrote these \u00XX escapes itself: the digits are valid hex */
        one = (char)(((unsigned)hex_value((uint8_t)js[i + 4]) & 15u) << 4 |
                     ((unsigned)hex_value((uint8_t)js[i + 5]) & 15u));
        i += 6;
      } else {
        one = js[i + 1];
        i += 2;
      }
    } else {
      n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      src = js + i;
      i += (int)n;
    }
    if (o + n + 1 > cap) {
      *truncated = true;
      break;
    }
    memcpy(dst + o, src, n);
    o += n;
  }
  dst[o] = '\0';
  return o;
}

#define SET_STRING(field, js, t)                                                                   \
  do {                                                                                             \
    if ((t)->type == JSMN_STRING) {                                                                \
      (field).present = true;                                                                      \
      decode_string(js, t, (field).s, sizeof(field).s, &(field).truncated);                        \
    }                                                                                              \
  } while (0)

static void set_number(const char *js, const jsmntok_t *t, dfd_num *out) {
  if (t->type == JSMN_PRIMITIVE && js[t->start] != 't' && js[t->start] != 'f' &&
      js[t->start] != 'n') {
    if (dfd_parse_number(js + t->start, (size_t)(t->end - t->start), out) != DFD_OK)
      out->present = false;
  }
}

/* An integer field takes a number whose exact value is an integer that fits int64:
 * 1e3 is 1000; 2.5 and 1e30 are not integers here. Decided on the decimal text. */
static bool exact_int64(const char *s, size_t n, int64_t *out) {
  size_t i = 0, first_sig = n;
  bool neg = s[0] == '-', after_point = false;
  long frac = 0, sig = 0, trailing_zeros = 0, exp10 = 0;
  if (neg)
    i++;
  for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
    if (s[i] == '.') {
      after_point = true;
      continue;
    }
    if (after_point)
      frac++;
    if (first_sig == n && s[i] != '0')
      first_sig = i;
    if (first_sig != n) {
      sig++;
      trailing_zeros = s[i] == '0' ? trailing_zeros + 1 : 0;
    }
  }
  if (i < n) { /* exponent; clamped, as only small ones can give an int64 */
    bool eneg = false;
    i++;
    if (s[i] == '+' || s[i] == '-')
      eneg = s[i++] == '-';
    for (; i < n; i++)
      if (exp10 < 100000)
        exp10 = exp10 * 10 + (s[i] - '0');
    if (eneg)
      exp10 = -exp10;
  }
  if (first_sig == n) { /* every digit is zero */
    *out = 0;
    return true;
  }
  long keep = sig - trailing_zeros;
  long scale = exp10 - frac + trailing_zeros;
  if (scale < 0 || keep + scale > 19)
    return false;
  uint64_t v = 0; /* below 10^19 < 2^64: no wrap */
  for (size_t j = first_sig; keep > 0; j++) {
    if (s[j] != '.') {
      v = v * 10 + (uint64_t)(s[j] - '0');
      keep--;
    }
  }
  for (long k = 0; k < scale; k++)
    v *= 10;
  if (v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
    return false;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

static void set_int(const char *js, const jsmntok_t *t, dfd_int *out) {
  char c = js[t->start];
  if (t->type == JSMN_PRIMITIVE && (c == '-' || (c >= '0' && c <= '9')))
    out->present = exact_int64(js + t->start, (size_t)(t->end - t->start), &out->v);
}

static void set_bool(const char *js, const jsmntok_t *t, dfd_bool *out) {
  if (t->type == JSMN_PRIMITIVE && (js[t->start] == 't' || js[t->start] == 'f')) {
    out->present = true;
    out->v = js[t->start] == 't';
  }
}

/* Maps a string token onto an enum; unknown text keeps UNKNOWN. Returns 0 if absent. */
static int set_enum(const char *js, const jsmntok_t *t, const char *const *names, int count,
                    char *text, size_t cap) {
  if (t->type != JSMN_STRING)
    return 0;
  bool cut = false;
  decode_string(js, t, text, cap, &cut);
  for (int i = 2; i < count; i++)
    if (!cut && names[i] && token_is(js, t, names[i]))
      return i;
  return 1; /* UNKNOWN */
}

static void set_table(const char *js, const jsmntok_t *t, int n, bool cut, dfd_str_table *out) {
  if (t->type == JSMN_STRING) {
    SET_STRING(*out, js, t);
  } else if (t->type == JSMN_ARRAY) {
    size_t o = 0;
    int i = 1;
    for (int k = 0; k < t->size; k++) {
      if (t[i].type != JSMN_STRING)
        return;
      i = skip_token(t, i, n);
    }
    out->present = true;
    i = 1;
    for (int k = 0; k < t->size && !out->truncated; k++, i++) {
      if (k > 0) {
        if (o + 2 > sizeof out->s) {
          out->truncated = true;
          break;
        }
        out->s[o++] = '.';
      }
      o += decode_string(js, &t[i], out->s + o, sizeof out->s - o, &out->truncated);
    }
    out->s[o] = '\0';
  }
  if (out->present && cut)
    out->truncated = true;
}

static void apply_object(const char *js, const jsmntok_t *t, int n, dfd_status *o, int member) {
  int i = 1;
  for (int k = 0; k < t->size && i + 1 < n; k++) {
    const jsmntok_t *key = &t[i], *v = &t[i + 1];
    if (member == M_DIFF_PROGRESS) {
      dfd_int *f = token_is(js, key, "completed_steps") ? &o->progress.completed_steps
                   : token_is(js, key, "total_steps")   ? &o->progress.total_steps
                                                        : NULL;
      if (f) {
        *f = (dfd_int){0};
        set_int(js, v, f);
      }
    } else if (member == M_MONITOR_ERROR) {
      if (token_is(js, key, "error_type")) {
        memset(&o->monitor_error.type, 0, sizeof o->monitor_error.type);
        SET_STRING(o->monitor_error.type, js, v);
      } else if (token_is(js, key, "error_value")) {
        memset(&o->monitor_error.value, 0, sizeof o->monitor_error.value);
        SET_STRING(o->monitor_error.value, js, v);
      }
    } else {
      dfd_int *ints[] = {&o->stats.rows_added,        &o->stats.rows_removed,
                         &o->stats.diff_rows_count,   &o->stats.table_a_row_count,
                         &o->stats.table_b_row_count, &o->stats.errors};
      static const char *const int_names[] = {"rows_added",        "rows_removed",
                                              "diff_rows_count",   "table_a_row_count",
                                              "table_b_row_count", "errors"};
      dfd_num *nums[] = {&o->stats.match_ratio,        &o->stats.diff_pks,
                         &o->stats.diff_values,        &o->stats.diff_schema,
                         &o->stats.diff_duplicate_pks, &o->stats.diff_null_pks};
      static const char *const num_names[] = {"match_ratio", "diff_pks",           "diff_values",
                                              "diff_schema", "diff_duplicate_pks", "diff_null_pks"};
      for (int f = 0; f < 6; f++) {
        if (token_is(js, key, int_names[f])) {
          *ints[f] = (dfd_int){0};
          set_int(js, v, ints[f]);
        } else if (token_is(js, key, num_names[f])) {
          *nums[f] = (dfd_num){0};
          set_number(js, v, nums[f]);
        }
      }
      if (token_is(js, key, "sampled")) {
        o->stats.sampled = (dfd_bool){0};
        set_bool(js, v, &o->stats.sampled);
      }
    }
    i = skip_token(t, i + 1, n);
  }
}

static void apply_member(dfd_extract *x, const jsmntok_t *tokens, int member, int ntok) {
  dfd_status *o = x->out;
  const char *js = x->buf;
  const jsmntok_t *t = &tokens[1];
  int n = ntok - 1;
  bool present = tokens[0].size > 0;
  switch (member) { /* a repeated key replaces what an earlier one set */
  case M_ID:
    o->id = (dfd_int){0};
    if (present)
      set_int(js, t, &o->id);
    break;
  case M_STATUS:
    o->status = DFD_JOB_ABSENT;
    o->status_text[0] = '\0';
    if (present)
      o->status = (dfd_job_status)set_enum(js, t, dfd_job_status_names, DFD_JOB_CANCELLED + 1,
                                           o->status_text, sizeof o->status_text);
    break;
  case M_DONE:
    o->done = (dfd_bool){0};
    if (present)
      set_bool(js, t, &o->done);
    break;
  case M_RESULT:
    o->result = DFD_RESULT_ABSENT;
    o->result_text[0] = '\0';
    if (present)
      o->result = (dfd_result)set_enum(js, t, dfd_result_names, DFD_RESULT_ERROR + 1,
                                       o->result_text, sizeof o->result_text);
    break;
  case M_KIND:
    memset(&o->kind, 0, sizeof o->kind);
    if (present)
      SET_STRING(o->kind, js, t);
    break;
  case M_RUNTIME:
    o->runtime = (dfd_num){0};
    if (present)
      set_number(js, t, &o->runtime);
    break;
  case M_CREATED_AT:
    memset(&o->created_at, 0, sizeof o->created_at);
    if (present)
      SET_STRING(o->created_at, js, t);
    break;
  case M_FINISHED_AT:
    memset(&o->finished_at, 0, sizeof o->finished_at);
    if (present)
      SET_STRING(o->finished_at, js, t);
    break;
  case M_TABLE1:
  case M_TABLE2: {
    dfd_str_table *tab = member == M_TABLE1 ? &o->table1 : &o->table2;
    memset(tab, 0, sizeof *tab);
    if (present)
      set_table(js, t, n, x->stopped, tab);
    break;
  }
  case M_DIFF_PROGRESS:
    memset(&o->progress, 0, sizeof o->progress);
    if (present && t->type == JSMN_OBJECT)
      apply_object(js, t, n, o, member);
    break;
  case M_DIFF_STATS:
    memset(&o->stats, 0, sizeof o->stats);
    if (present && t->type == JSMN_OBJECT) {
      o->stats.present = true;
      apply_object(js, t, n, o, member);
    }
    break;
  case M_MONITOR_ERROR:
    memset(&o->monitor_error, 0, sizeof o->monitor_error);
    if (present && t->type == JSMN_OBJECT) {
      o->monitor_error.present = true;
      apply_object(js, t, n, o, member);
    }
    break;
  case M_DETAIL:
    memset(&o->error_detail, 0, sizeof o->error_detail);
    if (!present)
      break;
    if (t->type == JSMN_STRING) {
      SET_STRING(o->error_detail, js, t);
    } else if (t->type == JSMN_ARRAY && t->size > 0 && t[1].type == JSMN_OBJECT) {
      const jsmntok_t *item = &t[1];
      int i = 2;
      for (int k = 0; k < item->size && i + 1 < n; k++) {
        if (token_is(js, &t[i], "msg"))
          SET_STRING(o->error_detail, js, &t[i + 1]);
        i = skip_token(t, i + 1, n);
      }
    }
    break;
  default: /* M_TITLE */
    memset(&o->error_title, 0, sizeof o->error_title);
    if (present)
      SET_STRING(o->error_title, js, t);
    break;
  }
}
