/* dfdiff sizes on the ESP32 (src/dfd_config.h reads this file first; see
 * port/lwip/dfd_opts.h for the devices' defaults). */
#ifndef DFD_ESP32_OPTS_H
#define DFD_ESP32_OPTS_H

#include <stdint.h>

/* The TLS pool. Largest measured 32-bit peak with dfdiff's own mbedTLS configuration:
 * 37.5 KB (a Let's Encrypt shaped RSA chain; README.md, "Transport"); the devices' default
 * is 44 KB. ESP-IDF's configuration is not dfdiff's
 * (hardware-accelerated contexts, more features compiled in) and its peak has not been
 * measured: 48 KB until it is (CONFIG_DFDIFF_TLS_POOL_STATS logs the peak on the board). */
#define DFD_TLS_POOL_SIZE (48 * 1024)

/* The lwIP port sleeps with vTaskDelay (app_main.c) rather than sys_msleep. */
void dfd_esp_sleep_ms(uint32_t ms);
#define DFD_LWIP_SLEEP_MS(ms) dfd_esp_sleep_ms(ms)

/* Diffs rotated on the panel at most (CONFIG_DFDIFF_DIFF_IDS), about 1.5 KB each. */
#define DFD_PANEL_MAX_DIFFS 8

#endif
