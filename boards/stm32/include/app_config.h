/* What the display shows and how it polls: compile-time settings, each overridable from
 * the make command line (see boards/stm32/README.md), e.g.
 *   make CUBE=... DIFFS=12345,67890 HOST=https://app.datafold.com
 * The API key is not here: it is provisioned over the serial console (README). */
#ifndef DFD_STM32_APP_CONFIG_H
#define DFD_STM32_APP_CONFIG_H

/* The Datafold API (and app) base URL. */
#ifndef APP_HOST
#define APP_HOST "https://app.datafold.com"
#endif

/* The diffs to show, comma-separated; one page each, turned every APP_PAGE_MS. */
#ifndef APP_DIFFS
#define APP_DIFFS "12345"
#endif

#ifndef APP_PAGE_MS
#define APP_PAGE_MS 8000u
#endif
/* The first delay between polls of a diff, growing x1.5 up to the maximum. */
#ifndef APP_POLL_INTERVAL_MS
#define APP_POLL_INTERVAL_MS 10000u
#endif
#ifndef APP_POLL_MAX_INTERVAL_MS
#define APP_POLL_MAX_INTERVAL_MS 60000u
#endif
/* A diff that failed for good (401, 403, 404, certificate) is tried again after this. */
#ifndef APP_RETRY_FAILED_MS
#define APP_RETRY_FAILED_MS 600000u
#endif
#ifndef APP_REQUEST_TIMEOUT_MS
#define APP_REQUEST_TIMEOUT_MS 30000u
#endif

/* SNTP: the certificates' validity needs the date before the first TLS handshake. */
#ifndef APP_NTP_SERVER
#define APP_NTP_SERVER "pool.ntp.org"
#endif

/* The OLED: SSD1306, 128x64, 7-bit I2C address 0x3C (0x3D when SA0 is high). */
#ifndef APP_OLED_ADDR
#define APP_OLED_ADDR 0x3Cu
#endif
#ifndef APP_OLED_HEIGHT
#define APP_OLED_HEIGHT 64u
#endif
#ifndef APP_OLED_ROTATE180
#define APP_OLED_ROTATE180 0
#endif

#endif
