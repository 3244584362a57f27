/* The trust scan built as devices build it (DFD_TRUST_DER_MAX 0, port/lwip/dfd_opts.h): the
 * built-in DER store is read in place; anything that needs a copy is refused with
 * DFD_E_TLS_CA_FILE, and the copying paths and their buffer are not compiled at all. */
#define DFD_TRUST_DER_MAX 0
#include "../src/trust.c"

#include "test.h"

typedef struct {
  int calls, in_place;
} tally;

static int count_in_place(void *arg, const uint8_t *der, size_t len, bool in_place) {
  tally *t = arg;
  t->calls++;
  t->in_place += in_place && der >= dfd_trust_builtin &&
                 der + len <= dfd_trust_builtin + dfd_trust_builtin_len;
  return 0;
}

static int builtin_read(void *ctx, size_t offset, uint8_t *buf, size_t n) {
  return dfd_trust_memory_read(ctx, offset, buf, n);
}

static void builtin_store_is_read_in_place(void) {
  dfd_trust_memory mem = {dfd_trust_builtin, dfd_trust_builtin_len};
  dfd_trust_source src = {dfd_trust_memory_read, &mem};
  tally t = {0, 0};
  int n = dfd_trust_scan(&src, NULL, 0, count_in_place, &t);
  CHECKF(n == 10 && t.calls == n && t.in_place == n, "%d found, %d calls, %d in place", n, t.calls,
         t.in_place);
  /* the first root's subject finds that root alone */
  size_t sl = 0;
  const uint8_t *subject = der_subject(dfd_trust_builtin, dfd_trust_builtin_len, &sl);
  CHECK(subject != NULL);
  t.calls = t.in_place = 0;
  CHECK(dfd_trust_scan(&src, subject, sl, count_in_place, &t) == 1 && t.in_place == 1);
}

static void copying_sources_are_refused(void) {
  dfd_trust_memory mem = {dfd_trust_builtin, dfd_trust_builtin_len};
  dfd_trust_source reader = {builtin_read, &mem};
  CHECK(dfd_trust_scan(&reader, NULL, 0, NULL, NULL) == DFD_E_TLS_CA_FILE);
  const char *pem = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
  dfd_trust_memory text = {(const uint8_t *)pem, strlen(pem)};
  dfd_trust_source pem_src = {dfd_trust_memory_read, &text};
  CHECK(dfd_trust_scan(&pem_src, NULL, 0, NULL, NULL) == DFD_E_TLS_CA_FILE);
  dfd_trust_memory empty = {(const uint8_t *)"", 0};
  dfd_trust_source none = {dfd_trust_memory_read, &empty};
  CHECK(dfd_trust_scan(&none, NULL, 0, NULL, NULL) == 0);
}

int main(void) {
  RUN(builtin_store_is_read_in_place);
  RUN(copying_sources_are_refused);
  T_EXIT();
}
