/* One GET of a diff's status, end to end: connection reuse, TLS, HTTP, extraction, and
 * the mapping of every failure onto one dfd_err code. */
#ifndef DFD_CLIENT_H
#define DFD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "dfd_config.h"
#include "dfd_status.h"
#include "extract.h"
#include "http.h"
#include "port.h"
#include "tls.h"
#include "url.h"

#ifndef DFD_REQUEST_MAX
#define DFD_REQUEST_MAX 640 /* the request line and headers, key included */
#endif
#ifndef DFD_RX_BUF
#define DFD_RX_BUF 640 /* bytes handed from the transport to the HTTP parser at a time */
#endif
#ifndef DFD_SNIPPET_MAX
#define DFD_SNIPPET_MAX 96 /* start of an error body kept for the message */
#endif

typedef struct {
  const char *url;               /* base URL: https://app.datafold.com */
  const char *api_key;           /* NULL: no Authorization header */
  const char *poll;              /* NULL: no ?poll= */
  uint32_t timeout_ms;           /* one whole request, connect to last byte */
  bool insecure;                 /* certificate problems are reported, not fatal */
  const dfd_trust_source *trust; /* trust anchors for https */
  const char *user_agent;        /* NULL: "dfdiff/<version>" */
  const char *proxy_host;        /* NULL: direct; else an HTTP proxy that tunnels (CONNECT) */
  uint16_t proxy_port;
} dfd_client_config;

/* What happened on the wire, for messages, retries and --verbose. */
typedef struct {
  int http_status; /* 0 when no response was read */
  char reason[DFD_HTTP_REASON_MAX];
  int64_t retry_after_ms; /* -1 when the server said nothing */
  char location[DFD_HTTP_LOCATION_MAX];
  char message[DFD_ERROR_TEXT_MAX]; /* the server's own words on an error */
  bool reused;                      /* the request went over an open connection */
  bool tls;
  uint32_t verify_flags; /* certificate problems seen (with insecure) */
  const char *tls_version, *ciphersuite;
  uint32_t ms_connect, ms_tls, ms_first_byte, ms_total;
  int proxy_status; /* the proxy's answer to CONNECT, 0 without a proxy */
  int64_t body_bytes;
} dfd_get_info;

typedef struct {
  const dfd_port *port;
  dfd_client_config cfg;
  dfd_url url;
  dfd_tls tls;
  int sock;
  bool connected;
  union { /* the request is sent before the response arrives: one buffer serves both */
    char request[DFD_REQUEST_MAX];
    uint8_t rx[DFD_RX_BUF];
  } io;
  dfd_http_response resp;
  dfd_extract extract;
  char snippet[DFD_SNIPPET_MAX];
  size_t snippet_len;
} dfd_client;

/** Prepares a client; nothing is sent yet. The config's strings must outlive the client.
 *  Returns DFD_OK, DFD_E_URL, DFD_E_ARG (no port or trust for https), DFD_E_TLS_MEMORY
 *  or DFD_E_TLS_RNG. */
int dfd_client_init(dfd_client *c, const dfd_port *port, const dfd_client_config *cfg);

/** GETs diff `id` into *st; reuses the open connection when the server kept it.
 *  Out: *info (always filled as far as the request went).
 *  Returns DFD_OK when a 200 body was read and parsed, or the first failure:
 *  DFD_E_REQUEST_TOO_LONG; DFD_E_DNS, DFD_E_CONNECT_REFUSED, DFD_E_CONNECT,
 *  DFD_E_TIMEOUT_{CONNECT,TLS,SEND,RESPONSE,BODY}, DFD_E_RESET, DFD_E_CLOSED, DFD_E_IO,
 *  DFD_E_PROXY (the proxy answered CONNECT with something else than 2xx),
 *  DFD_E_INTERRUPTED; DFD_E_TLS_*; DFD_E_HTTP_* (a malformed or truncated response);
 *  DFD_E_API_* (401, 403, 404, 422, 429, 5xx, redirects, other statuses; info->message
 *  holds the server's message); DFD_E_JSON_* (a 200 whose body does not parse). */
int dfd_get(dfd_client *c, int64_t id, dfd_status *st, dfd_get_info *info);

/** Ends the connection politely (TLS close_notify) if one is open. */
void dfd_client_close(dfd_client *c);

/** Frees the TLS state. */
void dfd_client_free(dfd_client *c);

#endif
