/* lwIP options of the host test (tests/lwip): the board's port/lwip/lwipopts.h with only
 * what one process talking to itself through lwIP's loopback interface needs on top.
 * TCP window, MSS, send buffer and queue lengths are the board's, so the test runs the
 * client over the TCP settings a device uses.
 *
 * Why each difference:
 * - loopback (LWIP_HAVE_LOOPIF): client and server are both in this process, on
 *   127.0.0.1; no Ethernet, so no ARP or DHCP.
 * - MEM_SIZE 16 KB instead of 5 KB: netif_loop_output copies every segment into a
 *   PBUF_RAM pbuf from the heap, and on the receiving side those copies *are* the
 *   received segments until recv() takes them (a device receives into PBUF_POOL). So the
 *   heap holds both ends' unacknowledged data (2 x TCP_SND_BUF) plus each end's receive
 *   window of copies (2 x TCP_WND). Measured with the 1 MB bench: 11.8 KB at most in use;
 *   with 12 KB some allocations fail (retransmissions recover), with 8 KB the 1 MB body
 *   takes 3 s instead of 42 ms, with 6 KB it stalls.
 * - 6 sockets and TCP PCBs instead of 1 and 2: the server's listening socket, the
 *   accepted one and the client's; the connect-timeout case adds a second listener
 *   (TCP_LISTEN_BACKLOG 1: with its backlog full, lwIP drops further SYNs), the
 *   connection waiting in it and a second client.
 * - more segments and API messages: two ends send, and loopback schedules its input
 *   through tcpip callbacks (with 8 messages the pool ran dry in bursts).
 * - DNS_LOCAL_HOSTLIST: "api.test" -> 127.0.0.1, resolved by lwip_getaddrinfo.
 * - LWIP_STATS: the bench reports the heap's and each pool's high-water mark.
 * - MEM_ALIGNMENT 8: x86-64 pointers. */
#ifndef DFD_LWIPOPTS_TEST_H
#define DFD_LWIPOPTS_TEST_H

#define MEM_ALIGNMENT 8
#define MEM_SIZE (16 * 1024)

#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_ARP 0
#define LWIP_ETHERNET 0
#define LWIP_DHCP 0

#define MEMP_NUM_NETCONN 6
#define MEMP_NUM_TCP_PCB 6
#define MEMP_NUM_TCP_PCB_LISTEN 2
#define TCP_LISTEN_BACKLOG 1
#define MEMP_NUM_TCP_SEG 32
#define MEMP_NUM_TCPIP_MSG_API 16
#define DEFAULT_ACCEPTMBOX_SIZE 4

#define DNS_LOCAL_HOSTLIST 1
#define DNS_LOCAL_HOSTLIST_IS_DYNAMIC 0
#define DNS_LOCAL_HOSTLIST_INIT                                                                    \
  { DNS_LOCAL_HOSTLIST_ELEM("api.test", IPADDR4_INIT_BYTES(127, 0, 0, 1)) }

#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 1 /* pool names in the stats */
#define MEM_STATS 1
#define MEMP_STATS 1
#define SYS_STATS 0
#define LINK_STATS 0
#define ETHARP_STATS 0
#define IP_STATS 0
#define ICMP_STATS 0
#define UDP_STATS 0
#define TCP_STATS 0

#include "../lwipopts.h"

#endif
