/* SSD1306 128x64 (or 128x32) over I2C1 with the STM32 HAL (oled.h). */
#include "oled.h"

#include "../../common/ssd1306_pages.h"
#include "app_config.h"
#include "board.h"

#define OLED_TIMEOUT_MS 100u /* a frame is 1 KB: about 25 ms at 400 kHz */

static uint8_t frame[DFD_SSD1306_BYTES(DFD_SSD1306_WIDTH_MAX, 64)];

static int send(uint8_t control, const uint8_t *bytes, size_t n) {
  return HAL_I2C_Mem_Write(&hi2c1, (uint16_t)(APP_OLED_ADDR << 1), control, I2C_MEMADD_SIZE_8BIT,
                           (uint8_t *)bytes, (uint16_t)n, OLED_TIMEOUT_MS) == HAL_OK
             ? 0
             : -1;
}

int oled_init(void) {
  uint8_t cmds[DFD_SSD1306_INIT_MAX];
  size_t n = dfd_ssd1306_init_cmds(cmds, sizeof cmds, APP_OLED_HEIGHT, APP_OLED_ROTATE180 != 0);
  return n ? send(DFD_SSD1306_CTRL_CMD, cmds, n) : -1;
}

int oled_show(const uint8_t *bits, uint16_t width, uint16_t height) {
  uint8_t window[DFD_SSD1306_WINDOW_MAX];
  size_t w = dfd_ssd1306_window_cmds(window, sizeof window, width, height);
  size_t n = dfd_ssd1306_from_fb(bits, width, height, frame, sizeof frame);
  if (!w || !n || send(DFD_SSD1306_CTRL_CMD, window, w) != 0)
    return -1;
  return send(DFD_SSD1306_CTRL_DATA, frame, n);
}
