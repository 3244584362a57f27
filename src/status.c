/* The status record's names, its meaning (outcome) and its JSON form. */
#include <string.h>

#include "dfd_status.h"
#include "number.h"

const char *const dfd_job_status_names[DFD_JOB_CANCELLED + 1] = {
    [DFD_JOB_NEEDS_CONFIRMATION] = "needs_confirmation",
    [DFD_JOB_NEEDS_AUTHENTICATION] = "needs_authentication",
    [DFD_JOB_WAITING] = "waiting",
    [DFD_JOB_PROCESSING] = "processing",
    [DFD_JOB_DONE] = "done",
    [DFD_JOB_FAILED] = "failed",
    [DFD_JOB_CANCELLED] = "cancelled",
};

const char *const dfd_result_names[DFD_RESULT_ERROR + 1] = {
    [DFD_RESULT_IDENTICAL] = "identical",
    [DFD_RESULT_DIFFERENT] = "different",
    [DFD_RESULT_MISSING_PKS] = "missing-pks",
    [DFD_RESULT_BAD_PKS] = "bad-pks",
    [DFD_RESULT_EMPTY] = "empty",
    [DFD_RESULT_ERROR] = "error",
};

bool dfd_job_is_terminal(dfd_job_status s) {
  return s == DFD_JOB_DONE || s == DFD_JOB_FAILED || s == DFD_JOB_CANCELLED;
}

dfd_outcome dfd_status_outcome(const dfd_status *st) {
  switch (st->status) {
  case DFD_JOB_DONE:
    switch (st->result) {
    case DFD_RESULT_IDENTICAL:
    case DFD_RESULT_EMPTY:
      return DFD_OUTCOME_SAME;
    case DFD_RESULT_ERROR:
    case DFD_RESULT_ABSENT:
      return DFD_OUTCOME_FAILED;
    default: /* different, missing-pks, bad-pks, and results newer than this client */
      return DFD_OUTCOME_DIFFERS;
    }
  case DFD_JOB_FAILED:
  case DFD_JOB_CANCELLED:
    return DFD_OUTCOME_FAILED;
  case DFD_JOB_ABSENT:
    if (!st->id.present && (st->error_detail.present || st->error_title.present))
      return DFD_OUTCOME_API_ERROR;
    return DFD_OUTCOME_PENDING;
  default:
    return DFD_OUTCOME_PENDING;
  }
}

/* ---- JSON writer ------------------------------------------------------------------- */

typedef struct {
  char *buf;
  size_t cap, len;
  bool full;
} writer;

static void put(writer *w, const char *s, size_t n) {
  if (w->full || w->len + n >= w->cap) {
    w->full = true;
    return;
  }
  memcpy(w->buf + w->len, s, n);
  w->len += n;
}

static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_string(writer *w, const char *s) {
  static const char hex[] = "0123456789abcdef";
  put(w, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned c = *p;
    bool c1 = c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F; /* escaped for terminals */
    if (c1)
      c = *++p;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(w, e, 2);
    } else if (c == '\n') {
      puts_(w, "\\n");
    } else if (c == '\t') {
      puts_(w, "\\t");
    } else if (c == '\r') {
      puts_(w, "\\r");
    } else if (c < 0x20 || c == 0x7F || c1) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      put(w, e, 6);
    } else {
      char ch = (char)c;
      put(w, &ch, 1);
    }
  }
  put(w, "\"", 1);
}

static void put_int(writer *w, const dfd_int *v) {
  char b[24];
  if (!v->present) {
    puts_(w, "null");
    return;
  }
  put(w, b, dfd_format_int64(b, sizeof b, v->v));
}

/* The shortest of 15, 16 or 17 significant digits that reads back as the same double. */
static void put_num(writer *w, const dfd_num *v) {
  char b[32];
  if (!v->present) {
    puts_(w, "null");
    return;
  }
  if (v->is_int) {
    put(w, b, dfd_format_int64(b, sizeof b, v->i));
    return;
  }
  if (v->d != v->d || v->d - v->d != 0) { /* NaN or infinite: JSON has no such number */
    puts_(w, "null");
    return;
  }
  size_t n = 0;
  for (int sig = 15; sig <= 17; sig++) {
    n = dfd_format_double(b, sizeof b, v->d, sig);
    dfd_num back;
    if (dfd_parse_number(b, n, &back) == 0 && back.d == v->d)
      break;
  }
  put(w, b, n);
}

static void put_bool(writer *w, const dfd_bool *v) {
  puts_(w, !v->present ? "null" : v->v ? "true" : "false");
}

static void put_text(writer *w, bool present, const char *s) {
  if (present)
    put_string(w, s);
  else
    puts_(w, "null");
}

size_t dfd_status_to_json(const dfd_status *st, char *buf, size_t cap) {
  writer w = {buf, cap, 0, cap == 0};
  puts_(&w, "{\"id\":");
  put_int(&w, &st->id);
  puts_(&w, ",\"status\":");
  put_text(&w, st->status != DFD_JOB_ABSENT, st->status_text);
  puts_(&w, ",\"done\":");
  put_bool(&w, &st->done);
  puts_(&w, ",\"result\":");
  put_text(&w, st->result != DFD_RESULT_ABSENT, st->result_text);
  puts_(&w, ",\"kind\":");
  put_text(&w, st->kind.present, st->kind.s);
  puts_(&w, ",\"progress\":{\"completed_steps\":");
  put_int(&w, &st->progress.completed_steps);
  puts_(&w, ",\"total_steps\":");
  put_int(&w, &st->progress.total_steps);
  puts_(&w, "},\"stats\":{\"rows_added\":");
  put_int(&w, &st->stats.rows_added);
  puts_(&w, ",\"rows_removed\":");
  put_int(&w, &st->stats.rows_removed);
  puts_(&w, ",\"diff_rows_count\":");
  put_int(&w, &st->stats.diff_rows_count);
  puts_(&w, ",\"match_ratio\":");
  put_num(&w, &st->stats.match_ratio);
  puts_(&w, ",\"table_a_row_count\":");
  put_int(&w, &st->stats.table_a_row_count);
  puts_(&w, ",\"table_b_row_count\":");
  put_int(&w, &st->stats.table_b_row_count);
  puts_(&w, ",\"diff_pks\":");
  put_num(&w, &st->stats.diff_pks);
  puts_(&w, ",\"diff_values\":");
  put_num(&w, &st->stats.diff_values);
  puts_(&w, ",\"diff_schema\":");
  put_num(&w, &st->stats.diff_schema);
  puts_(&w, ",\"diff_duplicate_pks\":");
  put_num(&w, &st->stats.diff_duplicate_pks);
  puts_(&w, ",\"diff_null_pks\":");
  put_num(&w, &st->stats.diff_null_pks);
  puts_(&w, ",\"errors\":");
  put_int(&w, &st->stats.errors);
  puts_(&w, ",\"sampled\":");
  put_bool(&w, &st->stats.sampled);
  puts_(&w, "},\"runtime\":");
  put_num(&w, &st->runtime);
  puts_(&w, ",\"created_at\":");
  put_text(&w, st->created_at.present, st->created_at.s);
  puts_(&w, ",\"finished_at\":");
  put_text(&w, st->finished_at.present, st->finished_at.s);
  puts_(&w, ",\"table1\":");
  put_text(&w, st->table1.present, st->table1.s);
  puts_(&w, ",\"table2\":");
  put_text(&w, st->table2.present, st->table2.s);
  puts_(&w, ",\"error\":");
  if (st->monitor_error.present) {
    puts_(&w, "{\"type\":");
    put_text(&w, st->monitor_error.type.present, st->monitor_error.type.s);
    puts_(&w, ",\"value\":");
    put_text(&w, st->monitor_error.value.present, st->monitor_error.value.s);
    puts_(&w, "}");
  } else {
    puts_(&w, "null");
  }
  puts_(&w, "}");
  if (w.full) {
    if (cap)
      buf[0] = '\0';
    return 0;
  }
  buf[w.len] = '\0';
  return w.len;
}
