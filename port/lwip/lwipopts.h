/* lwIP options a board starts from for dfdiff: one TLS client connection over TCP, DNS
 * over UDP, IPv4 (IPv6 optional, off), lwIP's socket API on an RTOS (NO_SYS=0), and every
 * byte of lwIP RAM static: its own heap (MEM_SIZE) and fixed pools, no libc malloc.
 * Each option is #ifndef-guarded: a board (or port/lwip/test/lwipopts.h) sets its own
 * value first.
 *
 * RAM, measured on Cortex-M4 (arm-none-eabi-gcc -Os; `make bench-lwip` recomputes it from
 * lwIP's own declarations of ram_heap and memp_memory_*):
 *   heap      MEM_SIZE 5 KB    5139 B  the segments we send, kept until acknowledged (at most
 *                                      TCP_SND_BUF plus headers), DNS queries, DHCP state,
 *                                      the one packet ARP holds while resolving.
 *   PBUF_POOL 5 x 1532 B       7663 B  received frames: TCP_WND is 4 x TCP_MSS, so 4 full
 *                                      frames can be in flight towards us, plus one.
 *   other pools                1169 B  2 TCP PCBs, 12 segments, 2 UDP PCBs, 1 netconn,
 *                                      1 netdb result, timeouts, messages.
 *   total                     13971 B  (13.6 KB) under the 16 KB target for one connection.
 * All of lwIP's static RAM with these options (core, IPv4, DHCP, DNS, sockets, Ethernet,
 * .bss + .data) is 14.6 KB. The mailboxes and semaphores of the RTOS layer
 * (sys_arch) and the tcpip thread's stack are the RTOS's, not counted here. */
#ifndef DFD_LWIPOPTS_H
#define DFD_LWIPOPTS_H

/* --- system: an RTOS, sockets, no libc malloc ------------------------------------- */
#ifndef NO_SYS
#define NO_SYS 0
#endif
#ifndef SYS_LIGHTWEIGHT_PROT
#define SYS_LIGHTWEIGHT_PROT 1 /* the port's 64-bit clock relies on it */
#endif
#ifndef MEM_LIBC_MALLOC
#define MEM_LIBC_MALLOC 0 /* lwIP's own heap: ram_heap[MEM_SIZE], a static array */
#endif
#ifndef MEMP_MEM_MALLOC
#define MEMP_MEM_MALLOC 0 /* pools are static arrays too */
#endif
#ifndef MEM_ALIGNMENT
#define MEM_ALIGNMENT 4
#endif
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 1 /* socket calls run under a lock, not via messages */
#endif

/* --- socket API ------------------------------------------------------------------- */
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1                /* the socket layer sits on it */
#define LWIP_COMPAT_SOCKETS 0         /* lwip_* names only: no clash with a libc's socket.h */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0 /* never reroute read/write/close to lwIP */
#ifndef LWIP_SOCKET_SELECT
#define LWIP_SOCKET_SELECT 1
#endif
#ifndef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL 1 /* the port waits with lwip_poll(): connect, send, receive */
#endif
/* The port never blocks inside send or recv (sockets are non-blocking and timeouts come
 * from lwip_poll), so SO_RCVTIMEO/SO_SNDTIMEO are not needed. */
#ifndef LWIP_SO_RCVTIMEO
#define LWIP_SO_RCVTIMEO 0
#endif
#ifndef LWIP_SO_SNDTIMEO
#define LWIP_SO_SNDTIMEO 0
#endif

/* --- protocols -------------------------------------------------------------------- */
#ifndef LWIP_IPV4
#define LWIP_IPV4 1
#endif
#ifndef LWIP_IPV6
#define LWIP_IPV6 0 /* optional: +~1 KB RAM and ~20 KB flash */
#endif
#define LWIP_TCP 1
#define LWIP_UDP 1 /* DNS (and DHCP) */
#ifndef LWIP_RAW
#define LWIP_RAW 0
#endif
#ifndef LWIP_ICMP
#define LWIP_ICMP 1
#endif
#ifndef LWIP_DHCP
#define LWIP_DHCP 1 /* most boards get their address this way; 0 for a static one */
#endif
#ifndef LWIP_ARP
#define LWIP_ARP 1 /* Ethernet and most Wi-Fi drivers */
#endif
#ifndef LWIP_ETHERNET
#define LWIP_ETHERNET LWIP_ARP
#endif
#ifndef ARP_TABLE_SIZE
#define ARP_TABLE_SIZE 4 /* gateway, DNS server, a spare or two */
#endif
#ifndef ARP_QUEUEING
#define ARP_QUEUEING 0 /* keep only the last packet for an unresolved address */
#endif
#ifndef IP_REASSEMBLY
#define IP_REASSEMBLY 0 /* TCP never needs it; DNS answers are small */
#endif
#ifndef IP_FRAG
#define IP_FRAG 0 /* we never send more than an MSS */
#endif

/* --- DNS ---------------------------------------------------------------------------- */
#define LWIP_DNS 1
#ifndef DNS_TABLE_SIZE
#define DNS_TABLE_SIZE 2 /* the API host and one more, cached */
#endif
#ifndef DNS_MAX_NAME_LENGTH
#define DNS_MAX_NAME_LENGTH 128 /* dfdiff's own host limit is DFD_HOST_MAX (96) */
#endif
#ifndef DNS_MAX_SERVERS
#define DNS_MAX_SERVERS 2
#endif
#ifndef DNS_MAX_SOURCE_PORTS
#define DNS_MAX_SOURCE_PORTS 1 /* random source port per query, one UDP PCB at a time */
#endif
#ifndef DNS_MAX_RETRIES
#define DNS_MAX_RETRIES 4 /* a lookup gives up after about 10 s (1+1+2+3+... timer ticks) */
#endif

/* --- TCP: window and buffers ------------------------------------------------------ */
/* TCP_MSS 1460: full Ethernet frames, so the server's 16 KB TLS records arrive in 12
 * segments rather than 31 at 536. The receive window is 4 segments (5840 B): enough to
 * keep a WAN path busy for a response of a few KB without holding a whole TLS record in
 * lwIP (mbedTLS already buffers the record in its own input buffer). What we send is a
 * ClientHello, a Finished and a request of a few hundred bytes: a send buffer of 2 MSS
 * (lwIP's minimum) is plenty. */
#ifndef TCP_MSS
#define TCP_MSS 1460
#endif
#ifndef TCP_WND
#define TCP_WND (4 * TCP_MSS)
#endif
#ifndef TCP_SND_BUF
#define TCP_SND_BUF (2 * TCP_MSS)
#endif
#ifndef TCP_SND_QUEUELEN
#define TCP_SND_QUEUELEN ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS)) /* 8 */
#endif
#ifndef TCP_QUEUE_OOSEQ
#define TCP_QUEUE_OOSEQ 1 /* out-of-order segments wait in PBUF_POOL, bounded by TCP_WND */
#endif
#ifndef LWIP_TCP_KEEPALIVE
#define LWIP_TCP_KEEPALIVE 0
#endif

/* --- pbufs ---------------------------------------------------------------------------- */
/* Received frames land in PBUF_POOL buffers (the usual driver choice), each one frame:
 * PBUF_POOL_BUFSIZE defaults to TCP_MSS + 40 B of TCP/IP headers + the link header,
 * 1516 B aligned, plus a 16 B struct pbuf. 5 buffers hold a full window (4 frames) plus
 * one, 7.5 KB: the largest single item of the budget. Sent segments are PBUF_RAM from the
 * heap, exact-sized (the port sets TCP_NODELAY, so TCP_OVERSIZE never rounds them up). */
#ifndef PBUF_POOL_SIZE
#define PBUF_POOL_SIZE 5
#endif
#ifndef PBUF_LINK_HLEN
#define PBUF_LINK_HLEN 14 /* Ethernet */
#endif

/* --- heap and pools ------------------------------------------------------------------ */
#ifndef MEM_SIZE
#define MEM_SIZE (5 * 1024)
#endif
#ifndef MEMP_NUM_PBUF
#define MEMP_NUM_PBUF 4 /* PBUF_ROM/PBUF_REF headers: ARP and ICMP only */
#endif
#ifndef MEMP_NUM_TCP_PCB
#define MEMP_NUM_TCP_PCB 2 /* the connection, and the last one in TIME_WAIT */
#endif
#ifndef MEMP_NUM_TCP_PCB_LISTEN
#define MEMP_NUM_TCP_PCB_LISTEN 1 /* unused by a client; lwIP wants the pool */
#endif
#ifndef MEMP_NUM_TCP_SEG
#define MEMP_NUM_TCP_SEG (TCP_SND_QUEUELEN + 4) /* sent + out-of-order received */
#endif
#ifndef MEMP_NUM_UDP_PCB
#define MEMP_NUM_UDP_PCB (1 + LWIP_DHCP) /* DNS, DHCP */
#endif
#ifndef MEMP_NUM_NETCONN
#define MEMP_NUM_NETCONN 1 /* = sockets: dfdiff's one; add the board's own */
#endif
#ifndef MEMP_NUM_NETBUF
#define MEMP_NUM_NETBUF 1 /* UDP/raw netconns only; DNS does not use one */
#endif
#ifndef MEMP_NUM_NETDB
#define MEMP_NUM_NETDB 1 /* one lwip_getaddrinfo result at a time */
#endif
#ifndef MEMP_NUM_TCPIP_MSG_API
#define MEMP_NUM_TCPIP_MSG_API 4 /* callbacks only, with LWIP_TCPIP_CORE_LOCKING */
#endif
#ifndef MEMP_NUM_TCPIP_MSG_INPKT
#define MEMP_NUM_TCPIP_MSG_INPKT PBUF_POOL_SIZE /* one per received frame queued */
#endif
#ifndef MEMP_NUM_ARP_QUEUE
#define MEMP_NUM_ARP_QUEUE 2
#endif

/* --- mailboxes of the RTOS layer (its memory, not lwIP's) ---------------------------- */
#ifndef TCPIP_MBOX_SIZE
#define TCPIP_MBOX_SIZE 8
#endif
#ifndef DEFAULT_TCP_RECVMBOX_SIZE
#define DEFAULT_TCP_RECVMBOX_SIZE 8 /* received segments waiting for recv() */
#endif
#ifndef DEFAULT_UDP_RECVMBOX_SIZE
#define DEFAULT_UDP_RECVMBOX_SIZE 2
#endif
#ifndef DEFAULT_ACCEPTMBOX_SIZE
#define DEFAULT_ACCEPTMBOX_SIZE 2
#endif
#ifndef TCPIP_THREAD_STACKSIZE
#define TCPIP_THREAD_STACKSIZE 1024 /* words or bytes: whatever the RTOS port uses */
#endif
#ifndef DEFAULT_THREAD_STACKSIZE
#define DEFAULT_THREAD_STACKSIZE 1024
#endif

/* --- the rest off ---------------------------------------------------------------------- */
#ifndef LWIP_NETIF_LOOPBACK
#define LWIP_NETIF_LOOPBACK 0
#endif
#ifndef LWIP_HAVE_LOOPIF
#define LWIP_HAVE_LOOPIF 0
#endif
#ifndef LWIP_IGMP
#define LWIP_IGMP 0
#endif
#ifndef LWIP_STATS
#define LWIP_STATS 0
#endif

/* A release build (NDEBUG) drops lwIP's asserts too: their messages and file names are
 * ~12 KB of flash. Debug builds keep them (the board supplies lwip_arch_assert). */
#if defined(NDEBUG) && !defined(LWIP_NOASSERT)
#define LWIP_NOASSERT 1
#endif

#endif
