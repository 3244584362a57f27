/* MX_LWIP_Init: lwIP over the Cube's Ethernet driver (lwip_app.h). */
#include "lwip_app.h"

#include "cmsis_os.h"
#include "ethernetif.h" /* the Cube's: ethernetif_init, ethernet_link_thread */
#include "lwip/dhcp.h"
#include "lwip/tcpip.h"

struct netif gnetif;

static void tcpip_ready(void *arg) { osSemaphoreRelease((osSemaphoreId)arg); }

void MX_LWIP_Init(void) {
  osSemaphoreDef(ready);
  osSemaphoreId ready = osSemaphoreCreate(osSemaphore(ready), 1);
  osSemaphoreWait(ready, 0); /* taken: released by the tcpip thread once it runs */
  tcpip_init(tcpip_ready, ready);
  osSemaphoreWait(ready, osWaitForever);
  osSemaphoreDelete(ready);

  ip4_addr_t any;
  ip4_addr_set_zero(&any);
  LOCK_TCPIP_CORE();
  netif_add(&gnetif, &any, &any, &any, NULL, ethernetif_init, tcpip_input);
  netif_set_default(&gnetif);
  dhcp_start(&gnetif); /* restarted by lwIP whenever the link comes back */
  UNLOCK_TCPIP_CORE();

  /* the PHY's link state, polled: plugging the cable in brings the interface up */
  osThreadDef(EthLink, ethernet_link_thread, osPriorityBelowNormal, 0, 256);
  osThreadCreate(osThread(EthLink), &gnetif);
}

bool lwip_app_has_address(void) {
  LOCK_TCPIP_CORE();
  bool up = netif_is_up(&gnetif) && netif_is_link_up(&gnetif) && dhcp_supplied_address(&gnetif);
  UNLOCK_TCPIP_CORE();
  return up;
}
