/* Linked with -Wl,--wrap=malloc,... into every test: any allocation by project code or
 * by the statically linked mbedTLS lands here and aborts the test. libc's own internal
 * allocations (stdio, getaddrinfo) are not wrapped: they are the OS's business. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static void forbidden(const char *what) {
  fprintf(stderr, "not ok - forbidden allocation: %s called from project code\n", what);
  fflush(NULL);
  abort();
}

void *__wrap_malloc(size_t n) {
  (void)n;
  forbidden("malloc");
  return NULL;
}
void *__wrap_calloc(size_t n, size_t m) {
  (void)n;
  (void)m;
  forbidden("calloc");
  return NULL;
}
void *__wrap_realloc(void *p, size_t n) {
  (void)p;
  (void)n;
  forbidden("realloc");
  return NULL;
}
void __wrap_free(void *p) {
  if (p)
    forbidden("free");
}
