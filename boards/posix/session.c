/* What `get` and `watch` share: the connection options, the key, the proxy from the
 * environment, the trust bundle, and a ready client. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dfd_err.h"

static bool is(const char *arg, const char *a, const char *b) {
  return strcmp(arg, a) == 0 || (b && strcmp(arg, b) == 0);
}

int cli_session_option(cli_session *s, int argc, char **argv, int *i) {
  int bad = 0;
  const char *v;
  if ((v = cli_option_value(argc, argv, i, "--url", &bad)))
    s->url = v;
  else if ((v = cli_option_value(argc, argv, i, "--ca-file", &bad)))
    s->ca_file = v;
  else if ((v = cli_option_value(argc, argv, i, "--api-key-file", &bad)))
    s->key_file = v;
  else if ((v = cli_option_value(argc, argv, i, "--poll", &bad)))
    s->poll = v;
  else if (bad)
    return -1;
  else if (is(argv[*i], "--json", NULL))
    s->json = true;
  else if (is(argv[*i], "--verbose", "-v"))
    s->verbose = true;
  else if (is(argv[*i], "--insecure", "-k"))
    s->insecure = true;
  else if (strncmp(argv[*i], "--api-key", 9) == 0) {
    cli_error("%s: the key is never taken from the command line (it would show in the "
              "process list): set DATAFOLD_API_KEY or use --api-key-file PATH",
              s->cmd);
    return -1;
  } else if (argv[*i][0] == '-' && argv[*i][1] != '\0') {
    cli_error("%s: unknown option '%s' (try 'dfdiff %s --help')", s->cmd, argv[*i], s->cmd);
    return -1;
  } else if (s->id_text) {
    cli_error("%s: more than one ID given ('%s' and '%s')", s->cmd, s->id_text, argv[*i]);
    return -1;
  } else {
    s->id_text = argv[*i];
  }
  return 1;
}

/* NO_PROXY: comma-separated host names (a name also covers its subdomains, a leading dot
 * is optional), IP literals, or "*" for every host. */
static bool no_proxy_for(const char *host) {
  const char *list = getenv("no_proxy");
  if (!list || !*list)
    list = getenv("NO_PROXY");
  if (!list)
    return false;
  size_t hlen = strlen(host);
  while (*list) {
    while (*list == ' ' || *list == ',')
      list++;
    size_t n = strcspn(list, ", ");
    const char *e = list;
    if (n > 0 && *e == '.') {
      e++;
      n--;
    }
    if (n == 1 && *e == '*')
      return true;
    if (n > 0 && n <= hlen && strncasecmp(host + hlen - n, e, n) == 0 &&
        (n == hlen || host[hlen - n - 1] == '.'))
      return true;
    list = e + n;
  }
  return false;
}

/* The proxy for this URL from https_proxy / HTTPS_PROXY (http_proxy for http URLs). */
static int find_proxy(cli_session *s, const dfd_url *target) {
  const char *p = target->tls ? getenv("https_proxy") : getenv("http_proxy");
  if ((!p || !*p) && target->tls)
    p = getenv("HTTPS_PROXY");
  if (!p || !*p || no_proxy_for(target->host))
    return 0;
  char text[300];
  snprintf(text, sizeof text, "%s%s", strstr(p, "://") ? "" : "http://", p);
  dfd_url proxy;
  if (dfd_url_parse(text, &proxy) != DFD_OK || proxy.tls) {
    cli_error("proxy '%s': only http://host:port proxies are supported", p);
    return -1;
  }
  snprintf(s->proxy_host, sizeof s->proxy_host, "%s", proxy.host);
  s->proxy_port = proxy.default_port ? 1080 : proxy.port;
  return 0;
}

int cli_session_open(cli_session *s) {
  if (!s->id_text) {
    cli_error("%s: missing ID (try 'dfdiff %s --help')", s->cmd, s->cmd);
    return EXIT_USAGE;
  }
  if (cli_parse_id(s->id_text, &s->id) != 0 ||
      cli_load_key(s->key_file, s->key, sizeof s->key) != 0)
    return EXIT_USAGE;
  if (!s->url)
    s->url = cli_default_url(s->url_buf, sizeof s->url_buf);
  dfd_url target;
  if (dfd_url_parse(s->url, &target) != DFD_OK) {
    cli_error("%s: %s: '%s'", s->cmd, dfd_strerror(DFD_E_URL), s->url);
    return EXIT_USAGE;
  }
  if (find_proxy(s, &target) != 0)
    return EXIT_USAGE;
  dfd_posix_port_init(&s->port, stderr, s->verbose ? DFD_LOG_DEBUG : DFD_LOG_WARN);
  dfd_client_config cfg = {s->url,       s->key, s->poll, s->request_timeout_ms,
                           s->insecure,  NULL,   NULL,    s->proxy_host[0] ? s->proxy_host : NULL,
                           s->proxy_port};
  s->https = target.tls;
  if (s->https) {
    if (dfd_posix_trust_open(&s->trust, s->ca_file) != DFD_OK) {
      if (s->ca_file)
        cli_error("--ca-file: '%s' cannot be read or holds no PEM certificate", s->ca_file);
      else
        cli_error("no system CA bundle found (install ca-certificates or use --ca-file)");
      return EXIT_USAGE;
    }
    cfg.trust = &s->trust.source;
    if (s->insecure)
      cli_error("warning: --insecure: the server's certificate is not verified");
  }
  if (s->verbose && s->proxy_host[0])
    fprintf(stderr, "* through the proxy %s:%u (CONNECT tunnel)\n", s->proxy_host,
            (unsigned)s->proxy_port);
  int err = dfd_client_init(&s->client, &s->port, &cfg);
  if (err != DFD_OK) {
    cli_error("%s: %s: '%s'", s->cmd, dfd_strerror(err), s->url);
    return cli_exit_for_error(err);
  }
  s->open = true;
  return 0;
}

void cli_session_close(cli_session *s) {
  if (s->open)
    dfd_client_free(&s->client);
  s->open = false;
  memset(s->key, 0, sizeof s->key);
  if (s->https)
    dfd_posix_trust_close(&s->trust);
  s->https = false;
}
