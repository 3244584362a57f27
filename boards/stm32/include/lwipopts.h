/* lwIP options of the NUCLEO-F767ZI status display: what the Cube's Ethernet driver
 * (ethernetif.c: zero-copy receive into its own pool, checksums in hardware, link thread
 * through the netif API) and SNTP need, then dfdiff's options (port/lwip/lwipopts.h, each
 * #ifndef-guarded) for everything else: one TLS client connection in about 14 KB of lwIP
 * RAM. */
#ifndef DFD_STM32_LWIPOPTS_H
#define DFD_STM32_LWIPOPTS_H

#include <stdint.h>

/* --- the Ethernet driver (the Cube's ethernetif.c) -------------------------------- */
#define LWIP_NETIF_LINK_CALLBACK 1 /* the link thread reports cable plugged/unplugged */
#define LWIP_NETIF_API 1           /* ... through netifapi_* */
#define LWIP_SUPPORT_CUSTOM_PBUF 1 /* received frames are custom pbufs of its RX_POOL */
#define ETH_PAD_SIZE 0
/* The MAC computes and checks IP, TCP, UDP and ICMP checksums. */
#define CHECKSUM_GEN_IP 0
#define CHECKSUM_GEN_UDP 0
#define CHECKSUM_GEN_TCP 0
#define CHECKSUM_GEN_ICMP 0
#define CHECKSUM_CHECK_IP 0
#define CHECKSUM_CHECK_UDP 0
#define CHECKSUM_CHECK_TCP 0
#define CHECKSUM_CHECK_ICMP 0

/* Every lwIP memory area (heap, pools, the driver's RX_POOL) in the non-cacheable
 * region the MPU sets up (main.c, STM32F767ZITx.ld): the Ethernet DMA reads and writes
 * them, and ethernetif.c does no cache maintenance. */
#define LWIP_DECLARE_MEMORY_ALIGNED(variable_name, size)                                           \
  u8_t variable_name[LWIP_MEM_ALIGN_BUFFER(size)]                                                  \
      __attribute__((section(".lwip_nocache"), aligned(4)))

/* --- the RTOS (CMSIS-RTOS v1 over FreeRTOS; stack sizes in words) ------------------- */
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE 1024
#define TCPIP_THREAD_PRIO osPriorityHigh
#define DEFAULT_THREAD_STACKSIZE 512

/* --- SNTP: the date for certificate checks ---------------------------------------- */
#define SNTP_SERVER_DNS 1
#define SNTP_STARTUP_DELAY 0
#define SNTP_UPDATE_DELAY 3600000 /* resynchronise hourly */
void board_set_unix_time(uint32_t sec);
#define SNTP_SET_SYSTEM_TIME(sec) board_set_unix_time((uint32_t)(sec))
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 1) /* + SNTP's */
#define MEMP_NUM_UDP_PCB 3                                       /* DNS, DHCP, SNTP */

/* The Cube's cc.h reports a failed assertion with printf, and newlib's printf allocates:
 * off, as in dfdiff's own builds (zero malloc). */
#define LWIP_NOASSERT 1

/* --- dfdiff's options for the rest ----------------------------------------------------- */
#include "../../../port/lwip/lwipopts.h"

#endif
