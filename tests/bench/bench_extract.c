/* The extractor alone over a file: feeds it in 4 KB reads and reports the fixed RAM and
 * the peak stack. Run under callgrind by tests/bench/bench.py for instructions. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dfd_err.h"
#include "extract.h"

/* Stack painting: the extraction runs on a thread whose stack is this painted array; the
 * depth the pattern was overwritten to is the peak stack (the stack grows down). */
#define STACK_BYTES (256 * 1024)
static unsigned char thread_stack[STACK_BYTES] __attribute__((aligned(64)));

static dfd_extract x;
static dfd_status st;
static unsigned char body[64 << 20]; /* read up front, so stdio is not in the figures */
static size_t body_len;
static int result;

/* Feeds the body in 4 KB pieces, as a socket would hand it over. */
static void *extract_body(void *arg) {
  (void)arg;
  int err = DFD_OK;
  dfd_extract_init(&x, &st);
  for (size_t off = 0; off < body_len && err == DFD_OK; off += 4096)
    err = dfd_extract_feed(&x, body + off, body_len - off < 4096 ? body_len - off : 4096);
  result = err ? err : dfd_extract_finish(&x);
  return NULL;
}

static void *idle(void *arg) { return arg; }

/* Peak stack of fn on a fresh painted thread stack (fn NULL: an idle thread, whose depth
 * is glibc's own thread start-up and descriptor, subtracted from the figure). */
static size_t stack_depth(void *(*fn)(void *)) {
  memset(thread_stack, 0xA5, sizeof thread_stack);
  pthread_attr_t attr;
  pthread_t t;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, thread_stack, sizeof thread_stack);
  if (pthread_create(&t, &attr, fn ? fn : idle, NULL) != 0)
    return 0;
  pthread_join(t, NULL);
  size_t untouched = 0;
  while (untouched < sizeof thread_stack && thread_stack[untouched] == 0xA5)
    untouched++;
  return sizeof thread_stack - untouched;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bench_extract FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f)
    return 2;
  body_len = fread(body, 1, sizeof body, f);
  size_t base = stack_depth(NULL), depth = stack_depth(extract_body);
  fclose(f);
  printf("{\"err\":%d,\"status\":\"%s\",\"sizeof_extract\":%zu,\"member_buf\":%d,"
         "\"tokens_bytes\":%zu,\"sizeof_status\":%zu,\"stack_bytes\":%zu}\n",
         result, st.status_text, sizeof x, DFD_MEMBER_BUF, sizeof(jsmntok_t) * DFD_MEMBER_TOKENS,
         sizeof st, depth - base);
  return result ? 1 : 0;
}
