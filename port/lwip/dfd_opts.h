/* dfdiff sizes for lwIP targets (microcontrollers): see src/dfd_config.h. Each is
 * #ifndef-guarded, so a board's own dfd_opts.h or a -D wins. */
#ifndef DFD_OPTS_H
#define DFD_OPTS_H

/* The TLS pool. Its measured peak is 32.2 KB for the largest handshake (TLS 1.3, RSA-2048
 * server with an intermediate; README.md, "Transport"); a pool needs some room above its
 * peak against fragmentation, and a held session for resumption takes 1-2 KB more. */
#ifndef DFD_TLS_POOL_SIZE
#define DFD_TLS_POOL_SIZE (38 * 1024)
#endif

/* How the port sleeps; default sys_msleep(ms). An RTOS board may prefer e.g.
 * #define DFD_LWIP_SLEEP_MS(ms) vTaskDelay(pdMS_TO_TICKS(ms)) */

#endif
