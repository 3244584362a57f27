/* The test server's sockets on the OS (the bench's reference path). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls_server.h"

static int p_listen(uint16_t *port, int backlog) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, backlog) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0) {
    close(s);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return s;
}

static int p_accept(int ls) {
  int s = accept(ls, NULL, NULL);
  if (s >= 0) {
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return s;
}

static int p_send(int s, const uint8_t *buf, size_t n) {
  ssize_t r = send(s, buf, n, MSG_NOSIGNAL);
  return r < 0 ? -1 : (int)r;
}

static int p_wait(int s, uint32_t timeout_ms) {
  struct pollfd p = {s, POLLIN, 0};
  int r = poll(&p, 1, (int)timeout_ms);
  return r > 0 ? 1 : r;
}

static int p_recv(int s, uint8_t *buf, size_t n, uint32_t timeout_ms) {
  int w = p_wait(s, timeout_ms);
  if (w == 0)
    return -2;
  if (w < 0)
    return -1;
  ssize_t r = recv(s, buf, n, 0);
  return r < 0 ? -1 : (int)r;
}

static void p_poke(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)connect(s, (struct sockaddr *)&a, sizeof a); /* refused or not, accept wakes */
  close(s);
}

static void p_close(int s) { close(s); }

const srv_net srv_net_posix = {"POSIX", p_listen, p_accept, p_send,
                               p_recv,  p_wait,   p_poke,   p_close};
