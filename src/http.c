/* HTTP/1.1 request writer and incremental response parser (RFC 9110, RFC 9112).
 * One state machine walks the header bytes one at a time so any chunking of the input
 * gives the same result; body bytes are handed on as slices of the caller's buffer. */
#include "http.h"

#include <string.h>

#include "dfd_err.h"
#include "rfc3339.h"

/* The status line's fixed part and the longest HTTP-date (RFC 850) must fit line_. */
#if DFD_HTTP_LINE_MAX < 40 || DFD_HTTP_REASON_MAX < 1 || DFD_HTTP_LOCATION_MAX < 2 ||              \
    DFD_HTTP_CONTENT_TYPE_MAX < 2
#error "DFD_HTTP_LINE_MAX must be at least 40, the other DFD_HTTP_*_MAX at least 2"
#endif

/* Parser states. The order matters: err_for() maps ranges of them to error codes. */
enum {
  S_START,  /* nothing received yet: EOF here is DFD_E_CLOSED */
  S_STATUS, /* status line */
  S_LINE,   /* first byte of a header line: a fold, the empty line or a name */
  S_NAME,
  S_VALUE,
  S_CSIZE,  /* chunk size digits */
  S_CWS,    /* after the digits: BWS, ';' or the line end */
  S_CEXT,   /* chunk extensions, skipped */
  S_CEND,   /* the CRLF after chunk data */
  S_TLINE,  /* first byte of a trailer line */
  S_TSKIP,  /* rest of a trailer line */
  S_BLEN,   /* body framed by Content-Length */
  S_BCLOSE, /* body delimited by the connection close */
  S_CDATA,  /* chunk data */
  S_DONE
};

/* header_id_: -1 means no header line yet (a fold there is an error), 0 a header we skip. */
enum { H_NONE = -1, H_OTHER, H_CL, H_TE, H_CONN, H_RETRY, H_DATE, H_LOC, H_CTYPE };
/* The names in H_ order, NUL-separated: one string costs less than a pointer table. */
static const char header_names[] = "content-length\0transfer-encoding\0connection\0"
                                   "retry-after\0date\0location\0content-type";

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

static bool equals(const char *s, uint32_t n, const char *lit) {
  return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Decimal digits only (no sign, no space), overflow-checked. */
static int parse_dec(const char *s, uint32_t n, int64_t *out) {
  int64_t v = 0;
  if (!n)
    return -1;
  for (uint32_t i = 0; i < n; i++) {
    int d = s[i] - '0';
    if (!is_digit((uint8_t)s[i]) || v > (INT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

/* HTTP-date in any of its three forms, lower-cased with whitespace runs collapsed:
 * "sun, 06 nov 1994 08:49:37 gmt", "sunday, 06-nov-94 08:49:37 gmt",
 * "sun nov 6 08:49:37 1994". Fields are recognised by shape rather than position, which
 * accepts all three with one loop. Returns Unix seconds, or -1 when invalid. */
static int64_t parse_date(const char *s, uint32_t n) {
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  static const uint8_t mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int mon = -1, day = -1, year = -1, t[3] = {0}, nt = 0;
  uint32_t i = 0;
  while (i < n) {
    uint32_t b = i;
    if (is_digit((uint8_t)s[i])) {
      int v = 0;
      while (i < n && is_digit((uint8_t)s[i]) && i - b < 5)
        v = v * 10 + (s[i++] - '0');
      uint32_t len = i - b;
      if (len > 4)
        return -1;
      if ((i < n && s[i] == ':') || (b > 0 && s[b - 1] == ':')) {
        if (nt == 3)
          return -1;
        t[nt++] = v;
      } else if (day < 0 && len <= 2) {
        day = v;
      } else if (year < 0 && day >= 0 && (len == 2 || len == 4)) {
        /* RFC 850 two-digit years: without a clock, pivot at 1970 like curl. */
        year = len == 4 ? v : v < 70 ? 2000 + v : 1900 + v;
      } else {
        return -1;
      }
    } else if (s[i] >= 'a' && s[i] <= 'z') {
      while (i < n && s[i] >= 'a' && s[i] <= 'z')
        i++;
      for (int k = 0; i - b == 3 && k < 12; k++)
        if (memcmp(s + b, months + (size_t)3 * (size_t)k, 3) == 0) {
          if (mon >= 0)
            return -1;
          mon = k;
        }
    } else if (s[i] == ' ' || s[i] == ',' || s[i] == '-' || s[i] == ':') {
      i++;
    } else {
      return -1;
    }
  }
  if (mon < 0 || year < 1970 || nt != 3 || day < 1 || day > mdays[mon] || t[0] > 23 || t[1] > 59 ||
      t[2] > 60)
    return -1;
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (mon == 1 && day == 29 && !leap)
    return -1;
  return dfd_days_from_civil((unsigned)year, (unsigned)mon + 1, (unsigned)day) * 86400 +
         (int64_t)t[0] * 3600 + (int64_t)t[1] * 60 + t[2];
}

/* ---------------------------------------------------------------- request writer */

typedef struct {
  char *buf;
  size_t cap, len;
  bool over;
} writer;

static void put(writer *w, const char *s, size_t n) {
  if (w->over || n > w->cap - w->len) {
    w->over = true;
    return;
  }
  memcpy(w->buf + w->len, s, n);
  w->len += n;
}

static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

/* True when s holds a byte below min or DEL: CR/LF would inject header lines. */
static bool bad_text(const char *s, unsigned min) {
  for (; *s; s++)
    if ((unsigned char)*s < min || *s == 0x7F)
      return true;
  return false;
}

int dfd_http_write_request(char *buf, size_t cap, const dfd_http_request *req, size_t *len) {
  static const char hex[] = "0123456789ABCDEF";
  if (len)
    *len = 0;
  if (!req || !len || !buf || !req->host || !req->user_agent)
    return DFD_E_ARG;
  const char *base = req->base_path ? req->base_path : "";
  if (!*req->host || bad_text(req->host, 0x21) || bad_text(base, 0x21) ||
      bad_text(req->user_agent, 0x20) || (req->api_key && bad_text(req->api_key, 0x20)) ||
      (*base && *base != '/') || strpbrk(base, "?#") || req->id < 0)
    return DFD_E_ARG;

  /* One template instead of a call per piece keeps the writer small on a microcontroller:
   * bytes 1-5 insert a field, 6 and 7 bracket the poll and key parts (left out when NULL),
   * 8 inserts the percent-encoded poll value. */
  static const char tmpl[] = "GET \1/api/v1/datadiffs/\2\6?poll=\10\6 HTTP/1.1\r\nHost: \3\r\n"
                             "User-Agent: \4\r\nAccept: application/json\r\n"
                             "\7Authorization: Key \5\r\n\7Connection: keep-alive\r\n\r\n";
  char num[20];
  size_t k = sizeof num - 1;
  int64_t id = req->id;
  num[k] = 0;
  do
    num[--k] = (char)('0' + id % 10);
  while ((id /= 10) != 0);
  const char *field[] = {base, num + k, req->host, req->user_agent, req->api_key};
  writer w = {buf, cap, 0, false};
  bool skip = false;
  for (const char *t = tmpl; *t; t++) {
    if (*t == 6 || *t == 7) {
      skip = !skip && !(*t == 6 ? req->poll : req->api_key);
    } else if (skip) {
      continue;
    } else if (*t == 8) {
      for (const unsigned char *p = (const unsigned char *)req->poll; *p; p++) {
        char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        bool plain = is_digit(*p) || (lower(*p) >= 'a' && lower(*p) <= 'z') || *p == '-' ||
                     *p == '.' || *p == '_' || *p == '~';
        if (plain)
          put(&w, (const char *)p, 1);
        else
          put(&w, e, 3);
      }
    } else if (*t <= 5) {
      puts_(&w, field[*t - 1]);
    } else {
      put(&w, t, 1);
    }
  }
  if (w.over)
    return DFD_E_REQUEST_TOO_LONG;
  *len = w.len;
  return DFD_OK;
}

/* ---------------------------------------------------------------- response parser */

void dfd_http_response_init(dfd_http_response *r) {
  memset(r, 0, sizeof *r);
  r->content_length = -1;
  r->retry_after_s = -1;
  r->retry_after_epoch = -1;
  r->date_epoch = -1;
  r->header_id_ = H_NONE;
}

static int err_for(int state) {
  return state <= S_STATUS  ? DFD_E_HTTP_STATUS_LINE
         : state <= S_VALUE ? DFD_E_HTTP_HEADER
                            : DFD_E_HTTP_CHUNK;
}

/* Where the current header's value goes; line_ holds it lower-cased. */
static char *value_dest(dfd_http_response *r, uint32_t *cap) {
  if (r->header_id_ == H_LOC) {
    *cap = DFD_HTTP_LOCATION_MAX - 1;
    return r->location;
  }
  if (r->header_id_ == H_CTYPE) {
    *cap = DFD_HTTP_CONTENT_TYPE_MAX - 1;
    return r->content_type;
  }
  *cap = DFD_HTTP_LINE_MAX;
  return r->line_;
}

/* Appends one byte; line_len_ stops at cap + 1, which marks an overflow. */
static void store(dfd_http_response *r, uint8_t c) {
  uint32_t cap;
  char *dst = value_dest(r, &cap);
  if (dst == r->line_ && r->header_id_ != H_NONE) /* the status line keeps its case */
    c = lower(c);
  if (r->line_len_ < cap)
    dst[r->line_len_] = (char)c;
  if (r->line_len_ <= cap)
    r->line_len_++;
}

static int status_line(dfd_http_response *r) {
  const char *s = r->line_;
  uint32_t n = r->line_len_ > DFD_HTTP_LINE_MAX ? DFD_HTTP_LINE_MAX : r->line_len_;
  if (n > 5 && is_digit((uint8_t)s[5]) && s[5] != '1')
    return DFD_E_HTTP_VERSION;
  if (n < 12 || s[5] != '1' || s[6] != '.' || !is_digit((uint8_t)s[7]) || s[8] != ' ' ||
      s[9] < '1' || s[9] > '9' || !is_digit((uint8_t)s[10]) || !is_digit((uint8_t)s[11]) ||
      (n > 12 && s[12] != ' '))
    return DFD_E_HTTP_STATUS_LINE;
  r->http_minor_ = s[7] - '0';
  r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
  /* 101 would switch the connection to another protocol; we never ask for one. */
  if (r->status == 101)
    return DFD_E_HTTP_STATUS_LINE;
  if (r->status < 200 && ++r->interim_count_ > DFD_HTTP_MAX_1XX)
    return DFD_E_HTTP_TOO_MANY_1XX;
  uint32_t m = n > 13 ? n - 13 : 0;
  if (m > DFD_HTTP_REASON_MAX - 1)
    m = DFD_HTTP_REASON_MAX - 1;
  memcpy(r->reason, s + 13, m);
  r->reason[m] = 0;
  r->state_ = S_LINE;
  return 0;
}

/* One element of a list header (Content-Length, Transfer-Encoding, Connection). */
static int list_element(dfd_http_response *r) {
  const char *s = r->line_;
  uint32_t n = r->line_len_;
  int id = r->header_id_;
  if (n > DFD_HTTP_LINE_MAX)
    return id == H_CONN ? 0 : DFD_E_HTTP_HEADER;
  if (id == H_CL) {
    int64_t v;
    /* RFC 9110 8.6: "5, 5" is one length repeated; different lengths are fatal. */
    if (parse_dec(s, n, &v) || (r->content_length >= 0 && r->content_length != v))
      return DFD_E_HTTP_LENGTH;
    r->content_length = v;
  } else if (n && id == H_TE) {
    r->te_ = true;
    r->te_chunked_ = equals(s, n, "chunked");
  } else if (id == H_CONN) {
    if (equals(s, n, "close"))
      r->connection_close_ = true;
    if (equals(s, n, "keep-alive"))
      r->connection_keep_alive_ = true;
  }
  return 0;
}

static int end_header(dfd_http_response *r) {
  int id = r->header_id_;
  uint32_t n = r->line_len_;
  if (id <= H_OTHER)
    return 0;
  if (id <= H_CONN)
    return list_element(r);
  if (id >= H_LOC) {
    uint32_t cap;
    char *dst = value_dest(r, &cap);
    dst[n > cap ? cap : n] = 0;
    if (id == H_LOC)
      r->location_truncated = n > cap;
    return 0;
  }
  if (n > DFD_HTTP_LINE_MAX)
    return DFD_E_HTTP_HEADER;
  int64_t v = parse_date(r->line_, n);
  if (id == H_DATE) {
    r->date_epoch = v;
  } else if (parse_dec(r->line_, n, &r->retry_after_s) != 0) {
    uint32_t digits = 0;
    while (digits < n && is_digit((uint8_t)r->line_[digits]))
      digits++;
    if (n > 0 && digits == n) /* delta-seconds beyond int64: "a very long time" */
      r->retry_after_s = INT64_MAX;
    else if (v >= 0)
      r->retry_after_epoch = v;
  }
  return 0;
}

static int end_headers(dfd_http_response *r) {
  if (r->status < 200) {
    /* An interim response: forget its fields and read the next status line. */
    int count = r->interim_count_;
    bool head = r->head_request_;
    dfd_http_response_init(r);
    r->interim_count_ = count;
    r->head_request_ = head;
    r->state_ = S_STATUS;
    return 0;
  }
  bool ka =
      r->http_minor_ ? !r->connection_close_ : r->connection_keep_alive_ && !r->connection_close_;
  /* Both framings present smells of request smuggling, and HTTP/1.0 has no chunked:
   * either way the framing is suspect (RFC 9112 6.1), so finish this one, then close. */
  if (r->te_ && (r->content_length >= 0 || !r->http_minor_))
    ka = false;
  r->headers_done = true;
  if (r->status == 204 || r->status == 304 || r->head_request_) {
    r->state_ = S_DONE;
  } else if (r->te_) {
    r->content_length = -1;
    r->chunked = r->te_chunked_;
    r->state_ = r->chunked ? S_CSIZE : S_BCLOSE;
  } else if (r->content_length >= 0) {
    r->remaining_ = r->content_length;
    r->state_ = r->remaining_ ? S_BLEN : S_DONE;
  } else {
    r->state_ = S_BCLOSE;
  }
  r->keep_alive = ka && r->state_ != S_BCLOSE;
  r->remaining_ = r->state_ == S_BLEN ? r->remaining_ : 0;
  r->line_len_ = 0;
  return 0;
}

/* One byte of a line-oriented part (status line, headers, chunk framing, trailers). */
static int step(dfd_http_response *r, uint8_t c) {
  if (r->state_ == S_START)
    r->state_ = S_STATUS;
  int st = r->state_;
  int err = err_for(st);
  bool eol = c == '\n';
  /* A CR must end the line; other control bytes never belong in the framing. */
  if ((r->cr_ && !eol) || (c < 0x20 && c != '\t' && c != '\r' && !eol) || c == 0x7F)
    return err;
  r->cr_ = c == '\r';
  if (r->cr_)
    return 0;

  switch (st) {
  case S_STATUS:
    if (eol)
      return status_line(r);
    if (r->line_len_ < 5 && c != (uint8_t) "HTTP/"[r->line_len_])
      return err;
    store(r, c);
    return 0;

  case S_LINE:
    if (c == ' ' || c == '\t') {
      /* obs-fold: RFC 9112 5.2 has a user agent replace it with a space. */
      if (r->header_id_ == H_NONE)
        return err;
      r->ws_ = true;
      r->state_ = S_VALUE;
      return 0;
    }
    {
      int rc = end_header(r);
      if (rc)
        return rc;
    }
    if (eol)
      return end_headers(r);
    r->line_len_ = 0;
    r->header_id_ = H_OTHER;
    r->state_ = S_NAME;
    /* fall through */
  case S_NAME:
    if (c == ':' && r->line_len_) {
      const char *name = header_names;
      for (int k = H_CL; k <= H_CTYPE; k++, name += strlen(name) + 1)
        if (equals(r->line_, r->line_len_, name))
          r->header_id_ = k;
      r->line_len_ = 0;
      r->ws_ = false;
      r->state_ = S_VALUE;
      return 0;
    }
    /* No colon, or whitespace before it (RFC 9112 5.1 forbids it). */
    if (c <= ' ' || c >= 0x7F || c == ':')
      return err;
    store(r, c);
    return 0;

  case S_VALUE:
    if (eol) {
      r->state_ = S_LINE; /* the value ends unless the next line is a fold */
    } else if (c == ' ' || c == '\t') {
      r->ws_ = true;
    } else if (c == ',' && r->header_id_ >= H_CL && r->header_id_ <= H_CONN) {
      int rc = list_element(r);
      r->line_len_ = 0;
      r->ws_ = false;
      return rc;
    } else if (r->header_id_ > H_OTHER) {
      /* Leading and trailing whitespace go; inner runs become one space. */
      if (r->ws_ && r->line_len_)
        store(r, ' ');
      r->ws_ = false;
      store(r, c);
    }
    return 0;

  case S_CSIZE: {
    int d = is_digit(c) ? c - '0' : lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10 : -1;
    if (d >= 0) {
      if (r->remaining_ > INT64_MAX >> 4)
        return err;
      r->remaining_ = r->remaining_ * 16 + d;
      r->line_len_ = 1;
      return 0;
    }
    if (!r->line_len_)
      return err;
    r->state_ = S_CWS;
  }
    /* fall through */
  case S_CWS:
    if (c == ' ' || c == '\t')
      return 0;
    if (c == ';')
      r->state_ = S_CEXT;
    else if (!eol)
      return err;
    /* fall through */
  case S_CEXT:
    /* Extensions, quoted or not, never hold a line break: skip to it. */
    if (eol)
      r->state_ = r->remaining_ ? S_CDATA : S_TLINE;
    return 0;

  case S_CEND:
    if (!eol)
      return err;
    r->state_ = S_CSIZE;
    r->line_len_ = 0;
    return 0;

  case S_TLINE:
    r->state_ = eol ? S_DONE : S_TSKIP;
    return 0;

  default: /* S_TSKIP */
    if (eol)
      r->state_ = S_TLINE;
    return 0;
  }
}

int dfd_http_feed(dfd_http_response *r, const uint8_t *data, size_t n, size_t *used,
                  dfd_http_body_fn on_body, void *ctx) {
  size_t i = 0;
  int rc = r->err_;
  while (!rc && i < n && r->state_ != S_DONE) {
    int st = r->state_;
    if (st < S_BLEN) {
      rc = step(r, data[i]);
      if (!rc)
        i++;
      continue;
    }
    size_t k = n - i;
    if (st != S_BCLOSE && (uint64_t)r->remaining_ < k)
      k = (size_t)r->remaining_;
    if (st != S_BCLOSE) {
      r->remaining_ -= (int64_t)k;
      if (!r->remaining_)
        r->state_ = st == S_BLEN ? S_DONE : S_CEND;
    }
    r->body_bytes += (int64_t)k;
    i += k;
    if (on_body)
      rc = on_body(ctx, data + i - k, k);
  }
  if (used)
    *used = i;
  r->err_ = rc;
  return rc ? rc : r->state_ == S_DONE;
}

int dfd_http_eof(dfd_http_response *r) {
  if (r->err_)
    return r->err_;
  if (r->state_ == S_BCLOSE)
    r->state_ = S_DONE;
  if (r->state_ == S_DONE)
    return 1;
  r->err_ = r->state_ == S_START ? DFD_E_CLOSED : DFD_E_HTTP_TRUNCATED;
  return r->err_;
}
