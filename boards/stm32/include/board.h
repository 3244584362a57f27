/* NUCLEO-F767ZI: the peripherals the dfdiff status display uses, set up by main.c the way
 * CubeMX's generated code does (MX_*_Init), and the board services the application
 * calls. Pins (Nucleo-144 silkscreen):
 *   Ethernet   RMII to the on-board LAN8742A (PA1, PA2, PA7, PB13, PC1, PC4, PC5, PG11,
 *              PG13), set up by the Cube's ethernetif.c (HAL_ETH_MspInit)
 *   I2C1       PB8 SCL, PB9 SDA (CN7 pins 2 and 4, Arduino D15/D14): the SSD1306 OLED
 *   USART3     PD8 TX, PD9 RX: the ST-LINK's virtual COM port, 115200 8N1 (log, console)
 *   RNG        the hardware random number generator (entropy for TLS) */
#ifndef DFD_STM32_BOARD_H
#define DFD_STM32_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stm32f7xx_hal.h"

extern I2C_HandleTypeDef hi2c1;
extern RNG_HandleTypeDef hrng;
extern UART_HandleTypeDef huart3;

/** Stops here for good (the watchdog, if the board enables one, then resets). */
void Error_Handler(void);

/** The application: started by the default task once MX_LWIP_Init() has returned. */
void dfd_app_run(void);

/** Writes a log line on the virtual COM port (no newline needed). Task context only. */
void board_log(const char *msg);

/** Bytes received on the virtual COM port since the last call (interrupt-driven, a
 *  256-byte ring: a pasted key survives a busy app). Returns how many were copied. */
size_t board_console_read(char *buf, size_t cap);

/** The wall clock: seconds since 1970, and whether SNTP has set it yet. time() and
 *  gettimeofday() (mbedTLS's certificate dates) read the same clock. */
int64_t board_unix_time(void);
bool board_time_valid(void);
/** Called by lwIP's SNTP client (SNTP_SET_SYSTEM_TIME, lwipopts.h) in the tcpip thread. */
void board_set_unix_time(uint32_t sec);

#endif
