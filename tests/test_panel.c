/* The boards' shared display loop (boards/common/panel.c) over a scripted in-memory port:
 * a virtual clock, and a "server" answering each GET from a script per diff id. Checks
 * the id list parser, the RFC 3339 reader, which diff is polled when (backoff,
 * Retry-After, finished diffs left alone, permanent failures retried afresh), one request
 * per step, page turns, and what each page shows (status, trouble, age, elapsed time).
 *
 * The board file is compiled into this test (the top-level Makefile builds each
 * tests/test_*.c alone against the libraries). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../boards/common/panel.c"
#include "dfd_err.h"
#include "test.h"

/* --- the scripted port --------------------------------------------------------------- */

typedef struct {
  uint64_t now;    /* virtual clock, ms */
  int connects;    /* connections opened */
  int requests;    /* GETs received */
  int64_t last_id; /* id of the last GET */
  char req[1024];  /* the request being received */
  size_t req_len;
  char resp[2048]; /* the answer being sent */
  size_t resp_len, resp_off;
  int per_id[16];      /* GETs per id */
  uint64_t at[16][16]; /* when each GET of an id arrived */
} fake_net;

static fake_net net;

static void answer(int status, const char *extra_headers, const char *body) {
  const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Service Unavailable";
  int n = snprintf(net.resp, sizeof net.resp,
                   "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n%s\r\n%s",
                   status, reason, strlen(body), extra_headers, body);
  net.resp_len = n > 0 && (size_t)n < sizeof net.resp ? (size_t)n : 0;
  net.resp_off = 0;
}

static void status_body(int64_t id, const char *status, const char *result, int done_steps,
                        int total_steps) {
  char body[512];
  snprintf(body, sizeof body,
           "{\"id\":%" PRId64 ",\"status\":\"%s\",\"done\":%s,\"result\":%s%s%s,"
           "\"created_at\":\"2024-06-03T14:00:00Z\",\"table1\":[\"db\",\"public\",\"orders\"],"
           "\"table2\":[\"db\",\"public\",\"orders_v2\"],"
           "\"diff_progress\":{\"completed_steps\":%d,\"total_steps\":%d}}",
           id, status, strcmp(status, "done") == 0 ? "true" : "false", result ? "\"" : "",
           result ? result : "null", result ? "\"" : "", done_steps, total_steps);
  answer(200, "", body);
}

/* The script: diff 1 runs 1/3, 2/3, then is done (identical); diff 2 does not exist;
 * diff 3 is overloaded once (503, Retry-After: 5), then done (different). */
static void serve(int64_t id) {
  int n = id >= 0 && id < 16 ? net.per_id[id] : 0; /* 1 for the first GET */
  switch (id) {
  case 1:
    if (n < 3)
      status_body(1, "processing", NULL, n, 3);
    else
      status_body(1, "done", "identical", 3, 3);
    break;
  case 3:
    if (n == 1)
      answer(503, "Retry-After: 5\r\n", "{\"detail\":\"overloaded\"}");
    else
      status_body(3, "done", "different", 5, 5);
    break;
  default:
    answer(404, "", "{\"detail\":\"Not found\"}");
  }
}

static int f_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms, int *sock) {
  (void)ctx;
  (void)host;
  (void)port;
  (void)timeout_ms;
  net.connects++;
  net.req_len = 0;
  net.resp_len = net.resp_off = 0;
  *sock = 3;
  return 0;
}

static int f_send(void *ctx, int sock, const uint8_t *buf, size_t n, uint32_t timeout_ms) {
  (void)ctx;
  (void)sock;
  (void)timeout_ms;
  if (net.req_len + n >= sizeof net.req)
    return DFD_E_IO;
  memcpy(net.req + net.req_len, buf, n);
  net.req_len += n;
  net.req[net.req_len] = '\0';
  if (strstr(net.req, "\r\n\r\n")) { /* a whole request: answer it */
    int64_t id = -1;
    const char *p = strstr(net.req, "/api/v1/datadiffs/");
    if (p)
      id = strtoll(p + strlen("/api/v1/datadiffs/"), NULL, 10);
    net.requests++;
    net.last_id = id;
    if (id >= 0 && id < 16) {
      if (net.per_id[id] < 16)
        net.at[id][net.per_id[id]] = net.now;
      net.per_id[id]++;
    }
    net.now += 120; /* the round trip */
    serve(id);
    net.req_len = 0;
  }
  return (int)n;
}

static int f_recv(void *ctx, int sock, uint8_t *buf, size_t n, uint32_t timeout_ms) {
  (void)ctx;
  (void)sock;
  (void)timeout_ms;
  size_t left = net.resp_len - net.resp_off;
  if (left == 0)
    return 0; /* Connection: close */
  if (n > left)
    n = left;
  memcpy(buf, net.resp + net.resp_off, n);
  net.resp_off += n;
  return (int)n;
}

static void f_close(void *ctx, int sock) {
  (void)ctx;
  (void)sock;
}
static uint64_t f_now(void *ctx) {
  (void)ctx;
  return net.now;
}
static void f_sleep(void *ctx, uint32_t ms) {
  (void)ctx;
  net.now += ms;
}
static int f_entropy(void *ctx, uint8_t *buf, size_t n) {
  (void)ctx;
  for (size_t i = 0; i < n; i++)
    buf[i] = (uint8_t)(0x5Au + i);
  return 0;
}

static const dfd_port fake_port = {NULL,  f_connect, f_send,    f_recv, f_close,
                                   f_now, f_sleep,   f_entropy, NULL};

static dfd_client client;
static dfd_panel panel;

static void reset(void) {
  memset(&net, 0, sizeof net);
  net.now = 1000000; /* any origin */
  dfd_client_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.url = "http://api.test";
  cfg.api_key = "test-key";
  cfg.timeout_ms = 5000;
  CHECK(dfd_client_init(&client, &fake_port, &cfg) == DFD_OK);
}

static dfd_panel_config test_config(void) {
  dfd_panel_config c = dfd_panel_defaults();
  c.poll.interval_ms = 2000;
  c.poll.max_interval_ms = 8000;
  c.poll.jitter_percent = 0; /* exact times */
  c.page_ms = 5000;
  c.retry_failed_ms = 60000;
  c.host = "https://app.datafold.com";
  return c;
}

/* --- tests --------------------------------------------------------------------------- */

static void id_lists(void) {
  int64_t ids[4];
  CHECK(dfd_panel_parse_ids("12345", ids, 4) == 1 && ids[0] == 12345);
  CHECK(dfd_panel_parse_ids("1,2,3", ids, 4) == 3 && ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
  CHECK(dfd_panel_parse_ids(" 12 ,\t34 ", ids, 4) == 2 && ids[0] == 12 && ids[1] == 34);
  CHECK(dfd_panel_parse_ids("0", ids, 4) == 1 && ids[0] == 0);
  CHECK(dfd_panel_parse_ids("9223372036854775807", ids, 4) == 1 && ids[0] == INT64_MAX);
  CHECK(dfd_panel_parse_ids("9223372036854775808", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("1,2,3,4", ids, 4) == 4);
  CHECK(dfd_panel_parse_ids("1,2,3,4,5", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("  ", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("1,,2", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("1,", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids(",1", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("-1", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("+1", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("12a", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("1 2", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("1;2", ids, 4) == -1);
  CHECK(dfd_panel_parse_ids(NULL, ids, 4) == -1);
  CHECK(dfd_panel_parse_ids("1", ids, 0) == -1);
}

static void rfc3339_times(void) {
  CHECK(dfd_panel_parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(dfd_panel_parse_time("1970-01-01T00:00:00") == 0);
  CHECK(dfd_panel_parse_time("2024-06-03T14:21:07.512345+00:00") == 1717424467);
  CHECK(dfd_panel_parse_time("2024-06-03T16:21:07+02:00") == 1717424467);
  CHECK(dfd_panel_parse_time("2024-06-03T09:21:07-05:00") == 1717424467);
  CHECK(dfd_panel_parse_time("2024-06-03 14:21:07Z") == 1717424467);
  CHECK(dfd_panel_parse_time("2000-02-29T00:00:00Z") == 951782400);
  CHECK(dfd_panel_parse_time("2024-13-01T00:00:00Z") == -1);
  CHECK(dfd_panel_parse_time("2024-06-03T24:00:00Z") == -1);
  CHECK(dfd_panel_parse_time("2024-06-03") == -1);
  CHECK(dfd_panel_parse_time("2024-06-03T14:21:07Zjunk") == -1);
  CHECK(dfd_panel_parse_time("2024-06-03T14:21:07+0200") == -1);
  CHECK(dfd_panel_parse_time("") == -1);
  CHECK(dfd_panel_parse_time(NULL) == -1);
}

/* Runs the loop the way a board does, until the virtual clock passes `until`: step, then
 * sleep for what the step says. Checks that a step sends at most one request. */
static int run_until(uint64_t until, int *pages_seen) {
  int steps = 0;
  while (net.now < until && steps < 10000) {
    int before = net.requests;
    uint32_t wait = 0;
    uint16_t page = panel.page;
    dfd_panel_step(&panel, &wait);
    CHECK(net.requests - before <= 1);
    if (pages_seen && panel.page != page)
      (*pages_seen)++;
    if (wait == UINT32_MAX || net.now + wait > until)
      net.now = until;
    else
      net.now += wait;
    steps++;
  }
  return steps;
}

static void polls_follow_the_watch_policy(void) {
  reset();
  dfd_panel_config cfg = test_config();
  int64_t ids[] = {1, 2, 3};
  dfd_panel_init(&panel, &client, ids, 3, &cfg);
  uint64_t t0 = net.now;
  CHECK(panel.count == 3 && panel.page == 0);

  int turns = 0;
  run_until(t0 + 100000, &turns);

  /* diff 1: three polls, 2 s then 3 s apart (x1.5, no jitter), then finished for good */
  CHECKF(net.per_id[1] == 3, "diff 1 polled %d times", net.per_id[1]);
  const dfd_panel_diff *d1 = &panel.diffs[0];
  CHECK(d1->state == DFD_WATCH_FINISHED && d1->next_ms == DFD_PANEL_NEVER);
  CHECK(d1->have_status && d1->status.status == DFD_JOB_DONE &&
        d1->status.result == DFD_RESULT_IDENTICAL);
  CHECK(d1->err == DFD_OK);
  uint64_t gap1 = net.at[1][1] - net.at[1][0], gap2 = net.at[1][2] - net.at[1][1];
  CHECKF(gap1 >= 2000 && gap1 < 2500, "first delay %" PRIu64, gap1);
  CHECKF(gap2 >= 3000 && gap2 < 3500, "second delay %" PRIu64, gap2);

  /* diff 2: 404 is permanent: no backoff retries, one fresh try after 60 s */
  CHECKF(net.per_id[2] == 2, "diff 2 polled %d times", net.per_id[2]);
  uint64_t gap404 = net.at[2][1] - net.at[2][0];
  CHECKF(gap404 >= 60000 && gap404 < 61000, "404 retried after %" PRIu64, gap404);
  const dfd_panel_diff *d2 = &panel.diffs[1];
  CHECK(d2->state == DFD_WATCH_FAILED && d2->err == DFD_E_API_NOT_FOUND && !d2->have_status);

  /* diff 3: 503 with Retry-After: 5 waits exactly 5 s, then done */
  CHECKF(net.per_id[3] == 2, "diff 3 polled %d times", net.per_id[3]);
  uint64_t gap503 = net.at[3][1] - net.at[3][0];
  CHECKF(gap503 >= 5000 && gap503 < 5500, "Retry-After gave %" PRIu64, gap503);
  const dfd_panel_diff *d3 = &panel.diffs[2];
  CHECK(d3->state == DFD_WATCH_FINISHED && d3->status.result == DFD_RESULT_DIFFERENT);

  /* the first polls of all three go out at start, one per step */
  CHECK(net.at[1][0] < net.at[2][0] && net.at[2][0] < net.at[3][0]);
  CHECK(net.at[3][0] - t0 < 1000);

  /* pages: one turn every 5 s over 100 s */
  CHECKF(turns >= 19 && turns <= 20, "%d page turns", turns);
  CHECK(net.requests == 7);
}

static void nothing_left_to_poll(void) {
  reset();
  dfd_panel_config cfg = test_config();
  cfg.retry_failed_ms = 0; /* a permanent failure is final */
  int64_t ids[] = {2};
  dfd_panel_init(&panel, &client, ids, 1, &cfg);
  uint32_t wait = 0;
  CHECK(dfd_panel_step(&panel, &wait)); /* the 404 */
  CHECK(wait == UINT32_MAX);            /* one page, nothing scheduled */
  CHECK(!dfd_panel_step(&panel, &wait));
  CHECK(net.requests == 1);
}

static void what_a_page_shows(void) {
  reset();
  dfd_panel_config cfg = test_config();
  int64_t ids[] = {1, 2};
  dfd_panel_init(&panel, &client, ids, 2, &cfg);
  dfd_render_input in;

  /* before any answer: the id alone, no trouble, no age */
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.status == NULL && in.id == 1 && in.trouble == DFD_TROUBLE_NONE);
  CHECK(in.age_s == -1 && in.page == 0 && in.pages == 2);
  CHECK(in.host == cfg.host && in.qr == NULL);

  uint32_t wait;
  dfd_panel_step(&panel, &wait); /* diff 1: processing 1/3 */
  dfd_panel_step(&panel, &wait); /* diff 2: 404 */
  net.now += 4200;
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.status != NULL && in.status->status == DFD_JOB_PROCESSING);
  if (!in.status)
    return;
  CHECK(in.status->progress.completed_steps.v == 1 && in.status->progress.total_steps.v == 3);
  CHECKF(in.age_s == 4, "age %" PRId64, in.age_s);
  CHECK(in.trouble == DFD_TROUBLE_NONE);
  /* elapsed: since the watch started without a wall clock, from created_at with one */
  CHECKF(in.elapsed_s == 4, "elapsed %" PRId64, in.elapsed_s);
  int64_t created = dfd_panel_parse_time("2024-06-03T14:00:00Z");
  dfd_panel_screen(&panel, created + 754, &in);
  CHECKF(in.elapsed_s == 754, "elapsed %" PRId64, in.elapsed_s);
  dfd_panel_screen(&panel, created - 10, &in); /* a clock behind the server's */
  CHECK(in.elapsed_s == 4);

  /* the animation tick moves on at each screen */
  uint32_t tick = in.tick;
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.tick == tick + 1);

  /* the second page: diff 2's trouble, no status */
  net.now += 1000;
  dfd_panel_step(&panel, &wait);
  CHECK(panel.page == 1);
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.id == 2 && in.status == NULL && in.trouble == DFD_TROUBLE_NOT_FOUND);
  CHECK(in.page == 1 && in.pages == 2);

  /* drawn on a 128x64 OLED and a 296x128 e-paper with its QR code */
  static uint8_t bits[DFD_FB_BYTES(296, 128)];
  static dfd_render_qr_work qr;
  dfd_fb small = {bits, 128, 64}, big = {bits, 296, 128};
  CHECK(dfd_panel_draw(&panel, &small, NULL, 0) == DFD_OK);
  CHECK(dfd_panel_draw(&panel, &big, &qr, 0) == DFD_OK);
  CHECK(dfd_panel_draw_trouble(&small, 42, DFD_TROUBLE_NO_NETWORK) == DFD_OK);
  CHECK(dfd_panel_draw_trouble(&small, -1, DFD_TROUBLE_SETUP) == DFD_OK);
}

/* The trouble of a failed poll is shown over the last status known, and cleared by the
 * next answer. */
static void trouble_over_the_last_status(void) {
  reset();
  dfd_panel_config cfg = test_config();
  int64_t ids[] = {3};
  dfd_panel_init(&panel, &client, ids, 1, &cfg);
  net.per_id[3] = 1; /* skip the script's 503: the first answer is "done" */
  uint32_t wait;
  dfd_panel_step(&panel, &wait);
  CHECK(panel.diffs[0].have_status);
  /* a finished diff is not polled again: force one more poll that fails */
  panel.diffs[0].state = DFD_WATCH_CONTINUE;
  panel.diffs[0].next_ms = net.now;
  net.per_id[3] = 0; /* the next GET gets the 503 */
  dfd_panel_step(&panel, &wait);
  dfd_render_input in;
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.status != NULL);
  if (!in.status)
    return;
  CHECK(in.status->result == DFD_RESULT_DIFFERENT);
  CHECK(in.trouble == DFD_TROUBLE_SERVER);
  CHECK(panel.diffs[0].err == DFD_E_API_SERVER && panel.diffs[0].state == DFD_WATCH_CONTINUE);
  net.now += wait;
  dfd_panel_step(&panel, &wait);
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.trouble == DFD_TROUBLE_NONE && panel.diffs[0].state == DFD_WATCH_FINISHED);
}

static void no_diffs(void) {
  reset();
  dfd_panel_config cfg = test_config();
  dfd_panel_init(&panel, &client, NULL, 0, &cfg);
  uint32_t wait = 0;
  CHECK(!dfd_panel_step(&panel, &wait) && wait == UINT32_MAX);
  CHECK(dfd_panel_current(&panel) == NULL);
  dfd_render_input in;
  dfd_panel_screen(&panel, 0, &in);
  CHECK(in.trouble == DFD_TROUBLE_SETUP && in.status == NULL);
  static uint8_t bits[DFD_FB_BYTES(128, 64)];
  dfd_fb fb = {bits, 128, 64};
  CHECK(dfd_panel_draw(&panel, &fb, NULL, 0) == DFD_OK);
  CHECK(net.requests == 0);
}

int main(void) {
  RUN(id_lists);
  RUN(rfc3339_times);
  RUN(polls_follow_the_watch_policy);
  RUN(nothing_left_to_poll);
  RUN(what_a_page_shows);
  RUN(trouble_over_the_last_status);
  RUN(no_diffs);
  T_EXIT();
}
