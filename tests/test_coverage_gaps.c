/* Corners of the extractor and the HTTP parser that the other tests leave out (found by
 * make coverage): every case checks documented behaviour through the public API. */
#include <stdint.h>
#include <string.h>

#include "dfd_err.h"
#include "extract.h"
#include "http.h"
#include "test.h"

static dfd_extract x;
static dfd_status st;
static char body[8192];

/* The extractor over n bytes, whole and one byte at a time: both must agree. */
static int extract_n(const char *text, size_t n) {
  static dfd_status whole;
  static char ja[DFD_STATUS_JSON_MAX], jb[DFD_STATUS_JSON_MAX];
  dfd_extract_init(&x, &whole);
  int e1 = dfd_extract_feed(&x, text, n);
  e1 = e1 ? e1 : dfd_extract_finish(&x);
  dfd_extract_init(&x, &st);
  int e2 = DFD_OK;
  for (size_t i = 0; i < n && e2 == DFD_OK; i++)
    e2 = dfd_extract_feed(&x, text + i, 1);
  e2 = e2 ? e2 : dfd_extract_finish(&x);
  CHECKF(e1 == e2, "whole %d, byte by byte %d", e1, e2);
  dfd_status_to_json(&whole, ja, sizeof ja);
  dfd_status_to_json(&st, jb, sizeof jb);
  CHECK(strcmp(ja, jb) == 0 && whole.member_truncated == st.member_truncated);
  return e2;
}

static int extract(const char *text) { return extract_n(text, strlen(text)); }

/* A string of `count` U+0001 characters: 6 bytes each once escaped in the member copy. */
static size_t controls(char *out, size_t count) {
  size_t n = 0;
  for (size_t i = 0; i < count; i++) {
    memcpy(out + n, "\\u0001", 6);
    n += 6;
  }
  out[n] = '\0';
  return n;
}

/* A member whose value alone outgrows the member buffer is rolled back to nothing: the
 * field is absent and member_truncated says why. */
static void member_value_overflows(void) {
  static const char *const names[] = {
      "id",         "status",     "done",          "result",        "kind",
      "runtime",    "created_at", "finished_at",   "table1",        "table2",
      "diff_stats", "detail",     "monitor_error", "diff_progress", "title"};
  static char value[DFD_MEMBER_STRING_MAX * 6 + 1];
  controls(value, DFD_MEMBER_STRING_MAX);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(body, sizeof body, "{\"%s\":\"%s\",\"id\":7}", names[i], value);
    if (strcmp(names[i], "id") == 0)
      snprintf(body, sizeof body, "{\"id\":\"%s\"}", value);
    CHECKF(extract(body) == DFD_OK, "%s", names[i]);
    CHECKF(st.member_truncated, "%s: member_truncated", names[i]);
  }
  snprintf(body, sizeof body, "{\"kind\":\"%s\"}", value);
  extract(body);
  CHECK(!st.kind.present);
  snprintf(body, sizeof body, "{\"status\":\"%s\"}", value);
  extract(body);
  CHECK(st.status == DFD_JOB_ABSENT);
  snprintf(body, sizeof body, "{\"diff_stats\":{\"rows_added\":\"%s\"}}", value);
  extract(body);
  CHECK(st.stats.present && !st.stats.rows_added.present && st.member_truncated);
}

/* A container opening exactly when the buffer is full: the copy stops before it. */
static void container_at_the_limit(void) {
  int found = 0;
  for (size_t k = 100; k <= DFD_MEMBER_BUF / 6 && k * 6 < sizeof body - 64; k++) {
    for (size_t m = 0; m < 6; m++) {
      size_t n = (size_t)snprintf(body, sizeof body, "{\"table1\":[\"");
      n += controls(body + n, k);
      memset(body + n, 'a', m);
      n += m;
      n += (size_t)snprintf(body + n, sizeof body - n, "\",[\"b\"]],\"id\":1}");
      CHECK(extract_n(body, n) == DFD_OK && st.id.present && st.id.v == 1);
      /* table1 holds a non-string element: absent, or cut before it */
      CHECK(!st.table1.present || st.member_truncated);
      found += st.member_truncated;
    }
  }
  CHECK(found > 0);
}

static void nested_keys_not_wanted(void) {
  CHECK(extract("{\"diff_progress\":{\"completed_steps\":{\"total_steps\":1},\"total_steps\":3},"
                "\"monitor_error\":{\"error_type\":{\"error_value\":\"x\"},\"error_value\":\"v\"},"
                "\"detail\":{\"msg\":\"m\"}}") == DFD_OK);
  CHECK(!st.progress.completed_steps.present);
  CHECK(st.progress.total_steps.present && st.progress.total_steps.v == 3);
  CHECK(st.monitor_error.present && !st.monitor_error.type.present);
  CHECK(st.monitor_error.value.present && strcmp(st.monitor_error.value.s, "v") == 0);
  CHECK(!st.error_detail.present);
  CHECK(extract("{\"detail\":[{\"msg\":{\"msg\":\"deep\"}}]}") == DFD_OK &&
        !st.error_detail.present);
  CHECK(extract("{\"detail\":[]}") == DFD_OK && !st.error_detail.present);
  CHECK(extract("{\"detail\":[\"x\",{\"msg\":\"second\"}]}") == DFD_OK && !st.error_detail.present);
  CHECK(extract("{\"detail\":5}") == DFD_OK && !st.error_detail.present);
  CHECK(
      extract("{\"diff_stats\":{\"a_key_much_longer_than_the_key_buffer\":1,\"rows_added\":2}}") ==
      DFD_OK);
  CHECK(st.stats.rows_added.present && st.stats.rows_added.v == 2);
}

static void escapes_and_utf8(void) {
  /* a high surrogate followed by a non-surrogate, a lone low one, U+0000 */
  CHECK(extract("{\"kind\":\"\\ud800\\ue000|\\udc00|\\u0000\"}") == DFD_OK);
  CHECK(strcmp(st.kind.s, "\xEF\xBF\xBD\xEE\x80\x80|\xEF\xBF\xBD|\xEF\xBF\xBD") == 0);
  CHECK(extract("{\"kind\":\"\xF4\x8F\xBF\xBF\xF1\x80\x80\x80\"}") == DFD_OK);
  CHECK(strcmp(st.kind.s, "\xF4\x8F\xBF\xBF\xF1\x80\x80\x80") == 0);
  CHECK(extract("{\"kind\":\"\xF4\x90\x80\x80\"}") == DFD_E_JSON_BAD_STRING);
  static const char nul_escape[] = "{\"x\":\"\\\0\"}";
  CHECK(extract_n(nul_escape, sizeof nul_escape - 1) == DFD_E_JSON_BAD_ESCAPE);
  /* skipped strings: every simple escape, inside and across 8-byte words */
  CHECK(extract("{\"skip\":\"aaaaaaa\\/bbbbbbb\\bccccccc\\fddddddd\\neeeeeee\\rfffffff\\t"
                "ggggggg\\\"hhhhhhh\\\\iiiiiii\",\"id\":3}") == DFD_OK);
  CHECK(st.id.present && st.id.v == 3);
}

static void top_level_values(void) {
  static const char *const not_object[] = {"null", "false", "true", "-1", "7", "[1]", "\"s\""};
  for (size_t i = 0; i < sizeof not_object / sizeof not_object[0]; i++)
    CHECKF(extract(not_object[i]) == DFD_E_JSON_NOT_OBJECT, "%s", not_object[i]);
  CHECK(extract("x") == DFD_E_JSON_NOT_JSON);
  CHECK(extract("  ") == DFD_E_JSON_NOT_JSON);
}

static void field_types(void) {
  CHECK(extract("{\"runtime\":true,\"diff_stats\":{\"match_ratio\":false,\"diff_pks\":null}}") ==
        DFD_OK);
  CHECK(!st.runtime.present && !st.stats.match_ratio.present && !st.stats.diff_pks.present);
  CHECK(extract("{\"id\":true,\"diff_progress\":{\"total_steps\":null}}") == DFD_OK);
  CHECK(!st.id.present && !st.progress.total_steps.present);
  CHECK(extract("{\"id\":1e999999}") == DFD_OK && !st.id.present);
  CHECK(extract("{\"id\":1e99999999999}") == DFD_OK && !st.id.present);
  CHECK(extract("{\"id\":-5}") == DFD_OK && st.id.present && st.id.v == -5);
  CHECK(extract("{\"title\":5,\"detail\":[{\"msg\":7}]}") == DFD_OK);
  CHECK(!st.error_title.present && !st.error_detail.present);
  CHECK(extract("{\"id\":0e999999}") == DFD_OK && st.id.present && st.id.v == 0);
  CHECK(extract("{\"id\":1e-999999}") == DFD_OK && !st.id.present);
  CHECK(extract("{\"id\":12e-1}") == DFD_OK && !st.id.present);
  CHECK(extract("{\"id\":1200e-2}") == DFD_OK && st.id.present && st.id.v == 12);
  CHECK(extract("{\"status\":\"done-and-then-some-more-text-beyond\"}") == DFD_OK);
  CHECK(st.status == DFD_JOB_UNKNOWN && strncmp(st.status_text, "done-and", 8) == 0);
  CHECK(extract("{\"table1\":5,\"table2\":{\"a\":\"b\"}}") == DFD_OK);
  CHECK(!st.table1.present && !st.table2.present);
}

/* ---- HTTP ------------------------------------------------------------------------------ */

static dfd_http_response r;

static int parse(const char *text) {
  dfd_http_response_init(&r);
  size_t used = 0;
  int rc = dfd_http_feed(&r, (const uint8_t *)text, strlen(text), &used, NULL, NULL);
  return rc == 0 ? dfd_http_eof(&r) : rc;
}

static void http_dates(void) {
  static const struct {
    const char *value;
    int64_t epoch; /* -1: invalid, ignored */
  } dates[] = {
      {"Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
      {"Wed, 28 Feb 2024 12:00:00 GMT", 1709121600},
      {"Wed, 29 Feb 2023 12:00:00 GMT", -1}, /* not a leap year */
      {"Sun, 06 Nov 1994 08:49:37 GMT 1995", -1},
      {"Sun, 06 Nov 199 08:49:37 GMT", -1},
      {"Sun, 06 Nov 1994 08:49:37 G{T", -1},
      {"Sun, 06 NOV 1994 08:49:37 GMT", 784111777},
      {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
      {"Sun Nov  6 08:49:37 1994", 784111777},
      {"Sun, 06 Nov 1994 08:49 GMT", -1},
      {"Sun, 06 Nov 1994 24:00:00 GMT", -1},
  };
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Length: 0\r\n\r\n",
             dates[i].value);
    CHECKF(parse(text) == 1, "%s", dates[i].value);
    CHECKF(r.date_epoch == dates[i].epoch, "%s: %lld", dates[i].value, (long long)r.date_epoch);
  }
}

static void http_status_lines(void) {
  CHECK(parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") == 1 && r.status == 200);
  CHECK(parse("HTTP/1.1\t200 OK\r\n\r\n") == DFD_E_HTTP_STATUS_LINE);
  CHECK(parse("HTTP/1.1 2:0 OK\r\n\r\n") == DFD_E_HTTP_STATUS_LINE);
  CHECK(parse("HTTP/1.1 020 OK\r\n\r\n") == DFD_E_HTTP_STATUS_LINE);
  CHECK(parse("HTTP/1.1 2000 OK\r\n\r\n") == DFD_E_HTTP_STATUS_LINE);
  CHECK(parse("HTTP/1.x 200 OK\r\n\r\n") == DFD_E_HTTP_STATUS_LINE);
}

static void http_lists_and_chunks(void) {
  /* a comma in a header that is not a list is part of its value */
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Type: a,b\r\nX-List: c,d\r\nContent-Length: 0\r\n\r\n") ==
        1);
  CHECK(strcmp(r.content_type, "a,b") == 0);
  /* whitespace after the chunk size, before the extension or the line end */
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3 \t;x=y\r\nabc\r\n2\t\r\nde\r\n0 \r\n\r\n") == 1);
  CHECK(r.body_bytes == 5);
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n") ==
        DFD_E_HTTP_CHUNK);
}

int main(void) {
  RUN(member_value_overflows);
  RUN(container_at_the_limit);
  RUN(nested_keys_not_wanted);
  RUN(escapes_and_utf8);
  RUN(top_level_values);
  RUN(field_types);
  RUN(http_dates);
  RUN(http_status_lines);
  RUN(http_lists_and_chunks);
  T_EXIT();
}
