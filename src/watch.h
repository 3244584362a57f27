/* The watch loop for boards and the CLI alike: poll a diff until it is terminal, with the
 * poll policy's backoff, Retry-After and retry classification. The caller sleeps. */
#ifndef DFD_WATCH_H
#define DFD_WATCH_H

#include "client.h"
#include "poll_policy.h"

typedef enum {
  DFD_WATCH_CONTINUE, /* not finished, or a transient failure: step again after *delay_ms */
  DFD_WATCH_FINISHED, /* a terminal status (done, failed, cancelled) is in *st */
  DFD_WATCH_FAILED,   /* a permanent failure: *err says which */
  DFD_WATCH_EXPIRED,  /* the watch's time budget ran out before a terminal status */
} dfd_watch_state;

typedef struct {
  dfd_client *client;
  int64_t id;
  dfd_poll poll;
  uint32_t request_timeout_ms;
  uint32_t polls, failures;
} dfd_watch;

/** Starts watching diff `id` with an initialised client (its config's timeout_ms is the
 *  per-request limit). seed: random bits for the jitter (from the port's entropy). */
void dfd_watch_init(dfd_watch *w, dfd_client *c, int64_t id, const dfd_poll_config *cfg,
                    uint32_t seed);

/** One poll. Out: *st (the latest status when the poll succeeded: *err == DFD_OK), *info,
 *  *err (DFD_OK or the poll's failure) and *delay_ms (when to step again, for CONTINUE;
 *  never beyond the budget, never before a Retry-After). */
dfd_watch_state dfd_watch_step(dfd_watch *w, dfd_status *st, dfd_get_info *info, int *err,
                               uint32_t *delay_ms);

#endif
