/* Base URLs: scheme://host[:port][/base/path] */
#ifndef DFD_URL_H
#define DFD_URL_H

#include <stdbool.h>
#include <stdint.h>

#include "dfd_config.h"

#ifndef DFD_HOST_MAX
#define DFD_HOST_MAX 96
#endif
#ifndef DFD_BASE_PATH_MAX
#define DFD_BASE_PATH_MAX 64
#endif

typedef struct {
  bool tls;                /* https */
  bool ipv6;               /* host is an IPv6 literal (written without brackets) */
  char host[DFD_HOST_MAX]; /* lower-cased name, or an IP literal */
  uint16_t port;           /* explicit, or 443 / 80 */
  bool default_port;
  char base_path[DFD_BASE_PATH_MAX]; /* "" or "/prefix", no trailing slash */
} dfd_url;

/** Parses a base URL ("https://app.datafold.com", "http://127.0.0.1:8080/api-prefix").
 *  Returns DFD_OK or DFD_E_URL (unknown scheme, empty or too long host, bad port,
 *  user info, query, fragment, spaces or control characters). */
int dfd_url_parse(const char *text, dfd_url *out);

/** Writes the Host header value (host, [v6], with ":port" unless default) into buf.
 *  Returns DFD_OK or DFD_E_URL when it does not fit. */
int dfd_url_host_header(const dfd_url *u, char *buf, unsigned cap);

#endif
