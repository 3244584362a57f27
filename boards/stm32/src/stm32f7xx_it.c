/* Interrupt handlers of the NUCLEO-F767ZI status display. SVC and PendSV are FreeRTOS's
 * (FreeRTOSConfig.h maps them); SysTick drives the RTOS, TIM6 the HAL's time base. */
#include "board.h"
#include "cmsis_os.h"

extern ETH_HandleTypeDef EthHandle; /* the Cube's ethernetif.c */
extern TIM_HandleTypeDef htim6;     /* hal_timebase.c */

void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void DebugMon_Handler(void);
void SysTick_Handler(void);
void ETH_IRQHandler(void);
void TIM6_DAC_IRQHandler(void);
void USART3_IRQHandler(void);

void NMI_Handler(void) {}

void HardFault_Handler(void) {
  for (;;) {
  }
}

void MemManage_Handler(void) {
  for (;;) {
  }
}

void BusFault_Handler(void) {
  for (;;) {
  }
}

void UsageFault_Handler(void) {
  for (;;) {
  }
}

void DebugMon_Handler(void) {}

void SysTick_Handler(void) { osSystickHandler(); }

void ETH_IRQHandler(void) { HAL_ETH_IRQHandler(&EthHandle); }

void TIM6_DAC_IRQHandler(void) { HAL_TIM_IRQHandler(&htim6); }

void USART3_IRQHandler(void) { HAL_UART_IRQHandler(&huart3); }
