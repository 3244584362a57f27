/* One `get` through the library, as a board would run it: reports the TLS pool's peak,
 * the client's state size and the peak stack (painted thread stack). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dfd_err.h"
#include "dfd_posix.h"
#include "posix_trust.h"

#define STACK_BYTES (256 * 1024)
static unsigned char thread_stack[STACK_BYTES] __attribute__((aligned(64)));

static dfd_port port;
static dfd_posix_trust trust;
/* A CA_FILE ending in .der is DER certificates, held in memory as a device holds its
 * store in flash: the scan reads them in place and mbedTLS parses them without a copy. */
static uint8_t der_store[64 * 1024];
static dfd_trust_memory der_memory;
static dfd_trust_source der_source = {dfd_trust_memory_read, &der_memory};
static const dfd_trust_source *trust_source = &trust.source;
static dfd_client client;
static dfd_status st;
static dfd_get_info info;
static const char *url, *ca_file;
static int64_t id;
static int result;

static void *one_get(void *arg) {
  (void)arg;
  dfd_client_config cfg = {url, "bench-key", NULL, 30000, false, trust_source, NULL, NULL, 0};
  result = dfd_client_init(&client, &port, &cfg);
  if (result == DFD_OK)
    result = dfd_get(&client, id, &st, &info);
  dfd_client_close(&client);
  return NULL;
}

static void *idle(void *arg) { return arg; }

static size_t stack_depth(void *(*fn)(void *)) {
  memset(thread_stack, 0xA5, sizeof thread_stack);
  pthread_attr_t attr;
  pthread_t t;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, thread_stack, sizeof thread_stack);
  if (pthread_create(&t, &attr, fn, NULL) != 0)
    return 0;
  pthread_join(t, NULL);
  size_t untouched = 0;
  while (untouched < sizeof thread_stack && thread_stack[untouched] == 0xA5)
    untouched++;
  return sizeof thread_stack - untouched;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: bench_get URL CA_FILE ID\n");
    return 2;
  }
  url = argv[1];
  ca_file = argv[2];
  id = atoll(argv[3]);
  dfd_posix_port_init(&port, stderr, DFD_LOG_WARN);
  size_t n = strlen(ca_file);
  if (n > 4 && strcmp(ca_file + n - 4, ".der") == 0) {
    FILE *f = fopen(ca_file, "rb");
    if (!f)
      return 2;
    der_memory.data = der_store;
    der_memory.len = fread(der_store, 1, sizeof der_store, f);
    int more = fgetc(f) != EOF; /* a store cut at the buffer would measure something else */
    fclose(f);
    if (more) {
      fprintf(stderr, "bench_get: %s is larger than %zu bytes\n", ca_file, sizeof der_store);
      return 2;
    }
    trust_source = &der_source;
  } else if (dfd_posix_trust_open(&trust, ca_file) != DFD_OK) {
    return 2;
  }
  size_t base = stack_depth(idle), depth = stack_depth(one_get);
  size_t in_use, peak;
  dfd_tls_pool_stats(&in_use, &peak);
  printf("{\"err\":%d,\"status\":\"%s\",\"tls\":\"%s\",\"pool_size\":%d,\"pool_peak\":%zu,"
         "\"pool_in_use_after\":%zu,\"sizeof_client\":%zu,\"stack_bytes\":%zu}\n",
         result, st.status_text, info.tls_version ? info.tls_version : "", DFD_TLS_POOL_SIZE, peak,
         in_use, sizeof client, depth - base);
  return result == DFD_OK ? 0 : 1;
}
