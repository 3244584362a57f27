/* dfdiff watch ID: poll a diff until it is terminal, politely (one connection, backoff
 * with jitter, Retry-After), showing it move. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dfd_err.h"
#include "watch.h"

static const char watch_usage[] =
    "usage: dfdiff watch [OPTIONS] ID\n"
    "Polls GET {url}/api/v1/datadiffs/ID until the diff is done, failed or cancelled,\n"
    "then prints the result; the exit code says how it ended.\n"
    "\n"
    "  --interval SECONDS       first delay between polls (default 2); grows x1.5 per poll\n"
    "  --max-interval SECONDS   cap of the delay (default 20); +-20% jitter, Retry-After wins\n"
    "  --timeout SECONDS        give up (exit 3) after this long (default 3600; 0 = never)\n"
    "  --request-timeout SECONDS  limit for each request (default 30)\n"
    "  --url BASE               API base URL (default $DATAFOLD_HOST or https://app.datafold.com)\n"
    "  --api-key-file PATH      read the API key from PATH (default: $DATAFOLD_API_KEY)\n"
    "  --ca-file PATH           trust the CA certificates in PATH (PEM)\n"
    "  --json                   one JSON line per poll, the final state last\n"
    "  --poll VALUE             pass ?poll=VALUE to the server\n"
    "  --verbose                show each exchange on stderr (never the key)\n"
    "  --insecure               do not stop on certificate problems (warns)\n"
    "  --render FILE.pbm        redraw a status display's screen into FILE at each poll\n"
    "  --panel WxH              its size (default 296x128; 128x64, 250x122...)\n"
    "\n"
    "Transient failures (network, TLS, timeouts, 429, 5xx, cut bodies) are retried until\n"
    "--timeout; permanent ones (401, 403, 404, 422, certificates) stop at once.\n"
    "Honours HTTPS_PROXY/https_proxy, NO_PROXY, and NO_COLOR.\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a blocked poll() or sleep returns at once */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

typedef struct {
  bool tty, color;
  uint64_t start_ms;
  /* the last state shown, to print a line only when it changes (unknown values too) */
  char status_text[DFD_ENUM_TEXT_MAX], result_text[DFD_ENUM_TEXT_MAX];
  int64_t done_steps, total_steps;
  bool shown;
} view;

static void elapsed(char *buf, size_t cap, uint64_t ms) {
  uint64_t s = ms / 1000;
  if (s >= 3600)
    snprintf(buf, cap, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buf, cap, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

static const char *status_color(const dfd_status *st) {
  switch (dfd_status_outcome(st)) {
  case DFD_OUTCOME_SAME:
    return "\033[32m";
  case DFD_OUTCOME_DIFFERS:
    return "\033[33m";
  case DFD_OUTCOME_FAILED:
    return "\033[31m";
  default:
    return "\033[36m";
  }
}

/* The live line on a terminal: status, progress bar, elapsed time, next poll. */
static void draw_live(const view *v, int64_t id, const dfd_status *st, uint64_t now_ms,
                      uint32_t next_ms, const char *trouble) {
  char t[32];
  elapsed(t, sizeof t, now_ms - v->start_ms);
  fprintf(stdout, "\r\033[Kdiff %" PRId64 "  ", id);
  if (v->color)
    fputs(status_color(st), stdout);
  cli_put_safe(stdout, st->status == DFD_JOB_ABSENT ? "..." : st->status_text);
  if (v->color)
    fputs("\033[0m", stdout);
  int64_t done = st->progress.completed_steps.present ? st->progress.completed_steps.v : 0;
  int64_t total = st->progress.total_steps.present ? st->progress.total_steps.v : 0;
  if (total > 0) {
    char bar[21];
    int64_t fill = done <= 0 ? 0 : done >= total ? 20 : done * 20 / total;
    for (int i = 0; i < 20; i++)
      bar[i] = i < fill ? '#' : '-';
    bar[20] = '\0';
    fprintf(stdout, "  [%s] %" PRId64 "/%" PRId64, bar, done, total);
  }
  fprintf(stdout, "  %s", t);
  if (trouble) {
    fputs("  ", stdout);
    cli_put_safe(stdout, trouble);
  }
  if (next_ms)
    fprintf(stdout, "  next poll in %us", (unsigned)((next_ms + 999) / 1000));
  fflush(stdout);
}

/* Without a terminal: one line per change of state. */
static void print_change(view *v, int64_t id, const dfd_status *st, uint64_t now_ms) {
  int64_t done = st->progress.completed_steps.present ? st->progress.completed_steps.v : -1;
  int64_t total = st->progress.total_steps.present ? st->progress.total_steps.v : -1;
  if (v->shown && strcmp(st->status_text, v->status_text) == 0 &&
      strcmp(st->result_text, v->result_text) == 0 && done == v->done_steps &&
      total == v->total_steps)
    return;
  v->shown = true;
  memcpy(v->status_text, st->status_text, sizeof v->status_text);
  memcpy(v->result_text, st->result_text, sizeof v->result_text);
  v->done_steps = done;
  v->total_steps = total;
  char t[32];
  elapsed(t, sizeof t, now_ms - v->start_ms);
  fprintf(stdout, "[%s] diff %" PRId64 ": ", t, id);
  cli_put_safe(stdout, st->status == DFD_JOB_ABSENT ? "no status" : st->status_text);
  if (total >= 0)
    fprintf(stdout, " %" PRId64 "/%" PRId64 " steps", done < 0 ? 0 : done, total);
  if (st->result != DFD_RESULT_ABSENT) {
    fputs(", result ", stdout);
    cli_put_safe(stdout, st->result_text);
  }
  fputc('\n', stdout);
  fflush(stdout);
}

/* Sleeps ms, redrawing the live line's countdown each second; false when interrupted. */
static bool wait_next(cli_session *s, const view *v, const dfd_status *st, uint32_t ms,
                      const char *trouble) {
  uint64_t until = s->port.now_ms(s->port.ctx) + ms;
  for (;;) {
    uint64_t now = s->port.now_ms(s->port.ctx);
    if (stop_signal)
      return false;
    if (now >= until)
      return true;
    uint32_t left = (uint32_t)(until - now);
    if (v->tty && !s->json)
      draw_live(v, s->id, st, now, left, trouble);
    uint32_t slice = v->tty ? (left % 1000 ? left % 1000 : 1000) : left;
    s->port.sleep_ms(s->port.ctx, slice);
  }
}

int cmd_watch(int argc, char **argv) {
  static cli_session s;
  memset(&s, 0, sizeof s);
  s.cmd = "watch";
  s.request_timeout_ms = 30000;
  dfd_poll_config pc = dfd_poll_defaults();
  const char *image = NULL;
  uint16_t panel_w = 296, panel_h = 128;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    int bad = 0;
    const char *v;
    uint32_t ms;
    if ((v = cli_option_value(argc, argv, &i, "--interval", &bad))) {
      if (cli_parse_seconds(v, "--interval", &ms) != 0)
        return EXIT_USAGE;
      if (ms == 0) {
        cli_error("--interval must be more than 0 seconds");
        return EXIT_USAGE;
      }
      pc.interval_ms = ms;
    } else if ((v = cli_option_value(argc, argv, &i, "--max-interval", &bad))) {
      if (cli_parse_seconds(v, "--max-interval", &ms) != 0)
        return EXIT_USAGE;
      if (ms == 0) {
        cli_error("--max-interval must be more than 0 seconds");
        return EXIT_USAGE;
      }
      pc.max_interval_ms = ms;
    } else if ((v = cli_option_value(argc, argv, &i, "--timeout", &bad))) {
      if (cli_parse_seconds(v, "--timeout", &pc.timeout_ms) != 0)
        return EXIT_USAGE;
    } else if ((v = cli_option_value(argc, argv, &i, "--request-timeout", &bad))) {
      if (cli_parse_seconds(v, "--request-timeout", &ms) != 0)
        return EXIT_USAGE;
      if (ms == 0) {
        cli_error("--request-timeout must be more than 0 seconds");
        return EXIT_USAGE;
      }
      s.request_timeout_ms = ms;
    } else if ((v = cli_option_value(argc, argv, &i, "--render", &bad))) {
      image = v;
    } else if ((v = cli_option_value(argc, argv, &i, "--panel", &bad))) {
      if (cli_parse_panel(v, &panel_w, &panel_h) != 0)
        return EXIT_USAGE;
    } else if (bad) {
      return EXIT_USAGE;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(watch_usage, stdout);
      return 0;
    } else if (cli_session_option(&s, argc, argv, &i) < 0) {
      return EXIT_USAGE;
    }
  }
  if (pc.max_interval_ms < pc.interval_ms)
    pc.max_interval_ms = pc.interval_ms;
  int code = cli_session_open(&s);
  if (code != 0) {
    cli_session_close(&s);
    return code;
  }
  catch_signals();
  const char *no_color = getenv("NO_COLOR");
  view v = {0};
  v.tty = isatty(STDOUT_FILENO) == 1;
  v.color = v.tty && !(no_color && *no_color) && !s.json;
  v.start_ms = s.port.now_ms(s.port.ctx);
  uint32_t seed = 0;
  s.port.entropy(s.port.ctx, (uint8_t *)&seed, sizeof seed);
  static dfd_watch w;
  static dfd_status st, last;
  dfd_watch_init(&w, &s.client, s.id, &pc, seed);
  char what[48], trouble[DFD_ERROR_TEXT_MAX + 64];
  snprintf(what, sizeof what, "watch %" PRId64, s.id);
  static dfd_get_info info;
  static dfd_render_qr_work qr;
  dfd_render_input screen = {NULL, s.id, s.url, &qr, DFD_TROUBLE_NONE, -1, -1, 0, 0, 0};
  uint64_t last_ok_ms = 0;
  bool image_failed = false;
  dfd_watch_state state;
  int err;
  for (;;) {
    uint32_t delay;
    state = dfd_watch_step(&w, &st, &info, &err, &delay);
    if (s.verbose)
      cli_verbose(&s.client, s.id, &info);
    if (stop_signal)
      break;
    uint64_t now = s.port.now_ms(s.port.ctx);
    trouble[0] = '\0';
    if (err == DFD_OK) {
      last = st;
      if (s.json)
        cli_print_json(stdout, &st);
      else if (v.tty)
        draw_live(&v, s.id, &st, now, state == DFD_WATCH_CONTINUE ? delay : 0, NULL);
      else
        print_change(&v, s.id, &st, now);
      fflush(stdout);
    } else if (state == DFD_WATCH_CONTINUE || state == DFD_WATCH_EXPIRED) {
      snprintf(trouble, sizeof trouble, "retrying: %s", dfd_strerror(err));
      if (info.http_status && info.message[0])
        snprintf(trouble, sizeof trouble, "retrying: HTTP %d: %s", info.http_status, info.message);
      if (!v.tty || s.json) {
        cli_report_failure(what, err, &s.client, &info);
        if (state == DFD_WATCH_CONTINUE)
          fprintf(stderr, "dfdiff: %s: retrying in %.1f s\n", what, delay / 1000.0);
      }
    }
    if (image && !image_failed) {
      if (err == DFD_OK) {
        screen.status = &last;
        last_ok_ms = now;
      }
      screen.trouble = dfd_render_trouble_for_err(err);
      screen.age_s = screen.status ? (int64_t)((now - last_ok_ms) / 1000) : -1;
      screen.elapsed_s = cli_running_seconds(screen.status);
      if (screen.elapsed_s < 0)
        screen.elapsed_s = (int64_t)((now - v.start_ms) / 1000);
      screen.tick = w.polls;
      image_failed = cli_write_image(image, panel_w, panel_h, &screen) != 0;
    }
    if (state != DFD_WATCH_CONTINUE)
      break;
    if (!wait_next(&s, &v, &last, delay, trouble[0] ? trouble : NULL))
      break;
  }
  if (v.tty && !s.json)
    fputs("\r\033[K", stdout);
  if (stop_signal) {
    cli_session_close(&s); /* TLS close_notify, key wiped */
    cli_error("%s: interrupted", what);
    return stop_signal == SIGTERM ? 143 : 130;
  }
  switch (state) {
  case DFD_WATCH_FINISHED:
    if (!s.json)
      cli_print_summary(stdout, &st);
    code = cli_exit_for_status(&st);
    break;
  case DFD_WATCH_EXPIRED:
    cli_error("%s: gave up after %.0f s (--timeout): the diff is %s", what, pc.timeout_ms / 1000.0,
              last.status == DFD_JOB_ABSENT ? "in an unknown state" : last.status_text);
    code = EXIT_PENDING;
    break;
  default:
    if (err == DFD_E_API_STATUS && dfd_status_outcome(&st) == DFD_OUTCOME_API_ERROR)
      cli_error("%s: the server answered 200 with an error body", what);
    else
      cli_report_failure(what, err, &s.client, &info);
    code = cli_exit_for_error(err);
  }
  cli_session_close(&s);
  return code;
}
