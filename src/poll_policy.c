#include "poll_policy.h"

#include "dfd_err.h"

dfd_poll_config dfd_poll_defaults(void) {
  dfd_poll_config c = {2000, 20000, 3600000, 150, 20};
  return c;
}

void dfd_poll_init(dfd_poll *p, const dfd_poll_config *cfg, uint64_t now_ms, uint32_t seed) {
  p->cfg = *cfg;
  if (p->cfg.max_interval_ms < p->cfg.interval_ms)
    p->cfg.max_interval_ms = p->cfg.interval_ms;
  if (p->cfg.jitter_percent > 100)
    p->cfg.jitter_percent = 100;
  p->started_ms = now_ms;
  p->base_ms = p->cfg.interval_ms;
  p->rng = seed ? seed : 0x9E3779B9u;
  p->polls = 0;
}

static uint32_t next_random(dfd_poll *p) {
  uint32_t x = p->rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return p->rng = x;
}

uint32_t dfd_poll_next_delay(dfd_poll *p, int64_t retry_after_ms) {
  uint32_t base = p->base_ms;
  p->polls++;
  uint64_t grown = (uint64_t)base * p->cfg.growth_percent / 100;
  p->base_ms = grown > p->cfg.max_interval_ms ? p->cfg.max_interval_ms : (uint32_t)grown;
  if (retry_after_ms >= 0)
    return retry_after_ms > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)retry_after_ms;
  /* a uniform factor in [100 - j, 100 + j] percent, in 1/1000 steps */
  uint32_t span = 2u * p->cfg.jitter_percent * 10u + 1u;
  int64_t permille = 1000 - (int64_t)p->cfg.jitter_percent * 10 + next_random(p) % span;
  return (uint32_t)((uint64_t)base * (uint64_t)permille / 1000u);
}

uint64_t dfd_poll_remaining(const dfd_poll *p, uint64_t now_ms) {
  if (p->cfg.timeout_ms == 0)
    return UINT64_MAX;
  uint64_t end = p->started_ms + p->cfg.timeout_ms;
  return now_ms >= end ? 0 : end - now_ms;
}

bool dfd_err_is_transient(int err) {
  switch (err) {
  case DFD_E_DNS:
  case DFD_E_CONNECT_REFUSED:
  case DFD_E_CONNECT:
  case DFD_E_TIMEOUT:
  case DFD_E_TIMEOUT_CONNECT:
  case DFD_E_TIMEOUT_TLS:
  case DFD_E_TIMEOUT_SEND:
  case DFD_E_TIMEOUT_RESPONSE:
  case DFD_E_TIMEOUT_BODY:
  case DFD_E_RESET:
  case DFD_E_CLOSED:
  case DFD_E_IO:
  case DFD_E_HTTP_TRUNCATED:
  case DFD_E_JSON_TRUNCATED:
  case DFD_E_TLS_HANDSHAKE:
  case DFD_E_TLS_PROTOCOL:
  case DFD_E_TLS_ALERT:
  case DFD_E_PROXY:
  case DFD_E_API_RATE_LIMITED:
  case DFD_E_API_SERVER:
    return true;
  default:
    return false;
  }
}
