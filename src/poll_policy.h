/* When to ask again: interval growth, jitter, Retry-After, the watch's time budget, and
 * which failures are worth retrying. Pure: numbers in, numbers out. */
#ifndef DFD_POLL_POLICY_H
#define DFD_POLL_POLICY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
  uint32_t interval_ms;     /* first delay (default 2000) */
  uint32_t max_interval_ms; /* cap of the growing delay (default 20000) */
  uint32_t timeout_ms;      /* the whole watch; 0 = no limit (default 3600000) */
  uint16_t growth_percent;  /* each delay is the last one times this / 100 (default 150) */
  uint8_t jitter_percent;   /* +- this much at random (default 20) */
} dfd_poll_config;

/** The defaults above. */
dfd_poll_config dfd_poll_defaults(void);

typedef struct {
  dfd_poll_config cfg;
  uint64_t started_ms;
  uint32_t base_ms; /* the next delay before jitter */
  uint32_t rng;     /* xorshift32 state */
  uint32_t polls;
} dfd_poll;

/** Starts a watch at now_ms; seed comes from the port's entropy (0 is replaced). */
void dfd_poll_init(dfd_poll *p, const dfd_poll_config *cfg, uint64_t now_ms, uint32_t seed);

/** Counts a poll and returns the delay before the next one: the growing interval with
 *  jitter, or retry_after_ms exactly when the server sent Retry-After (>= 0), which
 *  always wins. */
uint32_t dfd_poll_next_delay(dfd_poll *p, int64_t retry_after_ms);

/** Milliseconds left of the watch's budget at now_ms (UINT64_MAX without a limit). */
uint64_t dfd_poll_remaining(const dfd_poll *p, uint64_t now_ms);

/** True for failures worth another try (connect, TLS handshake timeouts, timeouts, resets,
 *  429, 5xx, truncated bodies); false for permanent ones (401, 403, 404, 422, certificate
 *  verification, redirects, usage errors, invalid responses). */
bool dfd_err_is_transient(int err);

#endif
