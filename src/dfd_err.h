/* dfdiff error codes: one negative code per failure, from the socket up to the CLI. */
#ifndef DFD_ERR_H
#define DFD_ERR_H

/* X(name, value, class, message). The class decides the CLI's exit code:
 * U usage/configuration (4), N network/TLS (5), A API error or invalid response (6). */
#define DFD_ERRORS(X)                                                                              \
  X(DFD_E_ARG, -1, U, "invalid argument")                                                          \
  X(DFD_E_STATE, -2, U, "call out of sequence")                                                    \
  X(DFD_E_JSON_NOT_JSON, -10, A, "response is not JSON")                                           \
  X(DFD_E_JSON_NOT_OBJECT, -11, A, "response JSON is not an object")                               \
  X(DFD_E_JSON_TRUNCATED, -12, A, "response JSON is truncated")                                    \
  X(DFD_E_JSON_TOO_DEEP, -13, A, "response JSON nests deeper than the limit")                      \
  X(DFD_E_JSON_BAD_ESCAPE, -14, A, "response JSON has an invalid string escape")                   \
  X(DFD_E_JSON_BAD_NUMBER, -15, A, "response JSON has an invalid number")                          \
  X(DFD_E_JSON_SYNTAX, -16, A, "response JSON has a syntax error")                                 \
  X(DFD_E_JSON_TRAILING, -17, A, "response JSON is followed by unexpected data")                   \
  X(DFD_E_JSON_BAD_STRING, -18, A, "response JSON has a control character or bad UTF-8")           \
  X(DFD_E_HTTP_STATUS_LINE, -30, A, "malformed HTTP status line")                                  \
  X(DFD_E_HTTP_HEADER, -31, A, "malformed HTTP header")                                            \
  X(DFD_E_HTTP_CHUNK, -32, A, "malformed HTTP chunk")                                              \
  X(DFD_E_HTTP_LENGTH, -33, A, "invalid or conflicting Content-Length")                            \
  X(DFD_E_HTTP_TRUNCATED, -34, N, "connection closed before the response was complete")            \
  X(DFD_E_HTTP_EXTRA, -35, A, "server sent more data than the response declared")                  \
  X(DFD_E_HTTP_VERSION, -36, A, "unsupported HTTP version")                                        \
  X(DFD_E_HTTP_TOO_MANY_1XX, -37, A, "too many interim (1xx) responses")                           \
  X(DFD_E_REQUEST_TOO_LONG, -40, U,                                                                \
    "request does not fit the request buffer (key or host too long)")                              \
  X(DFD_E_URL, -41, U, "invalid URL")                                                              \
  X(DFD_E_NO_KEY, -42, U, "no API key (set DATAFOLD_API_KEY or use --api-key-file)")               \
  X(DFD_E_DNS, -50, N, "host name could not be resolved")                                          \
  X(DFD_E_CONNECT_REFUSED, -51, N, "connection refused")                                           \
  X(DFD_E_CONNECT, -52, N, "could not connect")                                                    \
  X(DFD_E_TIMEOUT_CONNECT, -53, N, "timed out connecting")                                         \
  X(DFD_E_TIMEOUT_TLS, -54, N, "timed out during the TLS handshake")                               \
  X(DFD_E_TIMEOUT_SEND, -55, N, "timed out sending the request")                                   \
  X(DFD_E_TIMEOUT_RESPONSE, -56, N, "timed out waiting for the response")                          \
  X(DFD_E_TIMEOUT_BODY, -57, N, "timed out reading the response body")                             \
  X(DFD_E_RESET, -58, N, "connection reset by the server")                                         \
  X(DFD_E_CLOSED, -59, N, "connection closed by the server before responding")                     \
  X(DFD_E_IO, -60, N, "network I/O error")                                                         \
  X(DFD_E_TIMEOUT, -61, N, "timed out")                                                            \
  X(DFD_E_PROXY, -62, N, "the proxy did not open a tunnel")                                        \
  X(DFD_E_TLS_HANDSHAKE, -70, N, "TLS handshake failed")                                           \
  X(DFD_E_TLS_CERT_UNKNOWN_CA, -71, N, "TLS certificate verification failed: unknown CA")          \
  X(DFD_E_TLS_CERT_EXPIRED, -72, N, "TLS certificate verification failed: certificate expired")    \
  X(DFD_E_TLS_CERT_FUTURE, -73, N,                                                                 \
    "TLS certificate verification failed: certificate not yet valid")                              \
  X(DFD_E_TLS_CERT_HOSTNAME, -74, N, "TLS certificate verification failed: hostname mismatch")     \
  X(DFD_E_TLS_CERT_OTHER, -75, N, "TLS certificate verification failed")                           \
  X(DFD_E_TLS_PROTOCOL, -76, N, "TLS protocol error")                                              \
  X(DFD_E_TLS_ALERT, -77, N, "TLS alert from the server")                                          \
  X(DFD_E_TLS_MEMORY, -78, N, "TLS memory pool exhausted")                                         \
  X(DFD_E_TLS_CA_FILE, -79, U, "CA file could not be read or holds no certificate")                \
  X(DFD_E_TLS_VERSION, -80, N, "server offers no TLS version or ciphersuite we accept")            \
  X(DFD_E_TLS_RNG, -81, N, "entropy source failed")                                                \
  X(DFD_E_TLS_RETRY_TLS12, -82, N, "TLS 1.2 server chose a signature scheme needing a retry")      \
  X(DFD_E_API_UNAUTHORIZED, -90, A, "HTTP 401: API key missing or wrong")                          \
  X(DFD_E_API_FORBIDDEN, -91, A, "HTTP 403: key has no access to this diff")                       \
  X(DFD_E_API_NOT_FOUND, -92, A, "HTTP 404: no such diff")                                         \
  X(DFD_E_API_INVALID, -93, A, "HTTP 422: request rejected")                                       \
  X(DFD_E_API_RATE_LIMITED, -94, A, "HTTP 429: rate limited")                                      \
  X(DFD_E_API_SERVER, -95, A, "server error")                                                      \
  X(DFD_E_API_REDIRECT, -96, A, "redirected (not followed)")                                       \
  X(DFD_E_API_STATUS, -97, A, "unexpected HTTP status")                                            \
  X(DFD_E_INTERRUPTED, -98, N, "interrupted")

enum dfd_err {
  DFD_OK = 0,
#define DFD_ERR_ENUM(name, value, class, msg) name = (value),
  DFD_ERRORS(DFD_ERR_ENUM)
#undef DFD_ERR_ENUM
};

/** Error class of a code: 'U' usage/config, 'N' network/TLS, 'A' API/invalid response,
 *  0 for DFD_OK or an unknown code. */
char dfd_err_class(int err);

/** Message for a code; never NULL (unknown codes get a generic message). */
const char *dfd_strerror(int err);

#endif
