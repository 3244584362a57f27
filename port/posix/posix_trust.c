#include "posix_trust.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "dfd_err.h"

static const char *const system_bundles[] = {
    "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Raspberry Pi OS, Alpine */
    "/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora, RHEL */
    "/etc/ssl/cert.pem",                  /* macOS, BSDs */
    NULL};

static int file_read(void *ctx, size_t offset, uint8_t *buf, size_t n) {
  const dfd_posix_trust *t = ctx;
  ssize_t r = pread(t->fd, buf, n, (off_t)offset);
  return r < 0 ? -1 : (int)r;
}

static int stop_at_first(void *arg, const uint8_t *der, size_t len, bool in_place) {
  (void)arg;
  (void)der;
  (void)len;
  (void)in_place;
  return 1;
}

const char *dfd_posix_trust_default_path(void) {
  const char *env = getenv("SSL_CERT_FILE");
  if (env && *env)
    return env;
  for (int i = 0; system_bundles[i]; i++)
    if (access(system_bundles[i], R_OK) == 0)
      return system_bundles[i];
  return NULL;
}

int dfd_posix_trust_open(dfd_posix_trust *t, const char *path) {
  if (!path)
    path = dfd_posix_trust_default_path();
  t->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  if (t->fd < 0)
    return DFD_E_TLS_CA_FILE;
  t->source.read = file_read;
  t->source.ctx = t;
  if (dfd_trust_scan(&t->source, NULL, 0, stop_at_first, NULL) <= 0) {
    dfd_posix_trust_close(t);
    return DFD_E_TLS_CA_FILE;
  }
  return DFD_OK;
}

void dfd_posix_trust_close(dfd_posix_trust *t) {
  if (t->fd >= 0)
    close(t->fd);
  t->fd = -1;
}
