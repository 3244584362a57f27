/* dfdiff sizes on the NUCLEO-F767ZI (src/dfd_config.h reads this file first): the lwIP
 * port's device values (port/lwip/dfd_opts.h) with the board's sleep. */
#ifndef DFD_STM32_OPTS_H
#define DFD_STM32_OPTS_H

#include <stdint.h>

/* The port sleeps with the RTOS's delay rather than sys_msleep (a semaphore per call). */
void board_sleep_ms(uint32_t ms);
#define DFD_LWIP_SLEEP_MS(ms) board_sleep_ms(ms)

/* Four diffs rotate on the 128x64 panel at most (about 1.5 KB of RAM each). */
#define DFD_PANEL_MAX_DIFFS 4

#include "../../../port/lwip/dfd_opts.h" /* DFD_TLS_POOL_SIZE 44 KB */

#endif
