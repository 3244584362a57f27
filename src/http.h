/* HTTP/1.1: the request writer and an incremental response parser. Pure: bytes in,
 * values out; no I/O, no allocation. The body is handed to a callback as it arrives. */
#ifndef DFD_HTTP_H
#define DFD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfd_config.h"

#ifndef DFD_HTTP_LOCATION_MAX
#define DFD_HTTP_LOCATION_MAX 192
#endif
#ifndef DFD_HTTP_CONTENT_TYPE_MAX
#define DFD_HTTP_CONTENT_TYPE_MAX 48
#endif
#ifndef DFD_HTTP_REASON_MAX
#define DFD_HTTP_REASON_MAX 48
#endif
/* Bytes of a header name or of a wanted header's value held while parsing. */
#ifndef DFD_HTTP_LINE_MAX
#define DFD_HTTP_LINE_MAX 80
#endif
/* Interim (1xx) responses accepted before the final one. */
#ifndef DFD_HTTP_MAX_1XX
#define DFD_HTTP_MAX_1XX 16
#endif

typedef struct {
  const char *host;      /* Host header value, with ":port" when not the default */
  const char *base_path; /* "" or "/prefix" (no trailing slash) */
  int64_t id;
  const char *poll;    /* NULL: no ?poll=; else the raw value, percent-encoded here */
  const char *api_key; /* NULL: no Authorization header */
  const char *user_agent;
} dfd_http_request;

/** Writes the GET request for one diff into buf (never past cap):
 *    GET {base_path}/api/v1/datadiffs/{id}[?poll=...] HTTP/1.1, then Host, User-Agent,
 *    Accept: application/json, [Authorization: Key {api_key}], Connection: keep-alive.
 *  Every byte of poll outside [A-Za-z0-9-._~] is percent-encoded (%XX, upper case).
 *  In: host and user_agent required; base_path NULL is taken as "".
 *  Out: *len bytes written (no NUL); 0 on error.
 *  Returns DFD_OK; DFD_E_REQUEST_TOO_LONG when it does not fit (buf may hold a prefix);
 *  DFD_E_ARG when req, buf, len, host or user_agent is NULL, host is empty, any field
 *  holds a control byte (CR, LF, TAB, DEL, ...: header injection), host or base_path
 *  holds a space, base_path is neither "" nor starts with '/', or holds '?' or '#', or
 *  the id is negative. Arguments are checked before anything is written. */
int dfd_http_write_request(char *buf, size_t cap, const dfd_http_request *req, size_t *len);

/** Body bytes as they arrive (already de-chunked), as slices of the fed buffer. A non-zero
 *  return (use a negative code: 1 means "complete" to the caller) aborts parsing and is
 *  returned by dfd_http_feed, then by every later call. */
typedef int (*dfd_http_body_fn)(void *ctx, const uint8_t *data, size_t n);

typedef struct {
  /* --- results, valid once headers_done --- */
  int status; /* final (non-1xx) status code */
  char reason[DFD_HTTP_REASON_MAX];
  bool headers_done;
  bool keep_alive;        /* the connection may carry the next request */
  int64_t content_length; /* -1 when absent */
  bool chunked;
  int64_t retry_after_s;     /* -1 absent; seconds form */
  int64_t retry_after_epoch; /* -1 absent; HTTP-date form, Unix seconds */
  int64_t date_epoch;        /* -1 absent; the Date header, Unix seconds */
  char location[DFD_HTTP_LOCATION_MAX];
  bool location_truncated;
  char content_type[DFD_HTTP_CONTENT_TYPE_MAX];
  int64_t body_bytes; /* body bytes delivered so far */
  /* --- private parser state --- */
  int state_;
  int err_; /* sticky: non-zero once an error or a callback abort happened */
  int interim_count_;
  int http_minor_;
  int header_id_;
  bool head_request_; /* set after init for a HEAD request: no body is read */
  bool connection_close_;
  bool connection_keep_alive_;
  bool te_;         /* Transfer-Encoding present */
  bool te_chunked_; /* its last coding is chunked */
  bool cr_;         /* a CR was seen: the next byte must be LF */
  bool ws_;         /* whitespace pending inside a header value */
  int64_t remaining_;
  uint32_t line_len_; /* stops at its buffer's capacity + 1, meaning "overflowed" */
  char line_[DFD_HTTP_LINE_MAX];
} dfd_http_response;

/** Prepares r for one response (call again before the next one on the same connection).
 *  Header-derived fields: status and reason (cut to DFD_HTTP_REASON_MAX - 1 bytes) from
 *  the final status line; content_length (-1 when absent or overridden by
 *  Transfer-Encoding); chunked; retry_after_s (delta-seconds) or retry_after_epoch
 *  (HTTP-date in IMF-fixdate, RFC 850 or asctime form; two-digit years below 70 are
 *  20xx); date_epoch; location (location_truncated when cut); content_type (cut). An
 *  invalid Retry-After or Date is ignored. Folded (obs-fold) lines are unfolded with a
 *  space; whitespace runs inside stored values become one space. 1xx responses are
 *  skipped with their headers; keep_alive is false for HTTP/1.0 without
 *  "Connection: keep-alive", on "Connection: close", for close-delimited bodies and when
 *  both Transfer-Encoding and Content-Length were sent, or Transfer-Encoding in HTTP/1.0. */
void dfd_http_response_init(dfd_http_response *r);

/** Feeds n bytes received from the server; any chunking gives the same result.
 *  Out: *used (may be NULL) bytes consumed: n when more is needed; on completion the end
 *  of the response (bytes after it are not consumed: the next response, or extra data for
 *  the caller to judge); on an error the bytes before the offending one; on a callback
 *  abort the bytes up to the end of the slice that was delivered.
 *  Returns 0 when more bytes are needed, 1 when the response is complete (also on later
 *  calls, with *used 0), the callback's non-zero return, or a negative error:
 *  DFD_E_HTTP_STATUS_LINE (not "HTTP/1.x NNN[ reason]", a control byte in it, status
 *  below 100, or 101: we never ask to switch protocols),
 *  DFD_E_HTTP_VERSION (major version other than 1), DFD_E_HTTP_TOO_MANY_1XX (more than
 *  DFD_HTTP_MAX_1XX interim responses), DFD_E_HTTP_HEADER (line without colon, space in
 *  a name, fold before the first header, control byte or bare CR, Content-Length,
 *  Transfer-Encoding element, Retry-After or Date longer than DFD_HTTP_LINE_MAX),
 *  DFD_E_HTTP_LENGTH (Content-Length not digits, overflowing, or values that differ),
 *  DFD_E_HTTP_CHUNK (bad or overflowing hex size, no CRLF after chunk data, control
 *  byte in chunk framing or trailers). Errors are sticky: later calls return them. */
int dfd_http_feed(dfd_http_response *r, const uint8_t *data, size_t n, size_t *used,
                  dfd_http_body_fn on_body, void *ctx);

/** The server closed the connection (clean end of stream). Returns 1 when that completes
 *  a close-delimited body or the response was already complete; DFD_E_CLOSED when not a
 *  byte of the response had arrived (a keep-alive connection the server dropped: safe to
 *  retry on a new one); DFD_E_HTTP_TRUNCATED when the response was incomplete; or the
 *  sticky error of an earlier call. */
int dfd_http_eof(dfd_http_response *r);

#endif
