/* The status display's loop shared by the boards (panel.h). */
#include "panel.h"

#include <string.h>

#include "dfd_err.h"
#include "rfc3339.h"

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

int64_t dfd_panel_parse_time(const char *s) { return dfd_rfc3339_seconds(s); }

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
