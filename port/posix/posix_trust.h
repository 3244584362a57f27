/* Trust anchors from a PEM file on POSIX, read on demand (pread), never held in RAM. */
#ifndef DFD_POSIX_TRUST_H
#define DFD_POSIX_TRUST_H

#include "trust.h"

typedef struct {
  int fd;
  dfd_trust_source source;
} dfd_posix_trust;

/** Opens path (NULL: SSL_CERT_FILE, else the system bundle). Out: *t with its source.
 *  Returns DFD_OK or DFD_E_TLS_CA_FILE (cannot open, or holds no certificate). */
int dfd_posix_trust_open(dfd_posix_trust *t, const char *path);

/** The path dfd_posix_trust_open(NULL) uses, or NULL when none exists. */
const char *dfd_posix_trust_default_path(void);

void dfd_posix_trust_close(dfd_posix_trust *t);

#endif
