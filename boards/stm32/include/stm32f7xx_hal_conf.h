/* HAL configuration of the NUCLEO-F767ZI status display: the modules it uses, the
 * clocks, and the Ethernet settings the Cube's ethernetif.c reads. */
#ifndef STM32F7XX_HAL_CONF_H
#define STM32F7XX_HAL_CONF_H

#ifdef __cplusplus
extern "C" {
#endif

#define HAL_MODULE_ENABLED
#define HAL_CORTEX_MODULE_ENABLED
#define HAL_DMA_MODULE_ENABLED
#define HAL_ETH_MODULE_ENABLED
#define HAL_EXTI_MODULE_ENABLED
#define HAL_FLASH_MODULE_ENABLED
#define HAL_GPIO_MODULE_ENABLED
#define HAL_I2C_MODULE_ENABLED
#define HAL_PWR_MODULE_ENABLED
#define HAL_RCC_MODULE_ENABLED
#define HAL_RNG_MODULE_ENABLED
#define HAL_TIM_MODULE_ENABLED
#define HAL_UART_MODULE_ENABLED

/* Oscillators: the Nucleo's HSE is the ST-LINK's 8 MHz MCO (bypass). */
#define HSE_VALUE 8000000U
#define HSE_STARTUP_TIMEOUT 100U
#define HSI_VALUE 16000000U
#define LSI_VALUE 32000U
#define LSE_VALUE 32768U
#define LSE_STARTUP_TIMEOUT 5000U
#define EXTERNAL_CLOCK_VALUE 12288000U

#define VDD_VALUE 3300U
#define TICK_INT_PRIORITY 0x0FU /* the HAL's TIM6 time base: lowest priority */
#define USE_RTOS 0U
#define PREFETCH_ENABLE 1U
#define ART_ACCELERATOR_ENABLE 1U

#define USE_HAL_ETH_REGISTER_CALLBACKS 0U
#define USE_HAL_I2C_REGISTER_CALLBACKS 0U
#define USE_HAL_RNG_REGISTER_CALLBACKS 0U
#define USE_HAL_TIM_REGISTER_CALLBACKS 0U
#define USE_HAL_UART_REGISTER_CALLBACKS 0U

/* Ethernet: a locally administered MAC address made from the chip's unique id (so two
 * boards on one network differ), read at run time by ethernetif.c's low_level_init. */
#define DFD_UID_BYTE(i) (*(const volatile uint8_t *)(UID_BASE + (i)))
#define ETH_MAC_ADDR0 ((uint8_t)0x02)
#define ETH_MAC_ADDR1 ((uint8_t)0xDF)
#define ETH_MAC_ADDR2 ((uint8_t)(DFD_UID_BYTE(0) ^ DFD_UID_BYTE(4) ^ DFD_UID_BYTE(8)))
#define ETH_MAC_ADDR3 ((uint8_t)(DFD_UID_BYTE(1) ^ DFD_UID_BYTE(5) ^ DFD_UID_BYTE(9)))
#define ETH_MAC_ADDR4 ((uint8_t)(DFD_UID_BYTE(2) ^ DFD_UID_BYTE(6) ^ DFD_UID_BYTE(10)))
#define ETH_MAC_ADDR5 ((uint8_t)(DFD_UID_BYTE(3) ^ DFD_UID_BYTE(7) ^ DFD_UID_BYTE(11)))
#define ETH_RX_DESC_CNT 4U
#define ETH_TX_DESC_CNT 4U
#define ETH_RX_BUF_SIZE 1536U
#define ETH_TX_BUF_SIZE 1536U
#define LAN8742A_PHY_ADDRESS 0x00U
#define PHY_READ_TO 0x0000FFFFU /* MDIO timeouts of the HAL's PHY register access, ms */
#define PHY_WRITE_TO 0x0000FFFFU

#define USE_SPI_CRC 0U

/* The HAL's own order. */
/* clang-format off */
#include "stm32f7xx_hal_rcc.h"
#include "stm32f7xx_hal_exti.h"
#include "stm32f7xx_hal_gpio.h"
#include "stm32f7xx_hal_dma.h"
#include "stm32f7xx_hal_cortex.h"
#include "stm32f7xx_hal_eth.h"
#include "stm32f7xx_hal_flash.h"
#include "stm32f7xx_hal_i2c.h"
#include "stm32f7xx_hal_pwr.h"
#include "stm32f7xx_hal_rng.h"
#include "stm32f7xx_hal_tim.h"
#include "stm32f7xx_hal_uart.h"
/* clang-format on */

#define assert_param(expr) ((void)0U)

#ifdef __cplusplus
}
#endif

#endif
