/* FreeRTOS for the NUCLEO-F767ZI status display (Cortex-M7 at 216 MHz), with the
 * CMSIS-RTOS v1 wrapper that the Cube's lwIP port (sys_arch.c) and ethernetif.c use.
 * The RTOS heap (heap_4, a static array) holds the tasks, lwIP's mailboxes and
 * semaphores: no libc malloc. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#if defined(__GNUC__) || defined(__ICCARM__)
#include <stdint.h>
extern uint32_t SystemCoreClock;
#endif

#define configUSE_PREEMPTION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configCPU_CLOCK_HZ (SystemCoreClock)
#define configTICK_RATE_HZ ((TickType_t)1000)
#define configMAX_PRIORITIES 7
#define configMINIMAL_STACK_SIZE ((uint16_t)128)
/* tasks: dfdiff 8 KB, tcpip 4 KB, Ethernet input 2 KB, link 1 KB, default, idle;
   lwIP's mailboxes and semaphores */
#define configTOTAL_HEAP_SIZE ((size_t)(40 * 1024))
#define configMAX_TASK_NAME_LEN 16
#define configUSE_TRACE_FACILITY 0
#define configUSE_16_BIT_TICKS 0
#define configIDLE_SHOULD_YIELD 1
#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_COUNTING_SEMAPHORES 1
#define configQUEUE_REGISTRY_SIZE 8
#define configCHECK_FOR_STACK_OVERFLOW 2 /* vApplicationStackOverflowHook (main.c) */
#define configUSE_MALLOC_FAILED_HOOK 1   /* vApplicationMallocFailedHook (main.c) */
#define configUSE_APPLICATION_TASK_TAG 0
#define configGENERATE_RUN_TIME_STATS 0
#define configUSE_CO_ROUTINES 0
#define configMAX_CO_ROUTINE_PRIORITIES 2
#define configUSE_TIMERS 0
#define configUSE_NEWLIB_REENTRANT 0 /* no libc call of ours needs a per-task errno */
#define configENABLE_BACKWARD_COMPATIBILITY 1

#define INCLUDE_vTaskPrioritySet 1
#define INCLUDE_uxTaskPriorityGet 1
#define INCLUDE_vTaskDelete 1
#define INCLUDE_vTaskCleanUpResources 0
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_vTaskDelayUntil 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_xTaskGetSchedulerState 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_eTaskGetState 1

/* Cortex-M interrupt priorities: 4 bits. */
#ifdef __NVIC_PRIO_BITS
#define configPRIO_BITS __NVIC_PRIO_BITS
#else
#define configPRIO_BITS 4
#endif
#define configLIBRARY_LOWEST_INTERRUPT_PRIORITY 15
/* Interrupts calling FreeRTOS API functions (ETH, USART3) must be at or below this
 * (numerically at or above 5). */
#define configLIBRARY_MAX_SYSCALL_INTERRUPT_PRIORITY 5
#define configKERNEL_INTERRUPT_PRIORITY                                                            \
  (configLIBRARY_LOWEST_INTERRUPT_PRIORITY << (8 - configPRIO_BITS))
#define configMAX_SYSCALL_INTERRUPT_PRIORITY                                                       \
  (configLIBRARY_MAX_SYSCALL_INTERRUPT_PRIORITY << (8 - configPRIO_BITS))

#define configASSERT(x)                                                                            \
  if ((x) == 0) {                                                                                  \
    taskDISABLE_INTERRUPTS();                                                                      \
    for (;;) {                                                                                     \
    }                                                                                              \
  }

/* The port's handlers under their CMSIS names (SysTick_Handler is in stm32f7xx_it.c: it
 * calls the port's xPortSysTickHandler through osSystickHandler). */
#define vPortSVCHandler SVC_Handler
#define xPortPendSVHandler PendSV_Handler

#endif
