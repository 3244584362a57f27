/* Trust anchors looked up on demand: a CA bundle (PEM text, or a sequence of DER
 * certificates) is scanned for the issuer a chain needs, so RAM does not grow with the
 * number of roots. The bytes come from a reader: a file on POSIX, flash on a device. */
#ifndef DFD_TRUST_H
#define DFD_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfd_config.h"

/* Largest certificate copied out of a reader or decoded from PEM, DER bytes. 0 leaves the
 * copying paths out (and their 3 KB of RAM): only DER bundles in memory are read, in place,
 * which is all a device with its store in flash needs. */
#ifndef DFD_TRUST_DER_MAX
#define DFD_TRUST_DER_MAX 2560
#endif

/** Reads up to n bytes at offset. Returns the bytes read (0 at the end) or < 0. */
typedef int (*dfd_trust_read_fn)(void *ctx, size_t offset, uint8_t *buf, size_t n);

typedef struct {
  dfd_trust_read_fn read;
  void *ctx;
} dfd_trust_source;

/** Gets one certificate: der[0..len). in_place: der points into the source's own memory (a
 *  DER bundle in a dfd_trust_memory) and outlives the scan; otherwise it is a scratch copy,
 *  valid during the call only. A non-zero return stops the scan. */
typedef int (*dfd_trust_found_fn)(void *arg, const uint8_t *der, size_t len, bool in_place);

/** Calls found(arg, ...) for every certificate in the source whose subject is the DER name
 *  `subject` (all of them when subject is NULL; found may be NULL to count). A source read
 *  through dfd_trust_memory_read is read directly in memory; any other through its reader,
 *  each certificate copied whole (at most DFD_TRUST_DER_MAX bytes; larger ones are skipped).
 *  Returns the number of certificates found, or DFD_E_TLS_CA_FILE when the source cannot be
 *  read (or needs copying and DFD_TRUST_DER_MAX is 0). */
int dfd_trust_scan(const dfd_trust_source *src, const uint8_t *subject, size_t subject_len,
                   dfd_trust_found_fn found, void *arg);

/** A source over bytes in memory (the built-in store, or a test's bundle). */
typedef struct {
  const uint8_t *data;
  size_t len;
} dfd_trust_memory;
int dfd_trust_memory_read(void *ctx, size_t offset, uint8_t *buf, size_t n);

/** The built-in store (src/trust_builtin.c, generated from Debian's ca-certificates),
 *  as DER certificates back to back. */
extern const uint8_t dfd_trust_builtin[];
extern const size_t dfd_trust_builtin_len;

/** The built-in store as a trust source (a dfd_trust_memory, so read in place). */
const dfd_trust_source *dfd_trust_builtin_source(void);

#endif
