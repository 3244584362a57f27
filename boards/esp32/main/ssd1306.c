/* SSD1306 128x64 (or 128x32) on ESP-IDF's i2c_master driver (ssd1306.h): the control
 * byte, then the commands or the whole frame, in one write each. */
#include "ssd1306.h"

#include "../../common/ssd1306_pages.h"
#include "driver/i2c_master.h"
#include "sdkconfig.h"

#define OLED_TIMEOUT_MS 100 /* a frame is 1 KB: about 25 ms at 400 kHz */

static i2c_master_bus_handle_t bus;
static i2c_master_dev_handle_t dev;
/* control byte + the largest frame (128x64) */
static uint8_t buf[1 + DFD_SSD1306_BYTES(DFD_SSD1306_WIDTH_MAX, 64)];

static esp_err_t send(uint8_t control, size_t n) {
  buf[0] = control;
  return i2c_master_transmit(dev, buf, n + 1, OLED_TIMEOUT_MS);
}

esp_err_t oled_init(void) {
  i2c_master_bus_config_t bc = {
      .i2c_port = CONFIG_DFDIFF_I2C_PORT,
      .sda_io_num = CONFIG_DFDIFF_I2C_SDA,
      .scl_io_num = CONFIG_DFDIFF_I2C_SCL,
      .clk_source = I2C_CLK_SRC_DEFAULT,
      .glitch_ignore_cnt = 7,
      .flags.enable_internal_pullup = true, /* modules usually carry their own too */
  };
  esp_err_t e = i2c_new_master_bus(&bc, &bus);
  if (e != ESP_OK)
    return e;
  i2c_device_config_t dc = {
      .dev_addr_length = I2C_ADDR_BIT_LEN_7,
      .device_address = CONFIG_DFDIFF_OLED_ADDR,
      .scl_speed_hz = CONFIG_DFDIFF_I2C_HZ,
  };
  e = i2c_master_bus_add_device(bus, &dc, &dev);
  if (e != ESP_OK)
    return e;
  size_t n = dfd_ssd1306_init_cmds(buf + 1, sizeof buf - 1, CONFIG_DFDIFF_OLED_HEIGHT,
#if CONFIG_DFDIFF_OLED_ROTATE180
                                   true
#else
                                   false
#endif
  );
  return n ? send(DFD_SSD1306_CTRL_CMD, n) : ESP_ERR_INVALID_ARG;
}

esp_err_t oled_show(const uint8_t *bits, uint16_t width, uint16_t height) {
  if (!dev)
    return ESP_ERR_INVALID_STATE;
  size_t n = dfd_ssd1306_window_cmds(buf + 1, sizeof buf - 1, width, height);
  if (!n)
    return ESP_ERR_INVALID_ARG;
  esp_err_t e = send(DFD_SSD1306_CTRL_CMD, n);
  if (e != ESP_OK)
    return e;
  n = dfd_ssd1306_from_fb(bits, width, height, buf + 1, sizeof buf - 1);
  return n ? send(DFD_SSD1306_CTRL_DATA, n) : ESP_ERR_INVALID_ARG;
}
