/* dfdiff get ID: one verified HTTPS request for a diff's status. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "client.h"
#include "dfd_err.h"
#include "dfd_posix.h"
#include "posix_trust.h"

static const char get_usage[] =
    "usage: dfdiff get [OPTIONS] ID\n"
    "Fetches GET {url}/api/v1/datadiffs/ID and prints the diff's status.\n"
    "\n"
    "  --url BASE           API base URL (default $DATAFOLD_HOST or https://app.datafold.com)\n"
    "  --api-key-file PATH  read the API key from PATH (default: $DATAFOLD_API_KEY)\n"
    "  --ca-file PATH       trust the CA certificates in PATH (PEM) instead of the system's\n"
    "  --json               print one JSON line (the 'parse --json' object)\n"
    "  --poll VALUE         pass ?poll=VALUE to the server\n"
    "  --timeout SECONDS    limit for the whole request (default 30)\n"
    "  --verbose            show the exchange on stderr (never the key)\n"
    "  --insecure           do not stop on certificate problems (warns on every run)\n";

/* Parses "--opt VALUE" and "--opt=VALUE"; returns the value or NULL (not this option). */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, int *bad) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0)
    return NULL;
  if (argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (argv[*i][n] != '\0')
    return NULL;
  if (*i + 1 >= argc) {
    cli_error("option %s needs a value", name);
    *bad = 1;
    return NULL;
  }
  return argv[++*i];
}

int cli_parse_seconds(const char *text, const char *name, uint32_t *ms) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || v < 0 || v > 31536000.0) {
    cli_error("%s: '%s' is not a number of seconds", name, text);
    return -1;
  }
  *ms = (uint32_t)(v * 1000.0 + 0.5);
  return 0;
}

int cli_parse_id(const char *text, int64_t *id) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v < 0 || text[0] == '-' || text[0] == '+') {
    cli_error("'%s' is not a diff id (a non-negative integer)", text);
    return -1;
  }
  *id = v;
  return 0;
}

/* The key: --api-key-file, else DATAFOLD_API_KEY. Never from argv. */
int cli_load_key(const char *path, char *key, size_t cap) {
  key[0] = '\0';
  if (path) {
    FILE *f = fopen(path, "r");
    if (!f) {
      cli_error("--api-key-file: cannot open '%s': %s", path, strerror(errno));
      return -1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077))
      cli_error("warning: key file '%s' is readable by others (chmod 600 it)", path);
    size_t n = fread(key, 1, cap - 1, f);
    int more = fgetc(f);
    fclose(f);
    key[n] = '\0';
    key[strcspn(key, "\r\n")] = '\0';
    if (more != EOF && strlen(key) == cap - 1) {
      cli_error("--api-key-file: the key in '%s' is too long", path);
      return -1;
    }
  } else {
    const char *env = getenv("DATAFOLD_API_KEY");
    if (env) {
      if (strlen(env) >= cap) {
        cli_error("DATAFOLD_API_KEY is too long");
        return -1;
      }
      memcpy(key, env, strlen(env) + 1);
    }
  }
  size_t n = strlen(key);
  while (n > 0 && (key[n - 1] == ' ' || key[n - 1] == '\t'))
    key[--n] = '\0';
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)key[i] < 0x20 || key[i] == 0x7F) {
      cli_error("the API key holds a control character");
      return -1;
    }
  if (n == 0) {
    cli_error("no API key: set DATAFOLD_API_KEY or use --api-key-file PATH");
    return -1;
  }
  return 0;
}

/* DATAFOLD_HOST may be a bare host name; the API is https unless the URL says http. */
const char *cli_default_url(char *buf, size_t cap) {
  const char *env = getenv("DATAFOLD_HOST");
  if (!env || !*env)
    return "https://app.datafold.com";
  if (strstr(env, "://"))
    return env;
  snprintf(buf, cap, "https://%s", env);
  return buf;
}

void cli_report_failure(const char *what, int err, const dfd_client *c, const dfd_get_info *info) {
  char where[2 * DFD_HOST_MAX + 32];
  bool proxy_phase = c->cfg.proxy_host &&
                     (err == DFD_E_DNS || err == DFD_E_CONNECT_REFUSED || err == DFD_E_CONNECT ||
                      err == DFD_E_TIMEOUT_CONNECT || err == DFD_E_PROXY);
  if (proxy_phase && err == DFD_E_PROXY && info->proxy_status)
    snprintf(where, sizeof where, "proxy %s:%u answered HTTP %d to CONNECT %s:%u",
             c->cfg.proxy_host, (unsigned)c->cfg.proxy_port, info->proxy_status, c->url.host,
             (unsigned)c->url.port);
  else if (proxy_phase)
    snprintf(where, sizeof where, "proxy %s:%u", c->cfg.proxy_host, (unsigned)c->cfg.proxy_port);
  else
    snprintf(where, sizeof where, "%s%s%s:%u", c->url.ipv6 ? "[" : "", c->url.host,
             c->url.ipv6 ? "]" : "", (unsigned)c->url.port);
  switch (dfd_err_class(err)) {
  case 'N':
    if (err >= DFD_E_TLS_CERT_OTHER && err <= DFD_E_TLS_CERT_UNKNOWN_CA)
      cli_error("%s: %s for %s (use --ca-file for a private CA)", what, dfd_strerror(err), where);
    else
      cli_error("%s: %s (%s)", what, dfd_strerror(err), where);
    return;
  case 'A':
    if (err == DFD_E_API_REDIRECT)
      cli_error("%s: HTTP %d %s to %s", what, info->http_status, dfd_strerror(err),
                info->location[0] ? info->location : "(no Location)");
    else if (err == DFD_E_API_SERVER || err == DFD_E_API_STATUS)
      cli_error("%s: %s (HTTP %d %s)%s%s", what, dfd_strerror(err), info->http_status, info->reason,
                info->message[0] ? ": " : "", info->message);
    else if (err <= DFD_E_API_UNAUTHORIZED && err >= DFD_E_API_STATUS)
      cli_error("%s: %s%s%s", what, dfd_strerror(err), info->message[0] ? ": " : "", info->message);
    else
      cli_error("%s: %s", what, dfd_strerror(err));
    return;
  default:
    cli_error("%s: %s", what, dfd_strerror(err));
  }
}

void cli_verbose(const dfd_client *c, int64_t id, const dfd_get_info *info) {
  char host[DFD_HOST_MAX + 8];
  dfd_url_host_header(&c->url, host, sizeof host);
  fprintf(stderr,
          "> GET %s/api/v1/datadiffs/%" PRId64 "%s%s (Host: %s, Authorization: Key "
          "[redacted])\n",
          c->url.base_path, id, c->cfg.poll ? "?poll=" : "", c->cfg.poll ? c->cfg.poll : "", host);
  if (info->reused)
    fprintf(stderr, "* reused the open connection\n");
  else
    fprintf(stderr, "* connected in %u ms\n", info->ms_connect);
  if (info->tls && info->tls_version && !info->reused)
    fprintf(stderr, "* %s %s, handshake %u ms\n", info->tls_version,
            info->ciphersuite ? info->ciphersuite : "", info->ms_tls);
  if (info->http_status) {
    fprintf(stderr, "< HTTP %d ", info->http_status);
    cli_put_safe(stderr, info->reason);
    fputc('\n', stderr);
  }
  fprintf(stderr, "* first byte %u ms, total %u ms, body %" PRId64 " bytes\n", info->ms_first_byte,
          info->ms_total, info->body_bytes);
}

int cmd_get(int argc, char **argv) {
  static cli_session s;
  memset(&s, 0, sizeof s);
  s.cmd = "get";
  s.request_timeout_ms = 30000;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    int bad = 0;
    const char *v = cli_option_value(argc, argv, &i, "--timeout", &bad);
    if (v) {
      if (cli_parse_seconds(v, "--timeout", &s.request_timeout_ms) != 0)
        return EXIT_USAGE;
      if (s.request_timeout_ms == 0) {
        cli_error("--timeout must be more than 0");
        return EXIT_USAGE;
      }
    } else if (bad) {
      return EXIT_USAGE;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(get_usage, stdout);
      return 0;
    } else if (cli_session_option(&s, argc, argv, &i) < 0) {
      return EXIT_USAGE;
    }
  }
  int code = cli_session_open(&s);
  if (code != 0) {
    cli_session_close(&s);
    return code;
  }
  static dfd_status st;
  dfd_get_info info;
  int err = dfd_get(&s.client, s.id, &st, &info);
  if (s.verbose)
    cli_verbose(&s.client, s.id, &info);
  if (s.insecure && info.verify_flags)
    cli_error("warning: certificate problems ignored (--insecure): flags 0x%x",
              (unsigned)info.verify_flags);
  char what[48];
  snprintf(what, sizeof what, "get %" PRId64, s.id);
  if (err != DFD_OK)
    cli_report_failure(what, err, &s.client, &info);
  cli_session_close(&s);
  if (err != DFD_OK)
    return cli_exit_for_error(err);
  code = cli_exit_for_status(&st);
  if (code == EXIT_API) {
    cli_error("%s: the server answered 200 with an error body", what);
    return code;
  }
  if (s.json)
    cli_print_json(stdout, &st);
  else
    cli_print_summary(stdout, &st);
  return code;
}
