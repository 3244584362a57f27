/* The SSD1306 OLED over I2C with ESP-IDF's i2c_master driver (pins, address, speed and
 * panel height from menuconfig), with the page conversion of boards/common. */
#ifndef DFD_ESP32_SSD1306_H
#define DFD_ESP32_SSD1306_H

#include <stdint.h>

#include "esp_err.h"

/** Creates the I2C bus and device and sends the init sequence. */
esp_err_t oled_init(void);

/** Shows a 1-bit framebuffer (src/render/render.h's layout) of the panel's size. */
esp_err_t oled_show(const uint8_t *bits, uint16_t width, uint16_t height);

#endif
