/* Pins, clocks and interrupts of the peripherals main.c initialises (the Ethernet's are
 * in the Cube's ethernetif.c, HAL_ETH_MspInit). */
#include "board.h"

void HAL_MspInit(void) {
  __HAL_RCC_PWR_CLK_ENABLE();
  __HAL_RCC_SYSCFG_CLK_ENABLE();
  HAL_NVIC_SetPriorityGrouping(NVIC_PRIORITYGROUP_4);
  HAL_NVIC_SetPriority(PendSV_IRQn, 15, 0);
}

/* I2C1 on PB8 (SCL) and PB9 (SDA), AF4, open drain; the OLED modules carry pull-ups, the
 * internal ones help short wires. */
void HAL_I2C_MspInit(I2C_HandleTypeDef *hi2c) {
  if (hi2c->Instance != I2C1)
    return;
  RCC_PeriphCLKInitTypeDef pclk = {0};
  pclk.PeriphClockSelection = RCC_PERIPHCLK_I2C1;
  pclk.I2c1ClockSelection = RCC_I2C1CLKSOURCE_PCLK1;
  if (HAL_RCCEx_PeriphCLKConfig(&pclk) != HAL_OK)
    Error_Handler();
  __HAL_RCC_GPIOB_CLK_ENABLE();
  GPIO_InitTypeDef g = {0};
  g.Pin = GPIO_PIN_8 | GPIO_PIN_9;
  g.Mode = GPIO_MODE_AF_OD;
  g.Pull = GPIO_PULLUP;
  g.Speed = GPIO_SPEED_FREQ_VERY_HIGH;
  g.Alternate = GPIO_AF4_I2C1;
  HAL_GPIO_Init(GPIOB, &g);
  __HAL_RCC_I2C1_CLK_ENABLE();
}

void HAL_RNG_MspInit(RNG_HandleTypeDef *h) {
  if (h->Instance != RNG)
    return;
  RCC_PeriphCLKInitTypeDef pclk = {0};
  pclk.PeriphClockSelection = RCC_PERIPHCLK_CLK48;
  pclk.Clk48ClockSelection = RCC_CLK48SOURCE_PLL; /* PLLQ: 48 MHz */
  if (HAL_RCCEx_PeriphCLKConfig(&pclk) != HAL_OK)
    Error_Handler();
  __HAL_RCC_RNG_CLK_ENABLE();
}

/* USART3 on PD8 (TX) and PD9 (RX), AF7: the ST-LINK's virtual COM port. */
void HAL_UART_MspInit(UART_HandleTypeDef *huart) {
  if (huart->Instance != USART3)
    return;
  RCC_PeriphCLKInitTypeDef pclk = {0};
  pclk.PeriphClockSelection = RCC_PERIPHCLK_USART3;
  pclk.Usart3ClockSelection = RCC_USART3CLKSOURCE_PCLK1;
  if (HAL_RCCEx_PeriphCLKConfig(&pclk) != HAL_OK)
    Error_Handler();
  __HAL_RCC_USART3_CLK_ENABLE();
  __HAL_RCC_GPIOD_CLK_ENABLE();
  GPIO_InitTypeDef g = {0};
  g.Pin = GPIO_PIN_8 | GPIO_PIN_9;
  g.Mode = GPIO_MODE_AF_PP;
  g.Pull = GPIO_PULLUP;
  g.Speed = GPIO_SPEED_FREQ_VERY_HIGH;
  g.Alternate = GPIO_AF7_USART3;
  HAL_GPIO_Init(GPIOD, &g);
  HAL_NVIC_SetPriority(USART3_IRQn, 6, 0);
  HAL_NVIC_EnableIRQ(USART3_IRQn);
}
