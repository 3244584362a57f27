#include "url.h"

#include <string.h>

#include "dfd_err.h"

static bool prefix_nocase(const char *s, const char *p) {
  for (; *p; s++, p++) {
    char c = *s;
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != *p)
      return false;
  }
  return true;
}

int dfd_url_parse(const char *text, dfd_url *out) {
  memset(out, 0, sizeof *out);
  const char *p = text;
  if (prefix_nocase(p, "https://")) {
    out->tls = true;
    p += 8;
  } else if (prefix_nocase(p, "http://")) {
    p += 7;
  } else {
    return DFD_E_URL;
  }
  for (const char *q = p; *q; q++)
    if ((unsigned char)*q <= ' ' || *q == 0x7F || *q == '?' || *q == '#' || *q == '\\')
      return DFD_E_URL;
  const char *host = p, *host_end;
  if (*p == '[') {
    host = ++p;
    while (*p && *p != ']') {
      if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
            *p == ':' || *p == '.'))
        return DFD_E_URL;
      p++;
    }
    if (*p != ']')
      return DFD_E_URL;
    host_end = p++;
    out->ipv6 = true;
  } else {
    while (*p && *p != ':' && *p != '/') {
      char c = *p;
      if (c == '@' || c == '[' || c == ']' || c == '%')
        return DFD_E_URL;
      p++;
    }
    host_end = p;
  }
  size_t hlen = (size_t)(host_end - host);
  if (hlen == 0 || hlen >= sizeof out->host)
    return DFD_E_URL;
  for (size_t i = 0; i < hlen; i++) {
    char c = host[i];
    out->host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  out->default_port = true;
  out->port = out->tls ? 443 : 80;
  if (*p == ':') {
    unsigned long port = 0;
    p++;
    if (*p < '0' || *p > '9')
      return DFD_E_URL;
    while (*p >= '0' && *p <= '9') {
      port = port * 10 + (unsigned long)(*p++ - '0');
      if (port > 65535)
        return DFD_E_URL;
    }
    if (port == 0)
      return DFD_E_URL;
    out->port = (uint16_t)port;
    out->default_port = port == (out->tls ? 443u : 80u);
  }
  if (*p && *p != '/')
    return DFD_E_URL;
  size_t plen = strlen(p);
  while (plen > 0 && p[plen - 1] == '/')
    plen--;
  if (plen >= sizeof out->base_path)
    return DFD_E_URL;
  memcpy(out->base_path, p, plen);
  out->base_path[plen] = '\0';
  return DFD_OK;
}

int dfd_url_host_header(const dfd_url *u, char *buf, unsigned cap) {
  size_t hlen = strlen(u->host);
  size_t need = hlen + (u->ipv6 ? 2 : 0) + (u->default_port ? 0 : 6) + 1;
  if (need > cap)
    return DFD_E_URL;
  size_t o = 0;
  if (u->ipv6)
    buf[o++] = '[';
  memcpy(buf + o, u->host, hlen);
  o += hlen;
  if (u->ipv6)
    buf[o++] = ']';
  if (!u->default_port) {
    char digits[6];
    int n = 0;
    for (unsigned v = u->port; v; v /= 10)
      digits[n++] = (char)('0' + v % 10);
    buf[o++] = ':';
    while (n)
      buf[o++] = digits[--n];
  }
  buf[o] = '\0';
  return DFD_OK;
}
