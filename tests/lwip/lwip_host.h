/* The host side of the lwIP tests: lwIP's unix port brought up in this process, the
 * board hooks a device would implement (entropy, log), and the static blocks lwIP's
 * unix sys_arch.c gets instead of malloc. */
#ifndef LWIP_HOST_H
#define LWIP_HOST_H

#include <stddef.h>

#include "port.h"

/** Starts lwIP's tcpip thread and waits until it has initialised the stack (and the
 *  loopback netif, 127.0.0.1). Returns 0. */
int lwip_host_start(void);

/** Board log hook for dfd_lwip_port_init: "# msg" on stdout. */
void lwip_host_log(dfd_log_level level, const char *msg);

/** sys_arch.c's malloc and free (see sys_arch_alloc.h): fixed static blocks. */
void *lwip_host_sys_malloc(size_t n);
void lwip_host_sys_free(void *p);

/** Peak use of sys_arch's static blocks (small and large) since start. */
void lwip_host_sys_stats(size_t *small_peak, size_t *small_total, size_t *large_peak,
                         size_t *large_total);

#endif
