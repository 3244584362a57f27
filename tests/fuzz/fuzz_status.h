/* Checks on a dfd_status record filled by the extractor, shared by the extractor and
 * error-body harnesses. */
#ifndef DFD_FUZZ_STATUS_H
#define DFD_FUZZ_STATUS_H

#include <string.h>

#include "dfd_err.h"
#include "dfd_status.h"
#include "extract.h"
#include "fuzz.h"

/* Everything the record says, as one comparable text: the JSON line plus the fields it
 * leaves out. Returns the length (0: it did not fit, a failure in itself). */
static inline size_t fuzz_status_digest(const dfd_status *st, char *buf, size_t cap) {
  size_t n = dfd_status_to_json(st, buf, cap);
  if (n == 0)
    return 0;
  const struct {
    const char *name;
    bool present, truncated;
    const char *s;
  } strs[] = {
      {"kind", st->kind.present, st->kind.truncated, st->kind.s},
      {"created_at", st->created_at.present, st->created_at.truncated, st->created_at.s},
      {"finished_at", st->finished_at.present, st->finished_at.truncated, st->finished_at.s},
      {"table1", st->table1.present, st->table1.truncated, st->table1.s},
      {"table2", st->table2.present, st->table2.truncated, st->table2.s},
      {"error_type", st->monitor_error.type.present, st->monitor_error.type.truncated,
       st->monitor_error.type.s},
      {"error_value", st->monitor_error.value.present, st->monitor_error.value.truncated,
       st->monitor_error.value.s},
      {"title", st->error_title.present, st->error_title.truncated, st->error_title.s},
      {"detail", st->error_detail.present, st->error_detail.truncated, st->error_detail.s},
  };
  int k = snprintf(buf + n, cap - n, " | status=%d result=%d member_truncated=%d stats=%d",
                   (int)st->status, (int)st->result, st->member_truncated, st->stats.present);
  if (k < 0 || (size_t)k >= cap - n)
    return 0;
  n += (size_t)k;
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
    k = snprintf(buf + n, cap - n, " %s=%d/%d/[%s]", strs[i].name, strs[i].present,
                 strs[i].truncated, strs[i].present ? strs[i].s : "");
    if (k < 0 || (size_t)k >= cap - n)
      return 0;
    n += (size_t)k;
  }
  return n;
}

static inline void fuzz_check_text(const char *what, const char *s, size_t cap) {
  FUZZ_CHECK(fuzz_terminated(s, cap), "%s is not NUL-terminated in its %zu bytes", what, cap);
  FUZZ_CHECK(fuzz_utf8(s), "%s is not well-formed UTF-8: [%s]", what, s);
}

#define FUZZ_CHECK_STR(field) fuzz_check_text(#field, (field).s, sizeof(field).s)

static inline bool fuzz_same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The record's invariants, and its JSON line read back by the extractor. */
static inline void fuzz_check_status(const dfd_status *st) {
  static char json[DFD_STATUS_JSON_MAX];
  static dfd_status back;
  static dfd_extract x;

  FUZZ_CHECK((int)st->status >= DFD_JOB_ABSENT && st->status <= DFD_JOB_CANCELLED, "status %d",
             (int)st->status);
  FUZZ_CHECK((int)st->result >= DFD_RESULT_ABSENT && st->result <= DFD_RESULT_ERROR, "result %d",
             (int)st->result);
  fuzz_check_text("status_text", st->status_text, sizeof st->status_text);
  fuzz_check_text("result_text", st->result_text, sizeof st->result_text);
  if (st->status > DFD_JOB_UNKNOWN)
    FUZZ_CHECK(strcmp(st->status_text, dfd_job_status_names[st->status]) == 0,
               "status %d but text [%s]", (int)st->status, st->status_text);
  if (st->result > DFD_RESULT_UNKNOWN)
    FUZZ_CHECK(strcmp(st->result_text, dfd_result_names[st->result]) == 0,
               "result %d but text [%s]", (int)st->result, st->result_text);
  FUZZ_CHECK_STR(st->kind);
  FUZZ_CHECK_STR(st->created_at);
  FUZZ_CHECK_STR(st->finished_at);
  FUZZ_CHECK_STR(st->table1);
  FUZZ_CHECK_STR(st->table2);
  FUZZ_CHECK_STR(st->monitor_error.type);
  FUZZ_CHECK_STR(st->monitor_error.value);
  FUZZ_CHECK_STR(st->error_title);
  FUZZ_CHECK_STR(st->error_detail);
  (void)dfd_status_outcome(st);

  /* "it never is [too small] with DFD_STATUS_JSON_MAX" */
  size_t n = dfd_status_to_json(st, json, sizeof json);
  FUZZ_CHECK(n > 0 && n < sizeof json && json[n] == '\0', "status JSON did not fit (%zu)", n);
  FUZZ_CHECK(fuzz_utf8(json), "status JSON is not UTF-8: %s", json);
  int verdict = fj_classify((const uint8_t *)json, n, 32);
  FUZZ_CHECK(verdict == FJ_OK, "status JSON is not valid JSON (%d): %s", verdict, json);

  /* Read back: the members with the same name and form must come out the same. */
  dfd_extract_init(&x, &back);
  int err = dfd_extract_feed(&x, json, n);
  if (err == DFD_OK)
    err = dfd_extract_finish(&x);
  FUZZ_CHECK(err == DFD_OK, "the extractor rejects dfd_status_to_json's output (%d): %s", err,
             json);
  if (back.member_truncated)
    return; /* a field escaped beyond the member buffer: not comparable */
  FUZZ_CHECK(back.id.present == st->id.present && (!st->id.present || back.id.v == st->id.v),
             "id does not read back: %s", json);
  FUZZ_CHECK(back.status == st->status && strcmp(back.status_text, st->status_text) == 0,
             "status does not read back: %s", json);
  FUZZ_CHECK(back.result == st->result && strcmp(back.result_text, st->result_text) == 0,
             "result does not read back: %s", json);
  FUZZ_CHECK(back.done.present == st->done.present && back.done.v == st->done.v,
             "done does not read back: %s", json);
  bool finite = st->runtime.present && (st->runtime.is_int || (st->runtime.d == st->runtime.d &&
                                                               st->runtime.d - st->runtime.d == 0));
  FUZZ_CHECK(back.runtime.present == finite, "runtime presence does not read back: %s", json);
  if (finite && st->runtime.is_int)
    FUZZ_CHECK(back.runtime.is_int && back.runtime.i == st->runtime.i,
               "integer runtime does not read back: %s", json);
  else if (finite)
    FUZZ_CHECK(fuzz_same_double(back.runtime.d, st->runtime.d),
               "runtime %.17g does not read back (%.17g): %s", st->runtime.d, back.runtime.d, json);
#define SAME_STR(f)                                                                                \
  FUZZ_CHECK(back.f.present == st->f.present &&                                                    \
                 (!st->f.present || strcmp(back.f.s, st->f.s) == 0),                               \
             #f " does not read back: %s", json)
  SAME_STR(kind);
  SAME_STR(created_at);
  SAME_STR(finished_at);
  SAME_STR(table1);
  SAME_STR(table2);
#undef SAME_STR
}

#endif
