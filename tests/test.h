/* A tiny test harness: each case prints "ok - name" or "not ok - name" (TAP style);
 * tests/run.sh counts them across every test program. */
#ifndef DFD_TEST_H
#define DFD_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int t_case_failures;
static int t_total_failures;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      t_case_failures++;                                                                           \
      printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                          \
    }                                                                                              \
  } while (0)

#define CHECKF(cond, ...)                                                                          \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      t_case_failures++;                                                                           \
      printf("#   %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);                          \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
    }                                                                                              \
  } while (0)

static inline void t_run(const char *name, void (*fn)(void)) {
  t_case_failures = 0;
  fn();
  printf("%s - %s\n", t_case_failures ? "not ok" : "ok", name);
  fflush(stdout);
  if (t_case_failures)
    t_total_failures++;
}

/* The count of a random or exhaustive loop: n, or n / 20 when DFD_TEST_LIGHT is set (make
 * test-valgrind: a memory error shows on a sample; the plain run covers every value). */
static inline int t_light(void) {
  const char *light = getenv("DFD_TEST_LIGHT");
  return light && *light;
}
static inline int t_iterations(int n) { return t_light() && n >= 40 ? n / 20 : n; }

#define RUN(fn) t_run(#fn, fn)
#define T_EXIT() return t_total_failures ? 1 : 0

#endif
