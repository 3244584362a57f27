/* The HAL's 1 ms time base on TIM6 (FreeRTOS owns SysTick), as CubeMX sets it up when
 * an RTOS is used: HAL_GetTick() and the HAL's timeouts keep running with interrupts of
 * the lowest priority. */
#include "board.h"

TIM_HandleTypeDef htim6;

HAL_StatusTypeDef HAL_InitTick(uint32_t TickPriority) {
  RCC_ClkInitTypeDef clk;
  uint32_t latency;
  HAL_RCC_GetClockConfig(&clk, &latency);
  /* timers on APB1 run at twice PCLK1 when APB1 is divided */
  uint32_t timclk = HAL_RCC_GetPCLK1Freq();
  if (clk.APB1CLKDivider != RCC_HCLK_DIV1)
    timclk *= 2u;
  __HAL_RCC_TIM6_CLK_ENABLE();
  htim6.Instance = TIM6;
  htim6.Init.Prescaler = timclk / 1000000u - 1u; /* 1 MHz */
  htim6.Init.CounterMode = TIM_COUNTERMODE_UP;
  htim6.Init.Period = 1000u - 1u; /* 1 kHz */
  htim6.Init.ClockDivision = 0;
  htim6.Init.AutoReloadPreload = TIM_AUTORELOAD_PRELOAD_DISABLE;
  if (HAL_TIM_Base_Init(&htim6) != HAL_OK)
    return HAL_ERROR;
  if (TickPriority >= (1u << __NVIC_PRIO_BITS))
    return HAL_ERROR;
  HAL_NVIC_SetPriority(TIM6_DAC_IRQn, TickPriority, 0);
  HAL_NVIC_EnableIRQ(TIM6_DAC_IRQn);
  uwTickPrio = TickPriority;
  return HAL_TIM_Base_Start_IT(&htim6);
}

void HAL_SuspendTick(void) { __HAL_TIM_DISABLE_IT(&htim6, TIM_IT_UPDATE); }

void HAL_ResumeTick(void) { __HAL_TIM_ENABLE_IT(&htim6, TIM_IT_UPDATE); }

void HAL_TIM_PeriodElapsedCallback(TIM_HandleTypeDef *htim) {
  if (htim->Instance == TIM6)
    HAL_IncTick();
}
