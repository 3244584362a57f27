/* The streaming status extractor: response body in, dfd_status out, fixed memory.
 * See docs/EXTRACTOR.md for the field rules and errors. */
#ifndef DFD_EXTRACT_H
#define DFD_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfd_config.h"
#include "dfd_status.h"

#define JSMN_HEADER
#include "jsmn.h"

typedef struct {
  dfd_status *out;
  int err;         /* sticky: the first error, or DFD_OK */
  uint8_t state;   /* what the grammar expects next */
  uint8_t sub;     /* position inside a string escape, number or literal */
  uint8_t depth;   /* open containers; the top-level object is depth 1 */
  bool ended;      /* the top-level object has closed */
  uint64_t arrays; /* bit d-1 set: the container at depth d is an array */
  bool in_key;
  /* string decoding */
  uint8_t utf8_left;        /* continuation bytes still expected */
  uint8_t utf8_lo, utf8_hi; /* allowed range of the next continuation byte */
  bool utf8_emit;           /* the current multi-byte character is copied */
  uint16_t uhex;            /* \uXXXX being read */
  uint16_t high_surrogate;  /* pending high surrogate, or 0 */
  const char *literal;      /* rest of "true"/"false"/"null" to match */
  /* key being read, at depth 1 or inside a copied member */
  char key[DFD_KEY_MAX];
  uint8_t key_len;
  bool key_long;
  /* the wanted member being copied */
  int8_t member;      /* member id, or -1 */
  bool stopped;       /* buffer or tokens ran out: copy rolled back, rest skipped */
  uint8_t skip_depth; /* >0: an unwanted key's value inside the member is skipped */
  uint16_t len, ntok; /* bytes and jsmn tokens in buf */
  uint16_t cut_len, cut_ntok;
  uint8_t cut_depth;
  uint16_t str_bytes; /* decoded bytes of the current string copied */
  bool str_cut;
  char buf[DFD_MEMBER_BUF];
} dfd_extract; /* the jsmn tokens live on the stack, only while a member is read */

/** Starts extracting into out, which is cleared (every field "not present"). */
void dfd_extract_init(dfd_extract *x, dfd_status *out);

/** Feeds the next n body bytes (any n, including 0). Returns DFD_OK or the first
 *  DFD_E_JSON_* error; after an error every call returns that error. */
int dfd_extract_feed(dfd_extract *x, const void *data, size_t n);

/** Ends the body. Returns DFD_OK when the document was one complete JSON object,
 *  DFD_E_JSON_NOT_JSON for an empty body, DFD_E_JSON_TRUNCATED when it ended early,
 *  or the error already reported by dfd_extract_feed. */
int dfd_extract_finish(dfd_extract *x);

#endif
