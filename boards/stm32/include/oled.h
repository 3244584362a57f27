/* The SSD1306 OLED on I2C1 (HAL_I2C_Mem_Write, the control byte as the "memory
 * address"), with the page conversion of boards/common/ssd1306_pages.c. */
#ifndef DFD_STM32_OLED_H
#define DFD_STM32_OLED_H

#include <stdint.h>

/** Sends the init sequence. Returns 0, or -1 when the panel does not answer. */
int oled_init(void);

/** Shows a 1-bit framebuffer (render.h's layout) of the panel's size. Returns 0 or -1. */
int oled_show(const uint8_t *bits, uint16_t width, uint16_t height);

#endif
