/* The test server's sockets on lwIP (blocking lwIP sockets, lwip_poll for timeouts). */
#include <string.h>

#include "lwip/errno.h"
#include "lwip/inet.h"
#include "lwip/sockets.h"
#include "tls_server.h"

static int l_listen(uint16_t *port, int backlog) {
  int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_len = sizeof a;
  a.sin_family = AF_INET;
  a.sin_port = 0; /* lwIP picks a free port */
  a.sin_addr.s_addr = lwip_htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (lwip_bind(s, (struct sockaddr *)&a, sizeof a) != 0 || lwip_listen(s, backlog) != 0 ||
      lwip_getsockname(s, (struct sockaddr *)&a, &len) != 0) {
    lwip_close(s);
    return -1;
  }
  *port = lwip_ntohs(a.sin_port);
  return s;
}

static int l_accept(int ls) {
  int s = lwip_accept(ls, NULL, NULL);
  if (s >= 0) {
    int one = 1;
    lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return s;
}

static int l_send(int s, const uint8_t *buf, size_t n) {
  ssize_t r = lwip_send(s, buf, n, 0);
  return r < 0 ? -1 : (int)r;
}

static int l_wait(int s, uint32_t timeout_ms) {
  struct pollfd p;
  p.fd = s;
  p.events = POLLIN;
  p.revents = 0;
  int r = lwip_poll(&p, 1, (int)timeout_ms);
  return r > 0 ? 1 : r;
}

static int l_recv(int s, uint8_t *buf, size_t n, uint32_t timeout_ms) {
  int w = l_wait(s, timeout_ms);
  if (w == 0)
    return -2;
  if (w < 0)
    return -1;
  ssize_t r = lwip_recv(s, buf, n, 0);
  if (r < 0)
    return errno == ENOTCONN ? 0 : -1;
  return (int)r;
}

static void l_poke(uint16_t port) {
  int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    return;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_len = sizeof a;
  a.sin_family = AF_INET;
  a.sin_port = lwip_htons(port);
  a.sin_addr.s_addr = lwip_htonl(INADDR_LOOPBACK);
  lwip_connect(s, (struct sockaddr *)&a, sizeof a);
  lwip_close(s);
}

static void l_close(int s) { lwip_close(s); }

const srv_net srv_net_lwip = {"lwIP", l_listen, l_accept, l_send, l_recv, l_wait, l_poke, l_close};
