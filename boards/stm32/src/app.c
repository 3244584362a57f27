/* The dfdiff status display on the NUCLEO-F767ZI: the API key from flash (provisioned on
 * the serial console), the Ethernet address from DHCP, the date from SNTP, then the
 * library's watch loop over the diffs of app_config.h (boards/common/panel.c), each result
 * and the client's trouble drawn on the SSD1306. Runs in the default task, after
 * MX_LWIP_Init(). */
#include <string.h>

#include "../../common/console.h"
#include "../../common/panel.h"
#include "app_config.h"
#include "board.h"
#include "client.h"
#include "cmsis_os.h"
#include "dfd_err.h"
#include "dfd_lwip.h"
#include "key_store.h"
#include "lwip/apps/sntp.h"
#include "lwip/tcpip.h"
#include "lwip_app.h"
#include "oled.h"
#include "trust.h"

#define OLED_W 128u

int board_random32(uint32_t *out); /* syscalls.c */

/* The TLS entropy source: the hardware RNG (HAL_RNG_GenerateRandomNumber). */
int dfd_lwip_entropy_hook(uint8_t *buf, size_t n) {
  while (n > 0) {
    uint32_t v;
    if (board_random32(&v) != 0)
      return -1;
    size_t k = n < sizeof v ? n : sizeof v;
    memcpy(buf, &v, k);
    buf += k;
    n -= k;
  }
  return 0;
}

static void log_line(dfd_log_level level, const char *msg) {
  (void)level;
  board_log(msg);
}

/* Everything large is static: the task's stack holds only frames. */
static uint8_t fb_bits[DFD_FB_BYTES(OLED_W, APP_OLED_HEIGHT)];
static dfd_port port;
static dfd_client client;
static dfd_panel panel;
static dfd_console console;
static char api_key[DFD_API_KEY_MAX + 1];
static bool oled_ok;

static void show_fb(void) {
  if (oled_ok && oled_show(fb_bits, OLED_W, APP_OLED_HEIGHT) != 0) {
    board_log("dfdiff: the OLED stopped answering");
    oled_ok = false;
  }
}

static void show_trouble(int64_t id, dfd_render_trouble t) {
  dfd_fb fb = {fb_bits, OLED_W, APP_OLED_HEIGHT};
  dfd_panel_draw_trouble(&fb, id, t);
  show_fb();
}

/* The serial console: "key <API key>", "erase-key", "help". Nothing is echoed. */
static void console_poll(void) {
  char buf[64];
  size_t n;
  while ((n = board_console_read(buf, sizeof buf)) > 0) {
    for (size_t i = 0; i < n; i++) {
      const char *arg = NULL;
      switch (dfd_console_feed(&console, buf[i], &arg)) {
      case DFD_CMD_KEY: {
        int r = key_store_write(arg);
        dfd_console_wipe(&console);
        board_log(r == 0 ? "dfdiff: key stored; restarting" : "dfdiff: writing the key failed");
        if (r == 0) {
          osDelay(100);
          NVIC_SystemReset();
        }
        break;
      }
      case DFD_CMD_ERASE_KEY:
        board_log(key_store_erase() == 0 ? "dfdiff: key erased; restarting"
                                         : "dfdiff: erasing the key failed");
        osDelay(100);
        NVIC_SystemReset();
        break;
      case DFD_CMD_HELP:
        HAL_UART_Transmit(&huart3, (const uint8_t *)dfd_console_help(),
                          (uint16_t)strlen(dfd_console_help()), 500);
        break;
      case DFD_CMD_BAD_KEY:
        board_log("dfdiff: not an API key (1 to 200 printable characters, no spaces)");
        break;
      case DFD_CMD_UNKNOWN:
        board_log("dfdiff: unknown command (type help)");
        break;
      case DFD_CMD_NONE:
      default:
        break;
      }
    }
  }
}

/* Waits, drawing the trouble and serving the console, until ready() says so. */
static void wait_for(bool (*ready)(void), int64_t id, dfd_render_trouble t, const char *what) {
  if (ready())
    return;
  board_log(what);
  show_trouble(id, t);
  while (!ready()) {
    console_poll();
    osDelay(100);
  }
}

static bool never(void) { return false; }

/* Decimal text of v at the end of buf (no stdio: newlib's printf family can allocate). */
static const char *decimal(char *buf, size_t cap, int64_t v) {
  char *p = buf + cap - 1;
  *p = '\0';
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do
    *--p = (char)('0' + u % 10u);
  while ((u /= 10u) != 0 && p > buf + 1);
  if (v < 0)
    *--p = '-';
  return p;
}

static void log_number(const char *text, int64_t v) {
  static char line[96];
  char num[24];
  line[0] = '\0';
  strncat(line, text, sizeof line - 1);
  strncat(line, decimal(num, sizeof num, v), sizeof line - 1 - strlen(line));
  board_log(line);
}

static void log_diff(int64_t id, const char *what) {
  static char line[160];
  char num[24];
  line[0] = '\0';
  strncat(line, "dfdiff: diff ", sizeof line - 1);
  strncat(line, decimal(num, sizeof num, id), sizeof line - 1 - strlen(line));
  strncat(line, ": ", sizeof line - 1 - strlen(line));
  strncat(line, what, sizeof line - 1 - strlen(line));
  board_log(line);
}

void dfd_app_run(void) {
  oled_ok = oled_init() == 0;
  if (!oled_ok)
    board_log("dfdiff: no SSD1306 answers on I2C1 (PB8 SCL, PB9 SDA): logging only");

  int64_t ids[DFD_PANEL_MAX_DIFFS];
  int n = dfd_panel_parse_ids(APP_DIFFS, ids, DFD_PANEL_MAX_DIFFS);
  if (n < 0)
    wait_for(never, -1, DFD_TROUBLE_SETUP, "dfdiff: APP_DIFFS is not a list of diff ids");
  if (!key_store_read(api_key, sizeof api_key))
    wait_for(never, ids[0], DFD_TROUBLE_SETUP,
             "dfdiff: no API key stored: type 'key <API key>' and Enter (nothing is echoed)");

  dfd_lwip_port_init(&port, log_line, DFD_LOG_WARN);
  dfd_client_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.url = APP_HOST;
  cfg.api_key = api_key;
  cfg.timeout_ms = APP_REQUEST_TIMEOUT_MS;
  cfg.trust = dfd_trust_builtin_source();
  int err = dfd_client_init(&client, &port, &cfg);
  if (err != DFD_OK) {
    board_log("dfdiff: APP_HOST is not a usable URL, or TLS could not start:");
    wait_for(never, ids[0], DFD_TROUBLE_SETUP, dfd_strerror(err));
  }

  wait_for(lwip_app_has_address, ids[0], DFD_TROUBLE_NO_NETWORK,
           "dfdiff: waiting for the Ethernet link and a DHCP address");
  LOCK_TCPIP_CORE();
  sntp_setoperatingmode(SNTP_OPMODE_POLL);
  sntp_setservername(0, APP_NTP_SERVER);
  sntp_init();
  UNLOCK_TCPIP_CORE();
  wait_for(board_time_valid, ids[0], DFD_TROUBLE_NO_NETWORK,
           "dfdiff: waiting for the date from " APP_NTP_SERVER " (certificates need it)");

  dfd_panel_config pc = dfd_panel_defaults();
  pc.poll.interval_ms = APP_POLL_INTERVAL_MS;
  pc.poll.max_interval_ms = APP_POLL_MAX_INTERVAL_MS;
  pc.page_ms = APP_PAGE_MS;
  pc.retry_failed_ms = APP_RETRY_FAILED_MS;
  pc.host = NULL; /* no QR code on a 128x64 OLED */
  dfd_panel_init(&panel, &client, ids, (size_t)n, &pc);
  board_log("dfdiff: watching " APP_DIFFS " on " APP_HOST);

  uint32_t last_draw = 0;
  static uint32_t seen_polls[DFD_PANEL_MAX_DIFFS];
  static int logged_err[DFD_PANEL_MAX_DIFFS];
  bool drawn = false, stack_logged = false;
  for (;;) {
    console_poll();
    uint32_t wait = 0;
    bool changed = dfd_panel_step(&panel, &wait);
    uint32_t now = HAL_GetTick();
    for (uint16_t i = 0; i < panel.count; i++) {
      const dfd_panel_diff *d = &panel.diffs[i];
      if (d->polls == seen_polls[i])
        continue;
      seen_polls[i] = d->polls;
      if (d->err != logged_err[i]) { /* a change of trouble goes to the log */
        logged_err[i] = d->err;
        log_diff(d->id, d->err == DFD_OK ? "answers again" : dfd_strerror(d->err));
      }
      if (!stack_logged && d->err == DFD_OK) { /* a TLS poll went through: measure */
        log_number("dfdiff: app task stack never used (words): ",
                   (int64_t)uxTaskGetStackHighWaterMark(NULL));
        stack_logged = true;
      }
    }
    if (changed || !drawn || now - last_draw >= 1000u) {
      dfd_fb fb = {fb_bits, OLED_W, APP_OLED_HEIGHT};
      dfd_panel_draw(&panel, &fb, NULL, board_unix_time());
      show_fb();
      last_draw = now;
      drawn = true;
    }
    uint32_t nap = 100; /* the console stays responsive */
    if (wait < nap)
      nap = wait;
    if (nap > 0)
      osDelay(nap);
  }
}
