#include "watch.h"

#include "dfd_err.h"

void dfd_watch_init(dfd_watch *w, dfd_client *c, int64_t id, const dfd_poll_config *cfg,
                    uint32_t seed) {
  w->client = c;
  w->id = id;
  w->request_timeout_ms = c->cfg.timeout_ms;
  w->polls = w->failures = 0;
  dfd_poll_init(&w->poll, cfg, c->port->now_ms(c->port->ctx), seed);
}

dfd_watch_state dfd_watch_step(dfd_watch *w, dfd_status *st, dfd_get_info *info, int *err,
                               uint32_t *delay_ms) {
  const dfd_port *port = w->client->port;
  *delay_ms = 0;
  /* the last poll, at the deadline, gets its whole request time: the watch may end up
     to one request timeout after its budget */
  w->client->cfg.timeout_ms = w->request_timeout_ms;
  *err = dfd_get(w->client, w->id, st, info);
  w->polls++;
  if (*err == DFD_OK) {
    dfd_outcome o = dfd_status_outcome(st);
    if (o == DFD_OUTCOME_API_ERROR) {
      *err = DFD_E_API_STATUS; /* a 200 carrying an error body */
      return DFD_WATCH_FAILED;
    }
    if (dfd_job_is_terminal(st->status))
      return DFD_WATCH_FINISHED;
  } else {
    w->failures++;
    if (*err == DFD_E_INTERRUPTED || !dfd_err_is_transient(*err))
      return DFD_WATCH_FAILED;
  }
  uint32_t delay = dfd_poll_next_delay(&w->poll, info->retry_after_ms);
  uint64_t left = dfd_poll_remaining(&w->poll, port->now_ms(port->ctx));
  if (left == 0 || (info->retry_after_ms >= 0 && (uint64_t)info->retry_after_ms > left))
    return DFD_WATCH_EXPIRED;
  *delay_ms = delay > left ? (uint32_t)left : delay; /* one last poll at the deadline */
  return DFD_WATCH_CONTINUE;
}
