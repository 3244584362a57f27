/* bench_lwip [BYTES] [ROUNDS]: one GET of a BYTES-long body over TLS, through lwIP's
 * loopback (port/lwip) and through the OS's loopback (port/posix), against the same
 * in-process mbedTLS server code, in one run; then lwIP's heap and pool high-water marks.
 * Prints "key value" lines; tests/bench/bench_lwip.sh makes the Markdown tables. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "dfd_err.h"
#include "dfd_lwip.h"
#include "dfd_posix.h"
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/stats.h"
#include "lwip_host.h"
#include "lwip_test_certs.h"
#include "tls_server.h"
#include "trust.h"

#define MAX_ROUNDS 50

static dfd_port lwip_port, posix_port;
static tls_server lwip_srv, posix_srv;
static dfd_trust_memory ca_bytes;
static dfd_trust_source trust;
static dfd_client client;
static dfd_status st;
static dfd_get_info info;
static char url[96];

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One GET on a new connection (connect, handshake, body); its duration in ms or -1. */
static double fetch(const dfd_port *port, uint16_t p, size_t bytes) {
  snprintf(url, sizeof url, "https://127.0.0.1:%u", (unsigned)p);
  dfd_client_config cfg = {url, "test-key", NULL, 60000, false, &trust, NULL, NULL, 0};
  double t0 = now_us();
  int err = dfd_client_init(&client, port, &cfg);
  if (err == DFD_OK)
    err = dfd_get(&client, 1, &st, &info);
  dfd_client_free(&client);
  double ms = (now_us() - t0) / 1e3;
  if (err != DFD_OK || info.body_bytes != (int64_t)bytes || st.status != DFD_JOB_DONE) {
    fprintf(stderr, "bench_lwip: GET failed: %s (%lld bytes)\n", dfd_strerror(err),
            (long long)info.body_bytes);
    return -1;
  }
  return ms;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  size_t bytes = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1048576;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  if (rounds < 1 || rounds > MAX_ROUNDS || bytes < 256) {
    fprintf(stderr, "usage: bench_lwip [BYTES >= 256] [ROUNDS 1..%d]\n", MAX_ROUNDS);
    return 2;
  }
  if (lwip_host_start() != 0)
    return 1;
  dfd_lwip_port_init(&lwip_port, NULL, DFD_LOG_WARN);
  dfd_posix_port_init(&posix_port, NULL, DFD_LOG_WARN);
  ca_bytes.data = lwip_test_ca_der;
  ca_bytes.len = sizeof lwip_test_ca_der;
  trust.read = dfd_trust_memory_read;
  trust.ctx = &ca_bytes;
  if (dfd_tls_global_init(&lwip_port) != DFD_OK ||
      tls_server_start(&lwip_srv, &srv_net_lwip, lwip_test_cert_pem, lwip_test_key_pem) != 0 ||
      tls_server_start(&posix_srv, &srv_net_posix, lwip_test_cert_pem, lwip_test_key_pem) != 0) {
    fprintf(stderr, "bench_lwip: setup failed\n");
    return 1;
  }
  lwip_srv.big_len = posix_srv.big_len = bytes;
  tls_server_reset(&lwip_srv, SRV_BIG);
  tls_server_reset(&posix_srv, SRV_BIG);

  double l[MAX_ROUNDS], p[MAX_ROUNDS];
  if (fetch(&lwip_port, lwip_srv.port, bytes) < 0 || fetch(&posix_port, posix_srv.port, bytes) < 0)
    return 1;                        /* warm-up */
  for (int i = 0; i < rounds; i++) { /* interleaved, so drift hits both alike */
    l[i] = fetch(&lwip_port, lwip_srv.port, bytes);
    p[i] = fetch(&posix_port, posix_srv.port, bytes);
    if (l[i] < 0 || p[i] < 0)
      return 1;
  }
  qsort(l, (size_t)rounds, sizeof l[0], cmp_double);
  qsort(p, (size_t)rounds, sizeof p[0], cmp_double);
  const char *tls = info.tls_version ? info.tls_version : "?";
  const char *suite = info.ciphersuite ? info.ciphersuite : "?";
  tls_server_stop(&lwip_srv);
  tls_server_stop(&posix_srv);

  printf("bytes %zu\nrounds %d\ntls %s %s\n", bytes, rounds, tls, suite);
  printf("lwip_ms_best %.2f\nlwip_ms_median %.2f\n", l[0], l[rounds / 2]);
  printf("posix_ms_best %.2f\nposix_ms_median %.2f\n", p[0], p[rounds / 2]);
  size_t in_use, peak;
  dfd_tls_pool_stats(&in_use, &peak);
  printf("tls_pool_size %d\ntls_pool_peak %zu\n", DFD_TLS_POOL_SIZE, peak);
  /* lwIP's own high-water marks, over every lwIP run above: both ends of each connection
     are in this stack, and the heap also held loopback's copies of every segment */
  printf("lwip_mem_size %d\nlwip_mem_max %u\nlwip_mem_err %u\n", (int)MEM_SIZE,
         (unsigned)lwip_stats.mem.max, (unsigned)lwip_stats.mem.err);
  for (int i = 0; i < MEMP_MAX; i++) {
    const struct memp_desc *d = memp_pools[i];
    printf("lwip_pool %s %u %u %u %u\n", d->stats->name, (unsigned)d->num,
           (unsigned)(MEMP_SIZE + d->size), (unsigned)d->stats->max, (unsigned)d->stats->err);
  }
  size_t sp, stot, lp, ltot;
  lwip_host_sys_stats(&sp, &stot, &lp, &ltot);
  printf("sys_blocks_small_peak %zu\nsys_blocks_large_peak %zu\n", sp, lp);
  return 0;
}
