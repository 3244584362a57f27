/* The extractor: field values, chunking invariance, truncation, errors, fixed memory. */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "dfd_err.h"
#include "extract.h"
#include "test.h"

static dfd_extract x;
static dfd_status st;

/* Runs the extractor over body fed in pieces of `step` bytes (0: whole). */
static int run_chunked(const char *body, size_t n, size_t step) {
  dfd_extract_init(&x, &st);
  int err = DFD_OK;
  if (step == 0)
    step = n ? n : 1;
  for (size_t off = 0; off < n && err == DFD_OK; off += step)
    err = dfd_extract_feed(&x, body + off, off + step > n ? n - off : step);
  return err ? err : dfd_extract_finish(&x);
}

static int run(const char *body) { return run_chunked(body, strlen(body), 0); }

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static int run_random(const char *body, size_t n) {
  dfd_extract_init(&x, &st);
  int err = DFD_OK;
  for (size_t off = 0; off < n && err == DFD_OK;) {
    size_t k = 1 + rnd() % 97;
    if (rnd() % 8 == 0)
      k = 0; /* empty feeds are legal */
    if (k > n - off)
      k = n - off;
    err = dfd_extract_feed(&x, body + off, k);
    off += k;
  }
  return err ? err : dfd_extract_finish(&x);
}

static int run_split(const char *body, size_t n, size_t at) {
  dfd_extract_init(&x, &st);
  int err = dfd_extract_feed(&x, body, at);
  if (!err)
    err = dfd_extract_feed(&x, body + at, n - at);
  return err ? err : dfd_extract_finish(&x);
}

static char json_a[DFD_STATUS_JSON_MAX], json_b[DFD_STATUS_JSON_MAX];

/* Every way of feeding `body` gives the same error and the same record. */
static void check_invariant(const char *name, const char *body, size_t n) {
  int e0 = run_chunked(body, n, 0);
  dfd_status_to_json(&st, json_a, sizeof json_a);
  bool trunc0 = st.member_truncated;
  int e;
#define SAME(how, call)                                                                            \
  do {                                                                                             \
    e = (call);                                                                                    \
    dfd_status_to_json(&st, json_b, sizeof json_b);                                                \
    CHECKF(e == e0 &&                                                                              \
               (e0 != DFD_OK || (strcmp(json_a, json_b) == 0 && st.member_truncated == trunc0)),   \
           "%s fed %s: err %d vs %d\n#   %s\n#   %s", name, how, e, e0, json_a, json_b);           \
  } while (0)
  SAME("byte by byte", run_chunked(body, n, 1));
  SAME("in 7-byte pieces", run_chunked(body, n, 7));
  SAME("in random pieces", run_random(body, n));
  size_t step = t_light() ? 13 : 1; /* every offset, or a sample under valgrind */
  if (n <= 4096)
    for (size_t at = 0; at <= n && t_case_failures == 0; at += step)
      SAME("split in two", run_split(body, n, at));
#undef SAME
}

static char file_buf[1 << 20];

static size_t read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  size_t n = fread(file_buf, 1, sizeof file_buf - 1, f);
  fclose(f);
  file_buf[n] = 0;
  return n;
}

static int corpus_dir(const char *dir) {
  DIR *d = opendir(dir);
  int count = 0;
  if (!d)
    return 0;
  struct dirent *e;
  char path[512];
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t n = read_file(path);
    check_invariant(e->d_name, file_buf, n);
    count++;
  }
  closedir(d);
  return count;
}

static void fixtures_any_chunking(void) {
  int n = corpus_dir("tests/fixtures") + corpus_dir("tests/fixtures/bad");
  CHECKF(n >= 20, "only %d fixtures found (run from the repository root)", n);
}

static void fields_and_decoys(void) {
  const char *body =
      "{\"query1\":\"select '\\\"status\\\": \\\"failed\\\"' {[\",\"id\":42,"
      "\"result_statuses\":{\"status\":\"failed\",\"result\":\"identical\",\"id\":1},"
      "\"status\":\"done\",\"done\":true,\"result\":\"identical\",\"kind\":\"cross_db\","
      "\"data_app_metadata\":{\"meta_data\":{\"diff_stats\":{\"rows_added\":5},"
      "\"deep\":[[{\"status\":\"waiting\"}]]}},"
      "\"table1\":[\"db\",\"s\",\"t\"],\"table2\":\"plain\",\"runtime\":0.25,"
      "\"diff_progress\":{\"version\":\"v\",\"completed_steps\":7,\"total_steps\":9},"
      "\"diff_stats\":{\"rows_added\":1,\"match_ratio\":1,\"sampled\":true,"
      "\"nested\":{\"rows_added\":99}}}";
  CHECK(run(body) == DFD_OK);
  CHECK(st.id.present && st.id.v == 42);
  CHECK(st.status == DFD_JOB_DONE && strcmp(st.status_text, "done") == 0);
  CHECK(st.done.present && st.done.v);
  CHECK(st.result == DFD_RESULT_IDENTICAL);
  CHECK(st.kind.present && strcmp(st.kind.s, "cross_db") == 0);
  CHECK(strcmp(st.table1.s, "db.s.t") == 0 && strcmp(st.table2.s, "plain") == 0);
  CHECK(st.runtime.present && !st.runtime.is_int && st.runtime.d == 0.25);
  CHECK(st.progress.completed_steps.v == 7 && st.progress.total_steps.v == 9);
  CHECK(st.stats.present && st.stats.rows_added.v == 1 && !st.stats.rows_removed.present);
  CHECK(st.stats.match_ratio.is_int && st.stats.match_ratio.i == 1);
  CHECK(st.stats.sampled.present && st.stats.sampled.v);
  CHECK(!st.monitor_error.present && !st.member_truncated);
  CHECK(dfd_status_outcome(&st) == DFD_OUTCOME_SAME);
}

static void nulls_and_wrong_types(void) {
  CHECK(run("{\"id\":null,\"status\":null,\"done\":null,\"diff_stats\":null,"
            "\"monitor_error\":null,\"table1\":null}") == DFD_OK);
  CHECK(!st.id.present && st.status == DFD_JOB_ABSENT && !st.done.present);
  CHECK(!st.stats.present && !st.monitor_error.present && !st.table1.present);
  CHECK(run("{\"id\":\"12\",\"status\":5,\"done\":\"true\",\"diff_stats\":[1],"
            "\"table1\":[\"a\",1],\"runtime\":\"1\",\"kind\":{}}") == DFD_OK);
  CHECK(!st.id.present && st.status == DFD_JOB_ABSENT && !st.done.present);
  CHECK(!st.stats.present && !st.table1.present && !st.runtime.present && !st.kind.present);
  CHECK(run("{\"id\":0}") == DFD_OK && st.id.present && st.id.v == 0); /* zero is not null */
}

static void numbers(void) {
  CHECK(run("{\"id\":1e3,\"diff_stats\":{\"rows_added\":-0.0,\"rows_removed\":2.5,"
            "\"diff_rows_count\":9223372036854775807,\"errors\":9223372036854775808,"
            "\"table_a_row_count\":-9223372036854775808,\"table_b_row_count\":1.5e1,"
            "\"diff_pks\":12345678901234567890,\"diff_values\":1E+2,\"match_ratio\":0.5e-3}}") ==
        DFD_OK);
  CHECK(st.id.v == 1000);
  CHECK(st.stats.rows_added.present && st.stats.rows_added.v == 0);
  CHECK(!st.stats.rows_removed.present);
  CHECK(st.stats.diff_rows_count.v == INT64_MAX);
  CHECK(!st.stats.errors.present);
  CHECK(st.stats.table_a_row_count.v == INT64_MIN);
  CHECK(st.stats.table_b_row_count.v == 15);
  CHECK(!st.stats.diff_pks.is_int && st.stats.diff_pks.d == 12345678901234567890.0);
  CHECK(!st.stats.diff_values.is_int && st.stats.diff_values.d == 100.0);
  CHECK(st.stats.match_ratio.d == 0.0005);
}

static void enums(void) {
  const char *known[] = {
      "needs_confirmation", "needs_authentication", "waiting", "processing", "done", "failed",
      "cancelled"};
  char body[128];
  for (int i = 0; i < 7; i++) {
    snprintf(body, sizeof body, "{\"status\":\"%s\"}", known[i]);
    CHECK(run(body) == DFD_OK && st.status == (dfd_job_status)(DFD_JOB_NEEDS_CONFIRMATION + i));
  }
  CHECK(run("{\"status\":\"queued\",\"result\":\"partly\"}") == DFD_OK);
  CHECK(st.status == DFD_JOB_UNKNOWN && strcmp(st.status_text, "queued") == 0);
  CHECK(st.result == DFD_RESULT_UNKNOWN && strcmp(st.result_text, "partly") == 0);
  CHECK(run("{\"status\":\"a-status-name-much-longer-than-the-buffer\"}") == DFD_OK);
  CHECK(st.status == DFD_JOB_UNKNOWN && strlen(st.status_text) == DFD_ENUM_TEXT_MAX - 1);
  CHECK(run("{\"status\":\"done\",\"result\":\"missing-pks\"}") == DFD_OK &&
        st.result == DFD_RESULT_MISSING_PKS && dfd_status_outcome(&st) == DFD_OUTCOME_DIFFERS);
  CHECK(run("{\"status\":\"done\"}") == DFD_OK && dfd_status_outcome(&st) == DFD_OUTCOME_FAILED);
  CHECK(run("{\"status\":\"cancelled\"}") == DFD_OK &&
        dfd_status_outcome(&st) == DFD_OUTCOME_FAILED);
  CHECK(run("{\"status\":\"queued\"}") == DFD_OK && dfd_status_outcome(&st) == DFD_OUTCOME_PENDING);
}

static void strings_and_escapes(void) {
  CHECK(run("{\"st\\u0061tus\":\"d\\u006fne\",\"kind\":\"a\\\"b\\\\c\\/d\\n\"}") == DFD_OK);
  CHECK(st.status == DFD_JOB_DONE);
  CHECK(strcmp(st.kind.s, "a\"b\\c/d\n") == 0);
  CHECK(run("{\"kind\":\"\\ud83d\\ude00x\"}") == DFD_OK &&
        strcmp(st.kind.s, "\xF0\x9F\x98\x80x") == 0);
  CHECK(run("{\"kind\":\"\\ud83dx\\u0000\\ude00\"}") == DFD_OK &&
        strcmp(st.kind.s, "\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD") == 0);
  CHECK(run("{\"kind\":\"\\ud83d\\n\"}") == DFD_OK && strcmp(st.kind.s, "\xEF\xBF\xBD\n") == 0);
  /* 15 bytes fit in kind[16]; a 2-byte character straddling the cut is dropped whole */
  CHECK(run("{\"kind\":\"abcdefghijklmn\xC3\xA9\"}") == DFD_OK);
  CHECK(st.kind.truncated && strcmp(st.kind.s, "abcdefghijklmn") == 0);
  CHECK(run("{\"kind\":\"abcdefghijklm\xC3\xA9\"}") == DFD_OK);
  CHECK(!st.kind.truncated && strcmp(st.kind.s, "abcdefghijklm\xC3\xA9") == 0);
}

static void long_values_truncate(void) {
  static char body[8192];
  char name[400];
  memset(name, 'n', sizeof name - 1);
  name[sizeof name - 1] = 0;
  snprintf(body, sizeof body,
           "{\"table1\":[\"db\",\"%s\"],\"monitor_error\":{\"error_type\":\"E\","
           "\"error_value\":\"%s\"},\"id\":7}",
           name, name);
  CHECK(run(body) == DFD_OK);
  CHECK(st.table1.present && st.table1.truncated && strlen(st.table1.s) == DFD_TABLE_MAX - 1);
  CHECK(strncmp(st.table1.s, "db.nnn", 6) == 0);
  CHECK(st.monitor_error.value.truncated &&
        strlen(st.monitor_error.value.s) == DFD_ERROR_TEXT_MAX - 1);
  CHECK(st.id.v == 7);
}

/* A wanted member bigger than the buffer keeps what fitted and says so. */
static void member_overflow_rolls_back(void) {
  static char big[1 << 14];
  size_t k = (size_t)snprintf(big, sizeof big, "{\"table1\":[");
  for (int i = 0; i < 100; i++)
    k += (size_t)snprintf(big + k, sizeof big - k, "%s\"c%d\"", i ? "," : "", i);
  k += (size_t)snprintf(big + k, sizeof big - k, "],\"id\":5}");
  CHECK(run_chunked(big, k, 0) == DFD_OK);
  CHECK(st.member_truncated && st.table1.present && st.table1.truncated);
  CHECK(strncmp(st.table1.s, "c0.c1.c2.", 9) == 0 && st.id.v == 5);
  check_invariant("long table path", big, k);

  static char body[1 << 16];
  size_t o = (size_t)snprintf(body, sizeof body, "{\"detail\":[");
  for (int i = 0; i < 200; i++)
    o += (size_t)snprintf(body + o, sizeof body - o,
                          "%s{\"loc\":[\"body\",%d],\"msg\":\"field %d is wrong\",\"type\":\"t\"}",
                          i ? "," : "", i, i);
  o += (size_t)snprintf(body + o, sizeof body - o, "],\"title\":\"Unprocessable\"}");
  CHECK(run_chunked(body, o, 0) == DFD_OK);
  CHECK(!st.member_truncated); /* only detail[0] is wanted: the rest is skipped, not cut */
  CHECK(st.error_detail.present && strcmp(st.error_detail.s, "field 0 is wrong") == 0);
  CHECK(strcmp(st.error_title.s, "Unprocessable") == 0);
  CHECK(dfd_status_outcome(&st) == DFD_OUTCOME_API_ERROR);
  check_invariant("detail array", body, o);

  /* many unknown keys inside diff_stats are skipped, not copied: nothing is lost */
  o = (size_t)snprintf(body, sizeof body, "{\"diff_stats\":{");
  for (int i = 0; i < 500; i++)
    o += (size_t)snprintf(body + o, sizeof body - o, "\"future_%d\":[1,2,{\"a\":3}],", i);
  o += (size_t)snprintf(body + o, sizeof body - o, "\"rows_added\":5}}");
  CHECK(run_chunked(body, o, 0) == DFD_OK);
  CHECK(!st.member_truncated && st.stats.rows_added.v == 5);

  /* a huge number in a scalar member cannot fit: reported absent and truncated */
  o = (size_t)snprintf(body, sizeof body, "{\"runtime\":1");
  memset(body + o, '0', 3000);
  o += 3000;
  o += (size_t)snprintf(body + o, sizeof body - o, ",\"id\":3}");
  CHECK(run_chunked(body, o, 0) == DFD_OK);
  CHECK(st.member_truncated && !st.runtime.present && st.id.v == 3);
}

static void duplicates_last_wins(void) {
  CHECK(run("{\"status\":\"done\",\"status\":\"waiting\",\"id\":1,\"id\":null}") == DFD_OK);
  CHECK(st.status == DFD_JOB_WAITING && !st.id.present);
  CHECK(run("{\"diff_stats\":{\"rows_added\":1},\"diff_stats\":{\"rows_removed\":2}}") == DFD_OK);
  CHECK(!st.stats.rows_added.present && st.stats.rows_removed.v == 2);
}

static void errors(void) {
  static const struct {
    const char *body;
    int err;
  } cases[] = {
      {"", DFD_E_JSON_NOT_JSON},
      {" \n\t", DFD_E_JSON_NOT_JSON},
      {"<html>", DFD_E_JSON_NOT_JSON},
      {"\xEF\xBB\xBF{}", DFD_E_JSON_NOT_JSON},
      {"[]", DFD_E_JSON_NOT_OBJECT},
      {"\"s\"", DFD_E_JSON_NOT_OBJECT},
      {"12", DFD_E_JSON_NOT_OBJECT},
      {"null", DFD_E_JSON_NOT_OBJECT},
      {"{", DFD_E_JSON_TRUNCATED},
      {"{\"status\"", DFD_E_JSON_TRUNCATED},
      {"{\"status\":", DFD_E_JSON_TRUNCATED},
      {"{\"status\":\"do", DFD_E_JSON_TRUNCATED},
      {"{\"id\":12", DFD_E_JSON_TRUNCATED},
      {"{\"done\":tr", DFD_E_JSON_TRUNCATED},
      {"{\"a\":[1,", DFD_E_JSON_TRUNCATED},
      {"{\"a\":\"\\u12", DFD_E_JSON_TRUNCATED},
      {"{\"a\":\"\\u12G4\"}", DFD_E_JSON_BAD_ESCAPE},
      {"{\"a\":\"\\x\"}", DFD_E_JSON_BAD_ESCAPE},
      {"{\"a\":01}", DFD_E_JSON_BAD_NUMBER},
      {"{\"a\":1.}", DFD_E_JSON_BAD_NUMBER},
      {"{\"a\":-}", DFD_E_JSON_BAD_NUMBER},
      {"{\"a\":1e}", DFD_E_JSON_BAD_NUMBER},
      {"{\"a\":.5}", DFD_E_JSON_SYNTAX},
      {"{\"a\":+1}", DFD_E_JSON_SYNTAX},
      {"{\"a\":tru}", DFD_E_JSON_SYNTAX},
      {"{\"a\":NaN}", DFD_E_JSON_SYNTAX},
      {"{\"a\":1,}", DFD_E_JSON_SYNTAX},
      {"{\"a\":[1,]}", DFD_E_JSON_SYNTAX},
      {"{\"a\":[1}", DFD_E_JSON_SYNTAX},
      {"{'a':1}", DFD_E_JSON_SYNTAX},
      {"{\"a\" 1}", DFD_E_JSON_SYNTAX},
      {"{\"a\":1 \"b\":2}", DFD_E_JSON_SYNTAX},
      {"{\"a\":1}/*c*/", DFD_E_JSON_TRAILING},
      {"{}x", DFD_E_JSON_TRAILING},
      {"{}{}", DFD_E_JSON_TRAILING},
      {"{\"a\":\"tab\there\"}", DFD_E_JSON_BAD_STRING},
      {"{\"a\":\"\xC0\xAF\"}", DFD_E_JSON_BAD_STRING},
      {"{\"a\":\"\xED\xA0\x80\"}", DFD_E_JSON_BAD_STRING},
      {"{\"a\":\"\x80\"}", DFD_E_JSON_BAD_STRING},
      {"{\"a\":\"\xE2\x82\"}", DFD_E_JSON_BAD_STRING},
      {"{\"a\":\"\xF5\x80\x80\x80\"}", DFD_E_JSON_BAD_STRING},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int e = run(cases[i].body);
    CHECKF(e == cases[i].err, "[%s]: got %d (%s), want %d", cases[i].body, e, dfd_strerror(e),
           cases[i].err);
    check_invariant(cases[i].body, cases[i].body, strlen(cases[i].body));
  }
  CHECK(run("{}  \r\n") == DFD_OK);
}

static void depth_limit(void) {
  static char body[256];
  for (int depth = DFD_JSON_DEPTH_MAX; depth <= DFD_JSON_DEPTH_MAX + 1; depth++) {
    size_t o = 0;
    body[o++] = '{';
    memcpy(body + o, "\"a\":", 4);
    o += 4;
    for (int d = 1; d < depth; d++)
      body[o++] = '[';
    for (int d = 1; d < depth; d++)
      body[o++] = ']';
    body[o++] = '}';
    body[o] = 0;
    int e = run(body);
    CHECKF(e == (depth <= DFD_JSON_DEPTH_MAX ? DFD_OK : DFD_E_JSON_TOO_DEEP), "depth %d: %d", depth,
           e);
  }
}

/* Streams a generated body of `total` bytes: a long SQL string, then the wanted members. */
static long stream_generated(size_t total) {
  static char chunk[4096];
  dfd_extract_init(&x, &st);
  const char *head = "{\"query1\":\"";
  const char *tail = "\",\"status\":\"processing\",\"diff_progress\":{\"completed_steps\":2,"
                     "\"total_steps\":4}}";
  int err = dfd_extract_feed(&x, head, strlen(head));
  size_t body = total - strlen(head) - strlen(tail);
  memset(chunk, 'q', sizeof chunk);
  memcpy(chunk + 100, "\\\"status\\\": {\\\"done\\\"}", 22);
  for (size_t sent = 0; sent < body && !err;) {
    size_t k = body - sent < sizeof chunk ? body - sent : sizeof chunk;
    if (k < sizeof chunk)
      memset(chunk, 'q', k); /* no escape cut in half at the end */
    err = dfd_extract_feed(&x, chunk, k);
    sent += k;
  }
  if (!err)
    err = dfd_extract_feed(&x, tail, strlen(tail));
  if (!err)
    err = dfd_extract_finish(&x);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  CHECK(err == DFD_OK && st.status == DFD_JOB_PROCESSING && st.progress.total_steps.v == 4);
  return ru.ru_maxrss;
}

/* The extractor's memory is its struct: a 1 KB body and a 256 MB body cost the same. */
static void memory_does_not_grow(void) {
  /* under an emulator (the Raspberry Pi runs) 64 MB make the same point, four times faster;
   * under valgrind (DFD_TEST_LIGHT) 4 MB */
  size_t mb = getenv("TEST_RUNNER") && *getenv("TEST_RUNNER") ? 64 : 256;
  if (t_light())
    mb = 4;
  long small = stream_generated(1024);
  long large = stream_generated(mb << 20);
  CHECKF(large - small < 256, "max RSS grew by %ld KB over a %zu MB body", large - small, mb);
  CHECKF(sizeof(dfd_extract) <= 2048, "sizeof(dfd_extract) = %zu", sizeof(dfd_extract));
}

int main(void) {
  RUN(fields_and_decoys);
  RUN(nulls_and_wrong_types);
  RUN(numbers);
  RUN(enums);
  RUN(strings_and_escapes);
  RUN(long_values_truncate);
  RUN(member_overflow_rolls_back);
  RUN(duplicates_last_wins);
  RUN(errors);
  RUN(depth_limit);
  RUN(fixtures_any_chunking);
  RUN(memory_does_not_grow);
  T_EXIT();
}
