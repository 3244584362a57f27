/* The dfdiff status display on an ESP32: Wi-Fi (station), the date from SNTP, the API
 * key from NVS (provisioned once on the serial console), then the library's watch loop
 * over the diffs of menuconfig (boards/common/panel.c: one page each, turned in turn),
 * each result and the client's trouble drawn on an SSD1306 OLED.
 *
 * ESP-IDF's lwIP and mbedTLS carry dfdiff through its lwIP port (port/lwip) and its TLS
 * layer (src/tls.c, static pool, main/dfd_esp_mbedtls.h); the entropy is esp_fill_random.
 * Tasks: "dfdiff" (everything above, CONFIG_DFDIFF_TASK_STACK) and "console" (the serial
 * commands: key, erase-key, help). */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "../../common/console.h"
#include "../../common/panel.h"
#include "client.h"
#include "dfd_err.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_sntp.h"
#include "esp_random.h"
#include "esp_system.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/task.h"
#include "lwip/dfd_lwip.h" /* port/lwip/dfd_lwip.h, through port/ (see CMakeLists.txt) */
#include "nvs.h"
#include "nvs_flash.h"
#include "sdkconfig.h"
#include "ssd1306.h"
#include "trust.h"
#if CONFIG_ESP_CONSOLE_UART
#include "driver/uart.h"
#include "driver/uart_vfs.h"
#elif CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG
#include "driver/usb_serial_jtag.h"
#include "driver/usb_serial_jtag_vfs.h"
#endif

static const char *TAG = "dfdiff";

#define OLED_W 128
#define NVS_NAMESPACE "dfdiff"
#define NVS_KEY "api_key"
#define CLOCK_SET_AFTER 1704067200 /* 2024-01-01: an earlier clock has not been set */

/* --- the port's hooks ------------------------------------------------------------------ */

int dfd_lwip_entropy_hook(uint8_t *buf, size_t n) {
  esp_fill_random(buf, n); /* the hardware RNG; true random numbers while Wi-Fi runs */
  return 0;
}

void dfd_esp_sleep_ms(uint32_t ms) {
  TickType_t t = pdMS_TO_TICKS(ms);
  vTaskDelay(t ? t : 1);
}

static void log_line(dfd_log_level level, const char *msg) {
  switch (level) {
  case DFD_LOG_ERROR:
    ESP_LOGE(TAG, "%s", msg);
    break;
  case DFD_LOG_WARN:
    ESP_LOGW(TAG, "%s", msg);
    break;
  case DFD_LOG_INFO:
    ESP_LOGI(TAG, "%s", msg);
    break;
  default:
    ESP_LOGD(TAG, "%s", msg);
    break;
  }
}

/* --- the API key in NVS ------------------------------------------------------------------ */

static bool key_load(char *key, size_t cap) {
  nvs_handle_t h;
  if (nvs_open(NVS_NAMESPACE, NVS_READONLY, &h) != ESP_OK)
    return false;
  size_t len = cap;
  esp_err_t e = nvs_get_str(h, NVS_KEY, key, &len);
  nvs_close(h);
  return e == ESP_OK && dfd_api_key_valid(key);
}

static esp_err_t key_store(const char *key) {
  nvs_handle_t h;
  esp_err_t e = nvs_open(NVS_NAMESPACE, NVS_READWRITE, &h);
  if (e != ESP_OK)
    return e;
  e = key ? nvs_set_str(h, NVS_KEY, key) : nvs_erase_key(h, NVS_KEY);
  if (e == ESP_ERR_NVS_NOT_FOUND)
    e = ESP_OK; /* erasing a key that is not there */
  if (e == ESP_OK)
    e = nvs_commit(h);
  nvs_close(h);
  return e;
}

/* --- the serial console: key, erase-key, help --------------------------------------------- */

static int console_read(char *buf, size_t cap) {
#if CONFIG_ESP_CONSOLE_UART
  return uart_read_bytes(CONFIG_ESP_CONSOLE_UART_NUM, buf, cap, pdMS_TO_TICKS(200));
#elif CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG
  return usb_serial_jtag_read_bytes(buf, cap, pdMS_TO_TICKS(200));
#else
  (void)buf;
  (void)cap;
  vTaskDelay(pdMS_TO_TICKS(1000));
  return 0;
#endif
}

static void console_task(void *arg) {
  (void)arg;
#if CONFIG_ESP_CONSOLE_UART
  /* the driver's ring buffer keeps a pasted key whole; stdout goes through it too */
  ESP_ERROR_CHECK(uart_driver_install(CONFIG_ESP_CONSOLE_UART_NUM, 512, 0, 0, NULL, 0));
  uart_vfs_dev_use_driver(CONFIG_ESP_CONSOLE_UART_NUM);
#elif CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG
  usb_serial_jtag_driver_config_t cfg = USB_SERIAL_JTAG_DRIVER_CONFIG_DEFAULT();
  ESP_ERROR_CHECK(usb_serial_jtag_driver_install(&cfg));
  usb_serial_jtag_vfs_use_driver();
#else
  ESP_LOGW(TAG, "no console input (UART or USB Serial/JTAG): the key can only come from "
                "menuconfig (CONFIG_DFDIFF_API_KEY)");
#endif
  static dfd_console con;
  char buf[64];
  for (;;) {
    int n = console_read(buf, sizeof buf);
    for (int i = 0; i < n; i++) {
      const char *arg = NULL;
      switch (dfd_console_feed(&con, buf[i], &arg)) {
      case DFD_CMD_KEY: {
        esp_err_t e = key_store(arg);
        dfd_console_wipe(&con);
        if (e != ESP_OK) {
          ESP_LOGE(TAG, "storing the key in NVS failed: %s", esp_err_to_name(e));
          break;
        }
        ESP_LOGI(TAG, "key stored in NVS; restarting");
        vTaskDelay(pdMS_TO_TICKS(200));
        esp_restart();
        break;
      }
      case DFD_CMD_ERASE_KEY:
        if (key_store(NULL) == ESP_OK) {
          ESP_LOGI(TAG, "key erased; restarting");
          vTaskDelay(pdMS_TO_TICKS(200));
          esp_restart();
        }
        ESP_LOGE(TAG, "erasing the key failed");
        break;
      case DFD_CMD_HELP:
        fputs(dfd_console_help(), stdout);
        fflush(stdout);
        break;
      case DFD_CMD_BAD_KEY:
        ESP_LOGW(TAG, "not an API key (1 to %d printable characters, no spaces)", DFD_API_KEY_MAX);
        break;
      case DFD_CMD_UNKNOWN:
        ESP_LOGW(TAG, "unknown command (type help)");
        break;
      case DFD_CMD_NONE:
      default:
        break;
      }
    }
  }
}

/* --- Wi-Fi ---------------------------------------------------------------------------------- */

#define GOT_IP BIT0
static EventGroupHandle_t net_events;

static void on_net_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
  (void)arg;
  (void)data;
  if (base == WIFI_EVENT && id == WIFI_EVENT_STA_START) {
    esp_wifi_connect();
  } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
    xEventGroupClearBits(net_events, GOT_IP);
    esp_wifi_connect(); /* again, for as long as it takes */
  } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
    xEventGroupSetBits(net_events, GOT_IP);
  }
}

static void copy_text(uint8_t *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

static void wifi_start(void) {
  net_events = xEventGroupCreate();
  ESP_ERROR_CHECK(esp_netif_init());
  ESP_ERROR_CHECK(esp_event_loop_create_default());
  esp_netif_create_default_wifi_sta();
  wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
  ESP_ERROR_CHECK(esp_wifi_init(&init));
  ESP_ERROR_CHECK(
      esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_net_event, NULL, NULL));
  ESP_ERROR_CHECK(
      esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_net_event, NULL, NULL));
  wifi_config_t wc;
  memset(&wc, 0, sizeof wc);
  copy_text(wc.sta.ssid, sizeof wc.sta.ssid, CONFIG_DFDIFF_WIFI_SSID);
  copy_text(wc.sta.password, sizeof wc.sta.password, CONFIG_DFDIFF_WIFI_PASSWORD);
  wc.sta.threshold.authmode = CONFIG_DFDIFF_WIFI_PASSWORD[0] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
  ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
  ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &wc));
  ESP_ERROR_CHECK(esp_wifi_start());
}

/* --- the display ------------------------------------------------------------------------ */

static uint8_t fb_bits[DFD_FB_BYTES(OLED_W, CONFIG_DFDIFF_OLED_HEIGHT)];
static bool oled_ok;

static void show_fb(void) {
  if (oled_ok && oled_show(fb_bits, OLED_W, CONFIG_DFDIFF_OLED_HEIGHT) != ESP_OK) {
    ESP_LOGE(TAG, "the OLED stopped answering");
    oled_ok = false;
  }
}

static void show_trouble(int64_t id, dfd_render_trouble t) {
  dfd_fb fb = {fb_bits, OLED_W, CONFIG_DFDIFF_OLED_HEIGHT};
  dfd_panel_draw_trouble(&fb, id, t);
  show_fb();
}

/* Shows the trouble for good (a setting is wrong): the console still takes a key. */
static void stop_here(int64_t id, dfd_render_trouble t) {
  show_trouble(id, t);
  for (;;)
    vTaskDelay(portMAX_DELAY);
}

static int64_t wall_clock(void) {
  time_t now = time(NULL);
  return now >= CLOCK_SET_AFTER ? (int64_t)now : 0;
}

/* --- the watch loop ------------------------------------------------------------------------ */

static dfd_port port;
static dfd_client client;
static dfd_panel panel;
static char api_key[DFD_API_KEY_MAX + 1];

static void dfdiff_task(void *arg) {
  (void)arg;
  oled_ok = oled_init() == ESP_OK;
  if (!oled_ok)
    ESP_LOGE(TAG, "no SSD1306 at 0x%02x on SDA %d / SCL %d: logging only", CONFIG_DFDIFF_OLED_ADDR,
             CONFIG_DFDIFF_I2C_SDA, CONFIG_DFDIFF_I2C_SCL);

  int64_t ids[DFD_PANEL_MAX_DIFFS];
  int n = dfd_panel_parse_ids(CONFIG_DFDIFF_DIFF_IDS, ids, DFD_PANEL_MAX_DIFFS);
  if (n < 0) {
    ESP_LOGE(TAG, "CONFIG_DFDIFF_DIFF_IDS '%s' is not a list of at most %d diff ids",
             CONFIG_DFDIFF_DIFF_IDS, DFD_PANEL_MAX_DIFFS);
    stop_here(-1, DFD_TROUBLE_SETUP);
  }

  if (!key_load(api_key, sizeof api_key)) {
    if (CONFIG_DFDIFF_API_KEY[0] && dfd_api_key_valid(CONFIG_DFDIFF_API_KEY) &&
        key_store(CONFIG_DFDIFF_API_KEY) == ESP_OK && key_load(api_key, sizeof api_key)) {
      ESP_LOGW(TAG, "stored the key of CONFIG_DFDIFF_API_KEY in NVS: clear that option, "
                    "rebuild and flash, or the key stays in this firmware image");
    } else {
      ESP_LOGE(TAG, "no API key in NVS: type 'key <API key>' and Enter on this console "
                    "(nothing is echoed)");
      stop_here(ids[0], DFD_TROUBLE_SETUP);
    }
  }

  /* The client before Wi-Fi: the TLS pool is mbedTLS's allocator from the first
   * allocation on (main/dfd_esp_mbedtls.h). */
  dfd_lwip_port_init(&port, log_line, DFD_LOG_WARN);
  dfd_client_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.url = CONFIG_DFDIFF_API_HOST;
  cfg.api_key = api_key;
  cfg.timeout_ms = CONFIG_DFDIFF_REQUEST_TIMEOUT * 1000u;
  cfg.trust = dfd_trust_builtin_source();
  int err = dfd_client_init(&client, &port, &cfg);
  if (err != DFD_OK) {
    ESP_LOGE(TAG, "client for '%s': %s", CONFIG_DFDIFF_API_HOST, dfd_strerror(err));
    stop_here(ids[0], DFD_TROUBLE_SETUP);
  }

  wifi_start();
  if (!(xEventGroupGetBits(net_events) & GOT_IP)) {
    ESP_LOGI(TAG, "joining Wi-Fi '%s'", CONFIG_DFDIFF_WIFI_SSID);
    show_trouble(ids[0], DFD_TROUBLE_NO_NETWORK);
    xEventGroupWaitBits(net_events, GOT_IP, pdFALSE, pdTRUE, portMAX_DELAY);
  }

  /* the date, before the first TLS handshake checks certificate validity */
  esp_sntp_config_t sntp = ESP_NETIF_SNTP_DEFAULT_CONFIG(CONFIG_DFDIFF_NTP_SERVER);
  ESP_ERROR_CHECK(esp_netif_sntp_init(&sntp));
  while (esp_netif_sntp_sync_wait(pdMS_TO_TICKS(2000)) != ESP_OK && !wall_clock()) {
    ESP_LOGI(TAG, "waiting for the date from %s", CONFIG_DFDIFF_NTP_SERVER);
    show_trouble(ids[0], DFD_TROUBLE_NO_NETWORK);
  }

  dfd_panel_config pc = dfd_panel_defaults();
  pc.poll.interval_ms = CONFIG_DFDIFF_POLL_INTERVAL * 1000u;
  pc.poll.max_interval_ms = CONFIG_DFDIFF_POLL_MAX_INTERVAL * 1000u;
  if (pc.poll.max_interval_ms < pc.poll.interval_ms)
    pc.poll.max_interval_ms = pc.poll.interval_ms;
  pc.page_ms = CONFIG_DFDIFF_PAGE_SECONDS * 1000u;
  pc.retry_failed_ms = CONFIG_DFDIFF_RETRY_FAILED * 1000u;
  pc.host = NULL; /* no room for a QR code on a 128x64 OLED */
  dfd_panel_init(&panel, &client, ids, (size_t)n, &pc);
  ESP_LOGI(TAG, "watching %s on %s", CONFIG_DFDIFF_DIFF_IDS, CONFIG_DFDIFF_API_HOST);

  static uint32_t seen_polls[DFD_PANEL_MAX_DIFFS];
  static int logged_err[DFD_PANEL_MAX_DIFFS];
  size_t pool_peak_logged = 0;
  bool stack_logged = false, drawn = false;
  TickType_t last_draw = 0;
  for (;;) {
    uint32_t wait = 0;
    bool changed = dfd_panel_step(&panel, &wait);
    for (uint16_t i = 0; i < panel.count; i++) {
      const dfd_panel_diff *d = &panel.diffs[i];
      if (d->polls == seen_polls[i])
        continue;
      seen_polls[i] = d->polls;
      if (d->err != logged_err[i]) {
        logged_err[i] = d->err;
        if (d->err == DFD_OK)
          ESP_LOGI(TAG, "diff %lld: %s", (long long)d->id, d->status.status_text);
        else
          ESP_LOGW(TAG, "diff %lld: %s", (long long)d->id, dfd_strerror(d->err));
      }
      if (d->err == DFD_OK && !stack_logged) {
        ESP_LOGI(TAG, "dfdiff task: %u bytes of stack never used",
                 (unsigned)uxTaskGetStackHighWaterMark(NULL));
        stack_logged = true;
      }
    }
    size_t in_use, peak;
    dfd_tls_pool_stats(&in_use, &peak);
    if (peak > pool_peak_logged) {
      ESP_LOGI(TAG, "TLS pool: peak %u of %u bytes", (unsigned)peak, (unsigned)DFD_TLS_POOL_SIZE);
      pool_peak_logged = peak;
    }
    TickType_t now = xTaskGetTickCount();
    if (changed || !drawn || now - last_draw >= pdMS_TO_TICKS(1000)) {
      dfd_fb fb = {fb_bits, OLED_W, CONFIG_DFDIFF_OLED_HEIGHT};
      dfd_panel_draw(&panel, &fb, NULL, wall_clock());
      show_fb();
      last_draw = now;
      drawn = true;
    }
    dfd_esp_sleep_ms(wait < 1000 ? wait : 1000); /* the "updated N s ago" ticks each second */
  }
}

void app_main(void) {
  esp_err_t e = nvs_flash_init();
  if (e == ESP_ERR_NVS_NO_FREE_PAGES || e == ESP_ERR_NVS_NEW_VERSION_FOUND) {
    ESP_ERROR_CHECK(nvs_flash_erase());
    e = nvs_flash_init();
  }
  ESP_ERROR_CHECK(e);
  xTaskCreate(console_task, "console", 3072, NULL, 2, NULL);
  xTaskCreate(dfdiff_task, "dfdiff", CONFIG_DFDIFF_TASK_STACK, NULL, 5, NULL);
}
