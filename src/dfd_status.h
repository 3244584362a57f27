/* The status record: what dfdiff knows of one data diff after reading a response. */
#ifndef DFD_STATUS_H
#define DFD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfd_config.h"

typedef enum {
  DFD_JOB_ABSENT = 0, /* null or missing */
  DFD_JOB_UNKNOWN,    /* a value this version does not know; see status_text */
  DFD_JOB_NEEDS_CONFIRMATION,
  DFD_JOB_NEEDS_AUTHENTICATION,
  DFD_JOB_WAITING,
  DFD_JOB_PROCESSING,
  DFD_JOB_DONE,
  DFD_JOB_FAILED,
  DFD_JOB_CANCELLED,
} dfd_job_status;

typedef enum {
  DFD_RESULT_ABSENT = 0,
  DFD_RESULT_UNKNOWN,
  DFD_RESULT_IDENTICAL,
  DFD_RESULT_DIFFERENT,
  DFD_RESULT_MISSING_PKS,
  DFD_RESULT_BAD_PKS,
  DFD_RESULT_EMPTY,
  DFD_RESULT_ERROR,
} dfd_result;

/* A JSON number typed `number` by the schema: kept as int64 when its text is an
 * integer that fits, so 19-digit counts survive; as a double otherwise. */
typedef struct {
  bool present;
  bool is_int;
  int64_t i;
  double d; /* always set when present */
} dfd_num;

typedef struct {
  bool present;
  int64_t v;
} dfd_int;

typedef struct {
  bool present;
  bool v;
} dfd_bool;

/* Bounded strings. `truncated` is set when the value was cut (at a UTF-8 boundary). */
#define DFD_STR_TYPE(name, n)                                                                      \
  typedef struct {                                                                                 \
    bool present;                                                                                  \
    bool truncated;                                                                                \
    char s[n];                                                                                     \
  } name
DFD_STR_TYPE(dfd_str_kind, DFD_KIND_MAX);
DFD_STR_TYPE(dfd_str_time, DFD_TIME_MAX);
DFD_STR_TYPE(dfd_str_table, DFD_TABLE_MAX);
DFD_STR_TYPE(dfd_str_error_type, DFD_ERROR_TYPE_MAX);
DFD_STR_TYPE(dfd_str_error_text, DFD_ERROR_TEXT_MAX);

typedef struct {
  dfd_int id;
  dfd_job_status status;
  char status_text[DFD_ENUM_TEXT_MAX]; /* raw text whenever status is present */
  dfd_bool done;
  dfd_result result;
  char result_text[DFD_ENUM_TEXT_MAX];
  dfd_str_kind kind;
  dfd_num runtime;
  dfd_str_time created_at;
  dfd_str_time finished_at;
  dfd_str_table table1; /* path components joined with '.' */
  dfd_str_table table2;
  struct {
    dfd_int completed_steps;
    dfd_int total_steps;
  } progress;
  struct {
    bool present;
    dfd_int rows_added, rows_removed, diff_rows_count, table_a_row_count, table_b_row_count, errors;
    dfd_num match_ratio, diff_pks, diff_values, diff_schema, diff_duplicate_pks, diff_null_pks;
    dfd_bool sampled;
  } stats;
  struct {
    bool present;
    dfd_str_error_type type;
    dfd_str_error_text value;
  } monitor_error;
  /* Error bodies: FastAPI detail[0].msg (or a string detail), RFC 7807 title/detail. */
  dfd_str_error_text error_title;
  dfd_str_error_text error_detail;
  /* Some wanted member did not fit the member buffer or token array; what fitted is kept. */
  bool member_truncated;
} dfd_status;

/* Names of the known values, indexed by the enums; NULL for ABSENT and UNKNOWN. */
extern const char *const dfd_job_status_names[DFD_JOB_CANCELLED + 1];
extern const char *const dfd_result_names[DFD_RESULT_ERROR + 1];

/** True for done, failed and cancelled. */
bool dfd_job_is_terminal(dfd_job_status s);

/* What a status means to whoever waits on it; the values are the CLI's exit codes. */
typedef enum {
  DFD_OUTCOME_SAME = 0,      /* done: identical or empty */
  DFD_OUTCOME_DIFFERS = 1,   /* done: different, missing-pks, bad-pks, or a result unknown here */
  DFD_OUTCOME_FAILED = 2,    /* failed, cancelled, or done with result error or no result */
  DFD_OUTCOME_PENDING = 3,   /* not finished (any other status, known or not, or none) */
  DFD_OUTCOME_API_ERROR = 6, /* an error body: no status and no id, but detail or title */
} dfd_outcome;

/** Classifies a status record. */
dfd_outcome dfd_status_outcome(const dfd_status *st);

/* Worst case of dfd_status_to_json for the configured field sizes. */
#define DFD_STATUS_JSON_MAX                                                                        \
  (640 +                                                                                           \
   6 * (2 * DFD_ENUM_TEXT_MAX + DFD_KIND_MAX + 2 * DFD_TIME_MAX + 2 * DFD_TABLE_MAX +              \
        DFD_ERROR_TYPE_MAX + DFD_ERROR_TEXT_MAX) +                                                 \
   15 * 24)

/** Writes the one-line JSON object of `dfdiff parse --json` (no newline) into buf,
 *  NUL-terminated. Returns its length, or 0 when cap is too small (it never is with
 *  DFD_STATUS_JSON_MAX). Strings are JSON-escaped, control characters included. */
size_t dfd_status_to_json(const dfd_status *st, char *buf, size_t cap);

#endif
