/* Shared pieces of the fuzz harnesses (tests/fuzz/README.md).
 *
 * Each harness defines its body with FUZZ_TARGET(name). Built for libFuzzer (clang,
 * -DFUZZ_LIBFUZZER) that is LLVMFuzzerTestOneInput; built for the replay program
 * (tests/fuzz/replay.c, the project's compiler, part of `make test`) it is fuzz_<name>,
 * so one replay binary holds every harness (fuzz_<name>_small in the replay of the
 * small-buffer build, FUZZ_SMALL: see build.mk). A failed check prints what differed and
 * aborts: libFuzzer saves the input as a crash, the replay reports "not ok".
 *
 * Nothing here allocates: the replay links with the aborting allocator wrappers. */
#ifndef DFD_FUZZ_H
#define DFD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_LIBFUZZER
#define FUZZ_TARGET(name)                                                                          \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                    \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#elif defined(FUZZ_SMALL)
#define FUZZ_TARGET(name)                                                                          \
  int fuzz_##name##_small(const uint8_t *data, size_t size);                                       \
  int fuzz_##name##_small(const uint8_t *data, size_t size)
#else
#define FUZZ_TARGET(name)                                                                          \
  int fuzz_##name(const uint8_t *data, size_t size);                                               \
  int fuzz_##name(const uint8_t *data, size_t size)
#endif

#define FUZZ_CHECK(cond, ...)                                                                      \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "fuzz check failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond);            \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      fflush(stderr);                                                                              \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* ---- chunking: how an input is cut into the pieces a network would deliver ---------- */

/* A splitter drawn from the input's first bytes: a PRNG seed and a largest piece. */
typedef struct {
  uint32_t state;
  size_t max; /* 0: everything at once */
  bool zeros; /* also feed empty pieces now and then */
} fuzz_split;

static inline uint32_t fuzz_rand(fuzz_split *s) {
  uint32_t x = s->state ? s->state : 0x9E3779B9u; /* xorshift32 */
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  s->state = x;
  return x;
}

/* Takes the splitter's 3 bytes off the front of the input (fewer: zeros). */
static inline fuzz_split fuzz_split_take(const uint8_t **data, size_t *size) {
  static const size_t maxes[8] = {1, 2, 3, 5, 8, 64, 640, 0};
  uint8_t b[3] = {0, 0, 0};
  for (int i = 0; i < 3 && *size > 0; i++) {
    b[i] = **data;
    (*data)++;
    (*size)--;
  }
  fuzz_split s;
  s.state = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] | 1u;
  s.max = maxes[b[0] & 7];
  s.zeros = (b[0] & 8) != 0;
  return s;
}

/* The next piece's length, at most left; 0 only with zeros set (and left > 0). */
static inline size_t fuzz_next(fuzz_split *s, size_t left) {
  if (s->zeros && fuzz_rand(s) % 7 == 0)
    return 0;
  if (s->max == 0 || left == 0)
    return left;
  size_t n = 1 + fuzz_rand(s) % s->max;
  return n < left ? n : left;
}

/* ---- a strict JSON classifier: the extractor's verdict, independently -------------- */
/* Follows docs/EXTRACTOR.md "Errors": RFC 8259, top-level object only, UTF-8 checked as
 * RFC 3629, at most FJ_DEPTH nested levels, the first error in stream order wins. Returns
 * DFD_OK or the DFD_E_JSON_* code the extractor must return after the whole body. */

enum {
  FJ_OK = 0,
  FJ_NOT_JSON = -10,
  FJ_NOT_OBJECT = -11,
  FJ_TRUNCATED = -12,
  FJ_TOO_DEEP = -13,
  FJ_BAD_ESCAPE = -14,
  FJ_BAD_NUMBER = -15,
  FJ_SYNTAX = -16,
  FJ_TRAILING = -17,
  FJ_BAD_STRING = -18,
};

typedef struct {
  const uint8_t *p, *end;
  int depth, max_depth;
} fj;

/* A UTF-8 lead byte (>= 0x80): how many continuation bytes follow (0: not a lead byte of
 * well-formed UTF-8), and the range the first of them must be in (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF); the others are 0x80-0xBF. */
static inline int fuzz_utf8_lead(uint8_t c, uint8_t *lo, uint8_t *hi) {
  *lo = 0x80;
  *hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    return 1;
  if (c >= 0xE0 && c <= 0xEF) {
    *lo = c == 0xE0 ? 0xA0 : 0x80;
    *hi = c == 0xED ? 0x9F : 0xBF;
    return 2;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    *lo = c == 0xF0 ? 0x90 : 0x80;
    *hi = c == 0xF4 ? 0x8F : 0xBF;
    return 3;
  }
  return 0;
}

static inline void fj_ws(fj *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

static inline int fj_string(fj *j) { /* after the opening quote */
  while (j->p < j->end) {
    uint8_t c = *j->p++;
    if (c == '"')
      return FJ_OK;
    if (c == '\\') {
      if (j->p >= j->end)
        return FJ_TRUNCATED;
      c = *j->p++;
      if (c == 'u') {
        for (int i = 0; i < 4; i++) {
          if (j->p >= j->end)
            return FJ_TRUNCATED;
          c = *j->p++;
          if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return FJ_BAD_ESCAPE;
        }
      } else if (!c || !strchr("\"\\/bfnrt", c)) {
        return FJ_BAD_ESCAPE;
      }
      continue;
    }
    if (c < 0x20)
      return FJ_BAD_STRING;
    if (c < 0x80)
      continue;
    uint8_t lo, hi;
    int more = fuzz_utf8_lead(c, &lo, &hi);
    if (more == 0)
      return FJ_BAD_STRING;
    for (int i = 0; i < more; i++) {
      if (j->p >= j->end)
        return FJ_TRUNCATED;
      c = *j->p++;
      if (c < lo || c > hi)
        return FJ_BAD_STRING;
      lo = 0x80;
      hi = 0xBF;
    }
  }
  return FJ_TRUNCATED;
}

static inline bool fj_digit(const fj *j) { return j->p < j->end && *j->p >= '0' && *j->p <= '9'; }

static inline int fj_number(fj *j) { /* at '-' or a digit */
  if (*j->p == '-')
    j->p++;
  if (j->p >= j->end)
    return FJ_TRUNCATED;
  if (*j->p == '0') {
    j->p++;
    if (fj_digit(j))
      return FJ_BAD_NUMBER; /* a leading zero */
  } else if (fj_digit(j)) {
    while (fj_digit(j))
      j->p++;
  } else {
    return FJ_BAD_NUMBER;
  }
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (j->p >= j->end)
      return FJ_TRUNCATED;
    if (!fj_digit(j))
      return FJ_BAD_NUMBER;
    while (fj_digit(j))
      j->p++;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
      j->p++;
    if (j->p >= j->end)
      return FJ_TRUNCATED;
    if (!fj_digit(j))
      return FJ_BAD_NUMBER;
    while (fj_digit(j))
      j->p++;
  }
  /* a number at the very end of the body is truncated (nothing can close it) */
  return j->p >= j->end ? FJ_TRUNCATED : FJ_OK;
}

static inline int fj_value(fj *j);

static inline int fj_container(fj *j, bool array) { /* after '[' or '{' */
  if (++j->depth > j->max_depth)
    return FJ_TOO_DEEP;
  fj_ws(j);
  if (j->p >= j->end)
    return FJ_TRUNCATED;
  if (*j->p == (array ? ']' : '}')) {
    j->p++;
    j->depth--;
    return FJ_OK;
  }
  for (;;) {
    if (!array) {
      if (*j->p != '"')
        return FJ_SYNTAX;
      j->p++;
      int rc = fj_string(j);
      if (rc)
        return rc;
      fj_ws(j);
      if (j->p >= j->end)
        return FJ_TRUNCATED;
      if (*j->p++ != ':')
        return FJ_SYNTAX;
      fj_ws(j);
      if (j->p >= j->end)
        return FJ_TRUNCATED;
    }
    int rc = fj_value(j);
    if (rc)
      return rc;
    fj_ws(j);
    if (j->p >= j->end)
      return FJ_TRUNCATED;
    uint8_t c = *j->p++;
    if (c == (array ? ']' : '}')) {
      j->depth--;
      return FJ_OK;
    }
    if (c != ',')
      return FJ_SYNTAX;
    fj_ws(j);
    if (j->p >= j->end)
      return FJ_TRUNCATED;
  }
}

static inline int fj_value(fj *j) { /* at a significant byte */
  uint8_t c = *j->p;
  if (c == '{' || c == '[') {
    j->p++;
    return fj_container(j, c == '[');
  }
  if (c == '"') {
    j->p++;
    return fj_string(j);
  }
  if (c == '-' || (c >= '0' && c <= '9'))
    return fj_number(j);
  const char *lit = c == 't' ? "true" : c == 'f' ? "false" : c == 'n' ? "null" : NULL;
  if (!lit)
    return FJ_SYNTAX;
  for (; *lit; lit++, j->p++) {
    if (j->p >= j->end)
      return FJ_TRUNCATED;
    if (*j->p != (uint8_t)*lit)
      return FJ_SYNTAX;
  }
  return FJ_OK;
}

/* The extractor's expected verdict on a whole body. */
static inline int fj_classify(const uint8_t *data, size_t size, int max_depth) {
  fj j = {data, data + size, 0, max_depth};
  fj_ws(&j);
  if (j.p >= j.end)
    return FJ_NOT_JSON;
  uint8_t c = *j.p;
  if (c != '{') {
    bool value = c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
                 c == 'f' || c == 'n';
    return value ? FJ_NOT_OBJECT : FJ_NOT_JSON;
  }
  int rc = fj_value(&j);
  if (rc)
    return rc;
  fj_ws(&j);
  return j.p < j.end ? FJ_TRAILING : FJ_OK;
}

/* ---- text checks ---------------------------------------------------------------------- */

/* s is NUL-terminated within cap bytes. */
static inline bool fuzz_terminated(const char *s, size_t cap) { return memchr(s, 0, cap) != NULL; }

/* s (NUL-terminated) is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates). */
static inline bool fuzz_utf8(const char *s) {
  const uint8_t *p = (const uint8_t *)s;
  while (*p) {
    uint8_t c = *p++, lo, hi;
    if (c < 0x80)
      continue;
    int more = fuzz_utf8_lead(c, &lo, &hi);
    if (more == 0)
      return false;
    for (int i = 0; i < more; i++, p++) {
      if (*p < lo || *p > hi)
        return false;
      lo = 0x80;
      hi = 0xBF;
    }
  }
  return true;
}

#endif
