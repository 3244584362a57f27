/* The status display's loop shared by the boards (panel.h). */
#include "panel.h"

#include <string.h>

#include "dfd_err.h"

dfd_panel_config dfd_panel_defaults(void) {
  dfd_panel_config c;
  memset(&c, 0, sizeof c);
  c.poll = dfd_poll_defaults();
  c.poll.interval_ms = 10000;
  c.poll.max_interval_ms = 60000;
  c.poll.timeout_ms = 0;
  c.page_ms = 8000;
  c.retry_failed_ms = 600000;
  c.host = NULL;
  return c;
}

static bool is_space(char ch) { return ch == ' ' || ch == '\t'; }

int dfd_panel_parse_ids(const char *text, int64_t *ids, size_t cap) {
  if (!text || !ids || cap == 0)
    return -1;
  size_t n = 0;
  const char *s = text;
  for (;;) {
    while (is_space(*s))
      s++;
    if (*s < '0' || *s > '9')
      return -1; /* an empty item, a sign, or something else */
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
      int d = *s - '0';
      if (v > (INT64_MAX - d) / 10)
        return -1;
      v = v * 10 + d;
    }
    while (is_space(*s))
      s++;
    if (n == cap)
      return -1;
    ids[n++] = v;
    if (*s == '\0')
      return (int)n;
    if (*s != ',')
      return -1;
    s++;
  }
}

static uint64_t now_ms(const dfd_panel *p) { return p->port->now_ms(p->port->ctx); }

static void start_watch(dfd_panel *p, dfd_panel_diff *d, uint64_t now) {
  uint32_t seed = 0;
  if (p->port->entropy(p->port->ctx, (uint8_t *)&seed, sizeof seed) != 0)
    seed = 0; /* the policy replaces 0; jitter only spreads a fleet's polls */
  dfd_watch_init(&d->watch, p->client, d->id, &p->cfg.poll, seed);
  d->state = DFD_WATCH_CONTINUE;
  d->started_ms = now;
  d->next_ms = now;
}

void dfd_panel_init(dfd_panel *p, dfd_client *c, const int64_t *ids, size_t n,
                    const dfd_panel_config *cfg) {
  memset(p, 0, sizeof *p);
  p->client = c;
  p->port = c->port;
  p->cfg = *cfg;
  if (n > DFD_PANEL_MAX_DIFFS)
    n = DFD_PANEL_MAX_DIFFS;
  p->count = (uint16_t)n;
  uint64_t now = now_ms(p);
  p->page_since_ms = now;
  for (size_t i = 0; i < n; i++) {
    dfd_panel_diff *d = &p->diffs[i];
    d->id = ids[i];
    d->err = DFD_OK;
    start_watch(p, d, now);
  }
}

/* ms from now to t, saturated to 32 bits. */
static uint32_t until(uint64_t now, uint64_t t) {
  if (t <= now)
    return 0;
  return t - now >= UINT32_MAX ? UINT32_MAX : (uint32_t)(t - now);
}

static void poll_one(dfd_panel *p, dfd_panel_diff *d) {
  if (d->state == DFD_WATCH_FAILED || d->state == DFD_WATCH_EXPIRED)
    start_watch(p, d, now_ms(p)); /* the retry of a permanent failure starts afresh */
  int err = DFD_OK;
  uint32_t delay = 0;
  d->state = dfd_watch_step(&d->watch, &p->scratch, &p->info, &err, &delay);
  d->polls++;
  uint64_t now = now_ms(p);
  d->err = err;
  if (err == DFD_OK) {
    d->status = p->scratch;
    d->have_status = true;
    d->status_ms = now;
  }
  switch (d->state) {
  case DFD_WATCH_CONTINUE:
    d->next_ms = now + delay;
    break;
  case DFD_WATCH_FINISHED: /* a finished diff does not change any more */
    d->next_ms = DFD_PANEL_NEVER;
    break;
  case DFD_WATCH_FAILED:
  case DFD_WATCH_EXPIRED:
  default:
    d->next_ms = p->cfg.retry_failed_ms ? now + p->cfg.retry_failed_ms : DFD_PANEL_NEVER;
    break;
  }
}

bool dfd_panel_step(dfd_panel *p, uint32_t *wait_ms) {
  bool changed = false;
  uint64_t now = now_ms(p);
  if (p->count > 1 && p->cfg.page_ms > 0 && now - p->page_since_ms >= p->cfg.page_ms) {
    p->page = (uint16_t)((p->page + 1u) % p->count);
    p->page_since_ms = now;
    changed = true;
  }
  /* the diff most overdue; ties go to the lowest index */
  dfd_panel_diff *due = NULL;
  for (uint16_t i = 0; i < p->count; i++) {
    dfd_panel_diff *d = &p->diffs[i];
    if (d->next_ms != DFD_PANEL_NEVER && d->next_ms <= now && (!due || d->next_ms < due->next_ms))
      due = d;
  }
  if (due) {
    poll_one(p, due);
    changed = true;
    now = now_ms(p);
  }
  uint64_t next = DFD_PANEL_NEVER;
  for (uint16_t i = 0; i < p->count; i++)
    if (p->diffs[i].next_ms < next)
      next = p->diffs[i].next_ms;
  if (p->count > 1 && p->cfg.page_ms > 0 && p->page_since_ms + p->cfg.page_ms < next)
    next = p->page_since_ms + p->cfg.page_ms;
  if (wait_ms)
    *wait_ms = next == DFD_PANEL_NEVER ? UINT32_MAX : until(now, next);
  return changed;
}

const dfd_panel_diff *dfd_panel_current(const dfd_panel *p) {
  return p->count ? &p->diffs[p->page] : NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int64_t *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    *v = *v * 10 + (s[i] - '0');
  }
  return true;
}

int64_t dfd_panel_parse_time(const char *s) {
  int64_t y, mo, d, h, mi, sec;
  if (!s)
    return -1;
  size_t len = 0;
  while (len < 19 && s[len])
    len++;
  if (len < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
      !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
      !digits(s + 17, 2, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return -1;
  const char *q = s + 19;
  if (*q == '.')
    for (q++; *q >= '0' && *q <= '9'; q++)
      ;
  int64_t off = 0;
  if (*q == '+' || *q == '-') {
    int64_t oh, om;
    if (!digits(q + 1, 2, &oh) || q[3] != ':' || !digits(q + 4, 2, &om) || q[6] != '\0' ||
        oh > 23 || om > 59)
      return -1;
    off = (oh * 60 + om) * 60 * (*q == '-' ? -1 : 1);
  } else if ((*q == 'Z' || *q == 'z') && q[1] == '\0') {
    off = 0;
  } else if (*q != '\0') {
    return -1;
  }
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
  return t >= 0 ? t : -1;
}

void dfd_panel_screen(dfd_panel *p, int64_t unix_now, dfd_render_input *in) {
  memset(in, 0, sizeof *in);
  in->id = -1;
  in->age_s = in->elapsed_s = -1;
  in->trouble = DFD_TROUBLE_SETUP; /* no diff to show */
  const dfd_panel_diff *d = dfd_panel_current(p);
  if (!d)
    return;
  uint64_t now = now_ms(p);
  in->status = d->have_status ? &d->status : NULL;
  in->id = d->id;
  in->host = p->cfg.host;
  in->trouble = dfd_render_trouble_for_err(d->err);
  in->age_s = d->have_status ? (int64_t)((now - d->status_ms) / 1000u) : -1;
  in->elapsed_s = (int64_t)((now - d->started_ms) / 1000u);
  if (d->have_status && unix_now > 0 && d->status.created_at.present) {
    char text[sizeof d->status.created_at.s + 1]; /* terminated whatever the record holds */
    memcpy(text, d->status.created_at.s, sizeof d->status.created_at.s);
    text[sizeof text - 1] = '\0';
    int64_t created = dfd_panel_parse_time(text);
    if (created >= 0 && created <= unix_now)
      in->elapsed_s = unix_now - created;
  }
  in->page = p->page;
  in->pages = p->count;
  in->tick = p->tick++;
}

int dfd_panel_draw(dfd_panel *p, dfd_fb *fb, dfd_render_qr_work *qr, int64_t unix_now) {
  dfd_render_input in;
  dfd_panel_screen(p, unix_now, &in);
  in.qr = in.host ? qr : NULL;
  return dfd_render_status(fb, &in);
}

int dfd_panel_draw_trouble(dfd_fb *fb, int64_t id, dfd_render_trouble trouble) {
  dfd_render_input in;
  memset(&in, 0, sizeof in);
  in.status = NULL;
  in.id = id;
  in.trouble = trouble;
  in.age_s = -1;
  in.elapsed_s = -1;
  return dfd_render_status(fb, &in);
}
