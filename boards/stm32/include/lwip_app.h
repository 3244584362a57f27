/* lwIP on the NUCLEO-F767ZI's Ethernet, brought up the way CubeMX's generated lwip.c
 * does: MX_LWIP_Init() from the default task, before the application. */
#ifndef DFD_STM32_LWIP_APP_H
#define DFD_STM32_LWIP_APP_H

#include <stdbool.h>

#include "lwip/netif.h"

extern struct netif gnetif;

/** Starts the tcpip thread, adds the Ethernet interface (the Cube's ethernetif_init),
 *  starts DHCP and the cable link thread. Returns once the stack runs; the address
 *  comes later (lwip_app_has_address). */
void MX_LWIP_Init(void);

/** True once the link is up and DHCP has given an address. */
bool lwip_app_has_address(void);

#endif
