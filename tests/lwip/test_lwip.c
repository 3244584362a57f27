/* The lwIP port on a real lwIP 2.2.1 stack: lwIP's unix port (pthreads) runs in this
 * process, and dfdiff's client talks through lwIP's loopback interface (127.0.0.1) to an
 * HTTPS server on lwIP sockets on its own thread (mbedTLS server side, same mbedTLS and
 * same static pool as the client). Linked with the aborting allocator wrappers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "dfd_err.h"
#include "dfd_lwip.h"
#include "lwip_host.h"
#include "lwip_test_certs.h"
#include "test.h"
#include "tls_server.h"
#include "trust.h"
#include "watch.h"

#define TIMEOUT_MS 5000
#define STALL_TIMEOUT_MS 1500

static dfd_port port;
static tls_server srv;
static dfd_trust_memory ca_bytes;
static dfd_trust_source trust;
static dfd_client client;
static dfd_status st;
static dfd_get_info info;
static char url[128];

static uint64_t now(void) { return port.now_ms(port.ctx); }

static int client_open(const char *host, uint16_t p, uint32_t timeout_ms) {
  snprintf(url, sizeof url, "https://%s:%u", host, (unsigned)p);
  dfd_client_config cfg = {url, "test-key", NULL, timeout_ms, false, &trust, NULL, NULL, 0};
  return dfd_client_init(&client, &port, &cfg);
}

/* One GET with a fresh client, which is freed (and its connection closed) afterwards. */
static int get_once(const char *host, uint16_t p, int64_t id, uint32_t timeout_ms) {
  int err = client_open(host, p, timeout_ms);
  if (err == DFD_OK)
    err = dfd_get(&client, id, &st, &info);
  dfd_client_free(&client);
  return err;
}

static int str_is(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* The record of tls_server_full_body, field by field. */
static void check_full_status(int64_t id) {
  CHECKF(st.id.present && st.id.v == id, "id %lld", (long long)st.id.v);
  CHECK(st.status == DFD_JOB_DONE);
  CHECK(str_is(st.status_text, "done"));
  CHECK(st.done.present && st.done.v);
  CHECK(st.result == DFD_RESULT_DIFFERENT);
  CHECK(str_is(st.result_text, "different"));
  CHECK(st.kind.present && str_is(st.kind.s, "in_db"));
  CHECK(st.table1.present && str_is(st.table1.s, "db.public.orders"));
  CHECK(st.table2.present && str_is(st.table2.s, "db.public.orders_v2"));
  CHECK(st.created_at.present && str_is(st.created_at.s, "2024-06-03T14:21:07.512345+00:00"));
  CHECK(st.finished_at.present && str_is(st.finished_at.s, "2024-06-03T14:23:41.009871+00:00"));
  CHECK(st.runtime.present && !st.runtime.is_int && st.runtime.d == 153.497526);
  CHECK(st.progress.completed_steps.present && st.progress.completed_steps.v == 9);
  CHECK(st.progress.total_steps.present && st.progress.total_steps.v == 9);
  CHECK(st.stats.present);
  CHECK(st.stats.rows_added.present && st.stats.rows_added.v == 5);
  CHECK(st.stats.rows_removed.present && st.stats.rows_removed.v == 7);
  CHECK(st.stats.diff_rows_count.present && st.stats.diff_rows_count.v == 418);
  CHECK(st.stats.table_a_row_count.present && st.stats.table_a_row_count.v == 331872);
  CHECK(st.stats.table_b_row_count.present && st.stats.table_b_row_count.v == 331870);
  CHECK(st.stats.errors.present && st.stats.errors.v == 0);
  CHECK(st.stats.match_ratio.present && st.stats.match_ratio.d == 0.9987404);
  CHECK(st.stats.diff_pks.present && st.stats.diff_pks.is_int && st.stats.diff_pks.i == 12);
  CHECK(st.stats.diff_values.present && st.stats.diff_values.i == 406);
  CHECK(st.stats.diff_schema.present && st.stats.diff_schema.i == 0);
  CHECK(st.stats.diff_duplicate_pks.present && st.stats.diff_duplicate_pks.i == 0);
  CHECK(st.stats.diff_null_pks.present && st.stats.diff_null_pks.i == 0);
  CHECK(st.stats.sampled.present && !st.stats.sampled.v);
  CHECK(!st.monitor_error.present);
  CHECK(!st.error_title.present && !st.error_detail.present);
  CHECK(!st.member_truncated);
}

static void check_request(int64_t id) {
  char want[64];
  snprintf(want, sizeof want, "/api/v1/datadiffs/%lld", (long long)id);
  CHECK(atomic_load(&srv.last_auth_ok));
  CHECKF(strcmp(srv.last_target, want) == 0, "server saw %s", srv.last_target);
}

static void test_clock_extends_across_wrap(void) {
  dfd_lwip_clock clk = {0, 0};
  CHECK(dfd_lwip_clock_extend(&clk, 0xFFFFFF00u) == 0xFFFFFF00u);
  CHECK(dfd_lwip_clock_extend(&clk, 0xFFFFFFFFu) == 0xFFFFFFFFu);
  CHECK(dfd_lwip_clock_extend(&clk, 5) == 0x100000005ull);
  CHECK(dfd_lwip_clock_extend(&clk, 5) == 0x100000005ull);
  CHECK(dfd_lwip_clock_extend(&clk, 0x80000000u) == 0x180000000ull);
  CHECK(dfd_lwip_clock_extend(&clk, 1) == 0x200000001ull);
  uint64_t a = now();
  port.sleep_ms(port.ctx, 30);
  uint64_t b = now();
  CHECKF(b - a >= 29 && b - a < 1000, "slept %llu ms", (unsigned long long)(b - a));
}

static void test_full_fetch_over_tls(void) {
  tls_server_reset(&srv, SRV_FULL);
  int err = get_once("127.0.0.1", srv.port, 4242, TIMEOUT_MS);
  CHECKF(err == DFD_OK, "%s", dfd_strerror(err));
  CHECK(info.http_status == 200);
  CHECK(info.tls && str_is(info.tls_version, "TLSv1.3"));
  CHECK(!info.reused);
  char body[1400];
  CHECK(info.body_bytes == (int64_t)tls_server_full_body(body, sizeof body, 4242));
  check_full_status(4242);
  check_request(4242);
  CHECK(atomic_load(&srv.connections) == 1);
  CHECK(atomic_load(&srv.handshake_failures) == 0);
}

static void test_chunked_response(void) {
  tls_server_reset(&srv, SRV_CHUNKED);
  int err = get_once("127.0.0.1", srv.port, 31337, TIMEOUT_MS);
  CHECKF(err == DFD_OK, "%s", dfd_strerror(err));
  CHECK(info.http_status == 200);
  check_full_status(31337);
  check_request(31337);
}

static void test_keepalive_watch_one_connection(void) {
  tls_server_reset(&srv, SRV_WATCH);
  int err = client_open("127.0.0.1", srv.port, TIMEOUT_MS);
  CHECKF(err == DFD_OK, "%s", dfd_strerror(err));
  dfd_poll_config pc = dfd_poll_defaults();
  pc.interval_ms = 20;
  pc.max_interval_ms = 20;
  pc.growth_percent = 100;
  pc.jitter_percent = 0;
  pc.timeout_ms = 10000;
  dfd_watch w;
  dfd_watch_init(&w, &client, 77, &pc, 1);
  dfd_watch_state ws = DFD_WATCH_FAILED;
  for (int i = 0; i < 8; i++) {
    uint32_t delay = 0;
    ws = dfd_watch_step(&w, &st, &info, &err, &delay);
    CHECKF(err == DFD_OK, "poll %d: %s", i + 1, dfd_strerror(err));
    CHECKF(info.reused == (i > 0), "poll %d: reused %d", i + 1, info.reused);
    CHECKF(st.progress.completed_steps.v == i + 1, "poll %d: steps %lld", i + 1,
           (long long)st.progress.completed_steps.v);
    CHECK(st.id.present && st.id.v == 77);
    if (ws != DFD_WATCH_CONTINUE)
      break;
    CHECK(delay == 20);
    CHECK(st.status == DFD_JOB_PROCESSING && st.result == DFD_RESULT_ABSENT);
    port.sleep_ms(port.ctx, delay);
  }
  CHECK(ws == DFD_WATCH_FINISHED);
  CHECK(w.polls == 4 && w.failures == 0);
  CHECK(st.status == DFD_JOB_DONE && st.result == DFD_RESULT_IDENTICAL);
  CHECK(st.progress.total_steps.present && st.progress.total_steps.v == 4);
  dfd_client_free(&client);
  CHECKF(atomic_load(&srv.connections) == 1, "%d connections", (int)atomic_load(&srv.connections));
  CHECK(atomic_load(&srv.requests) == 4);
}

static void test_receive_timeout(void) {
  tls_server_reset(&srv, SRV_STALL);
  uint64_t t0 = now();
  int err = get_once("127.0.0.1", srv.port, 5, STALL_TIMEOUT_MS);
  uint64_t ms = now() - t0;
  CHECKF(err == DFD_E_TIMEOUT_BODY, "%s", dfd_strerror(err));
  CHECKF(ms >= STALL_TIMEOUT_MS - 20 && ms < STALL_TIMEOUT_MS + 1000, "%llu ms",
         (unsigned long long)ms);
}

/* The port's own receive timeout, below TLS: nothing arrives (the server waits for our
 * ClientHello), recv gives DFD_E_TIMEOUT after about the time asked. */
static void test_port_recv_timeout(void) {
  tls_server_reset(&srv, SRV_FULL);
  int s = -1;
  int err = port.connect(port.ctx, "127.0.0.1", srv.port, TIMEOUT_MS, &s);
  CHECKF(err == DFD_OK && s >= 0, "%s", dfd_strerror(err));
  if (err != DFD_OK)
    return;
  uint8_t buf[16];
  uint64_t t0 = now();
  int r = port.recv(port.ctx, s, buf, sizeof buf, 200);
  uint64_t ms = now() - t0;
  CHECKF(r == DFD_E_TIMEOUT, "%d", r);
  CHECKF(ms >= 190 && ms < 1000, "%llu ms", (unsigned long long)ms);
  port.close(port.ctx, s);
}

static void test_truncated_body(void) {
  tls_server_reset(&srv, SRV_TRUNCATED);
  int err = get_once("127.0.0.1", srv.port, 6, TIMEOUT_MS);
  CHECKF(err == DFD_E_HTTP_TRUNCATED, "%s", dfd_strerror(err));
  CHECK(info.body_bytes == 100);
}

static void test_connection_reset(void) {
  tls_server_reset(&srv, SRV_RESET);
  int err = get_once("127.0.0.1", srv.port, 7, TIMEOUT_MS);
  CHECKF(err == DFD_E_RESET, "%s", dfd_strerror(err));
}

static void test_connection_refused(void) {
  uint64_t t0 = now();
  int err = get_once("127.0.0.1", 1, 8, TIMEOUT_MS); /* nothing listens on port 1 */
  uint64_t ms = now() - t0;
  CHECKF(err == DFD_E_CONNECT_REFUSED, "%s", dfd_strerror(err));
  CHECKF(ms < 1000, "%llu ms", (unsigned long long)ms);
}

/* A listener whose backlog (1) is taken by a connection nobody accepts: lwIP drops the
 * next SYN, so that connect can only time out. */
static void test_connect_timeout(void) {
  uint16_t p = 0;
  int ls = srv_net_lwip.listen(&p, 1);
  CHECK(ls >= 0);
  int first = -1, second = -1;
  int err = port.connect(port.ctx, "127.0.0.1", p, TIMEOUT_MS, &first);
  CHECKF(err == DFD_OK, "first: %s", dfd_strerror(err));
  uint64_t t0 = now();
  err = port.connect(port.ctx, "127.0.0.1", p, 300, &second);
  uint64_t ms = now() - t0;
  CHECKF(err == DFD_E_TIMEOUT_CONNECT, "second: %s", dfd_strerror(err));
  CHECKF(ms >= 290 && ms < 1500, "%llu ms", (unsigned long long)ms);
  if (err == DFD_OK)
    port.close(port.ctx, second);
  if (first >= 0)
    port.close(port.ctx, first);
  srv_net_lwip.close(ls);
}

/* No route to 10.0.0.0/8 (the only netif is loopback): lwIP fails the connect at once. */
static void test_connect_no_route(void) {
  int s = -1;
  uint64_t t0 = now();
  int err = port.connect(port.ctx, "10.9.9.9", 443, TIMEOUT_MS, &s);
  CHECKF(err == DFD_E_CONNECT, "%s", dfd_strerror(err));
  CHECK(now() - t0 < 1000);
}

/* "api.test" exists only in lwIP's local host list (DNS_LOCAL_HOSTLIST): glibc cannot
 * resolve it, so a success means lwip_getaddrinfo answered; the certificate is checked
 * against that name. */
static void test_dns_local_host_list(void) {
  tls_server_reset(&srv, SRV_FULL);
  int err = get_once("api.test", srv.port, 9, TIMEOUT_MS);
  CHECKF(err == DFD_OK, "%s", dfd_strerror(err));
  check_full_status(9);
  CHECK(atomic_load(&srv.connections) == 1);
}

/* "localhost" is answered by lwIP's resolver itself when it has a loopback netif. */
static void test_dns_localhost(void) {
  tls_server_reset(&srv, SRV_FULL);
  int err = get_once("localhost", srv.port, 10, TIMEOUT_MS);
  CHECKF(err == DFD_OK, "%s", dfd_strerror(err));
  CHECK(st.id.present && st.id.v == 10);
}

/* A name nobody knows: no DNS server is configured, lwIP fails the lookup at once. */
static void test_dns_unknown_name(void) {
  tls_server_reset(&srv, SRV_FULL);
  int err = get_once("nowhere.test", srv.port, 11, TIMEOUT_MS);
  CHECKF(err == DFD_E_DNS, "%s", dfd_strerror(err));
  CHECK(atomic_load(&srv.connections) == 0);
}

int main(void) {
  alarm(60); /* a hang is a failure, not a stuck CI job */
  if (lwip_host_start() != 0) {
    printf("not ok - lwIP did not start\n");
    return 1;
  }
  dfd_lwip_port_init(&port, lwip_host_log, DFD_LOG_WARN);
  ca_bytes.data = lwip_test_ca_der;
  ca_bytes.len = sizeof lwip_test_ca_der;
  trust.read = dfd_trust_memory_read;
  trust.ctx = &ca_bytes;
  /* the pool and PSA first: the server's certificate and key live in the same pool */
  if (dfd_tls_global_init(&port) != DFD_OK ||
      tls_server_start(&srv, &srv_net_lwip, lwip_test_cert_pem, lwip_test_key_pem) != 0) {
    printf("not ok - the test server did not start\n");
    return 1;
  }
  RUN(test_clock_extends_across_wrap);
  RUN(test_full_fetch_over_tls);
  RUN(test_chunked_response);
  RUN(test_keepalive_watch_one_connection);
  RUN(test_receive_timeout);
  RUN(test_port_recv_timeout);
  RUN(test_truncated_body);
  RUN(test_connection_reset);
  RUN(test_connection_refused);
  RUN(test_connect_timeout);
  RUN(test_connect_no_route);
  RUN(test_dns_local_host_list);
  RUN(test_dns_localhost);
  RUN(test_dns_unknown_name);
  tls_server_stop(&srv);
  size_t in_use, peak, sp, st_, lp, lt;
  dfd_tls_pool_stats(&in_use, &peak);
  lwip_host_sys_stats(&sp, &st_, &lp, &lt);
  printf("# TLS pool (client and server together): peak %zu of %d bytes, %zu in use at the "
         "end\n",
         peak, DFD_TLS_POOL_SIZE, in_use);
  printf("# sys_arch static blocks: small %zu of %zu, large %zu of %zu\n", sp, st_, lp, lt);
  T_EXIT();
}
