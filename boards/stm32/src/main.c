/* NUCLEO-F767ZI: start-up the way CubeMX generates it (MPU and caches, HAL, 216 MHz
 * clocks, MX_*_Init of the peripherals, FreeRTOS with the default task calling
 * MX_LWIP_Init), then the dfdiff application (app.c) in the default task. Also the board
 * services of board.h: the log and console on the ST-LINK's virtual COM port, the wall
 * clock SNTP sets, and the sleep the lwIP port uses. */
#include <string.h>

#include "board.h"
#include "cmsis_os.h"
#include "dfd_opts.h" /* board_sleep_ms */
#include "lwip_app.h"

I2C_HandleTypeDef hi2c1;
RNG_HandleTypeDef hrng;
UART_HandleTypeDef huart3;

/* The application's task: TLS (mbedTLS, about 5 KB deep on Cortex-M), the renderer
 * (1.7 KB) and the board's own frames. In words. */
#define APP_TASK_STACK_WORDS 2048u

static void SystemClock_Config(void);
static void MPU_Config(void);
static void MX_GPIO_Init(void);
static void MX_USART3_UART_Init(void);
static void MX_I2C1_Init(void);
static void MX_RNG_Init(void);
static void StartDefaultTask(void const *argument);

int main(void) {
  MPU_Config();
  SCB_EnableICache();
  SCB_EnableDCache();
  HAL_Init();
  SystemClock_Config();
  MX_GPIO_Init();
  MX_USART3_UART_Init();
  MX_I2C1_Init();
  MX_RNG_Init();

  osThreadDef(defaultTask, StartDefaultTask, osPriorityNormal, 0, APP_TASK_STACK_WORDS);
  if (osThreadCreate(osThread(defaultTask), NULL) == NULL)
    Error_Handler();
  osKernelStart();
  for (;;) {
  }
}

static void StartDefaultTask(void const *argument) {
  (void)argument;
  MX_LWIP_Init();
  dfd_app_run();
  for (;;)
    osDelay(1000);
}

/* 216 MHz from the ST-LINK's 8 MHz (HSE bypass): VCO 432 MHz, SYSCLK /2, 48 MHz /9 for
 * the RNG; APB1 54 MHz (I2C1, USART3, TIM6 at 108 MHz), APB2 108 MHz. */
static void SystemClock_Config(void) {
  RCC_OscInitTypeDef osc = {0};
  RCC_ClkInitTypeDef clk = {0};
  __HAL_RCC_PWR_CLK_ENABLE();
  __HAL_PWR_VOLTAGESCALING_CONFIG(PWR_REGULATOR_VOLTAGE_SCALE1);
  osc.OscillatorType = RCC_OSCILLATORTYPE_HSE;
  osc.HSEState = RCC_HSE_BYPASS;
  osc.PLL.PLLState = RCC_PLL_ON;
  osc.PLL.PLLSource = RCC_PLLSOURCE_HSE;
  osc.PLL.PLLM = 8;
  osc.PLL.PLLN = 432;
  osc.PLL.PLLP = RCC_PLLP_DIV2;
  osc.PLL.PLLQ = 9;
  osc.PLL.PLLR = 7;
  if (HAL_RCC_OscConfig(&osc) != HAL_OK)
    Error_Handler();
  if (HAL_PWREx_EnableOverDrive() != HAL_OK)
    Error_Handler();
  clk.ClockType =
      RCC_CLOCKTYPE_SYSCLK | RCC_CLOCKTYPE_HCLK | RCC_CLOCKTYPE_PCLK1 | RCC_CLOCKTYPE_PCLK2;
  clk.SYSCLKSource = RCC_SYSCLKSOURCE_PLLCLK;
  clk.AHBCLKDivider = RCC_SYSCLK_DIV1;
  clk.APB1CLKDivider = RCC_HCLK_DIV4;
  clk.APB2CLKDivider = RCC_HCLK_DIV2;
  if (HAL_RCC_ClockConfig(&clk, FLASH_LATENCY_7) != HAL_OK)
    Error_Handler();
}

/* The last 64 KB of SRAM1/SRAM2 (0x20070000, section .nocache of STM32F767ZITx.ld) is
 * normal memory, not cacheable: the Ethernet DMA descriptors and every lwIP buffer. */
static void MPU_Config(void) {
  MPU_Region_InitTypeDef r = {0};
  HAL_MPU_Disable();
  r.Enable = MPU_REGION_ENABLE;
  r.Number = MPU_REGION_NUMBER0;
  r.BaseAddress = 0x20070000;
  r.Size = MPU_REGION_SIZE_64KB;
  r.SubRegionDisable = 0x00;
  r.TypeExtField = MPU_TEX_LEVEL1; /* normal memory, with C = B = 0: not cacheable */
  r.AccessPermission = MPU_REGION_FULL_ACCESS;
  r.DisableExec = MPU_INSTRUCTION_ACCESS_DISABLE;
  r.IsShareable = MPU_ACCESS_SHAREABLE;
  r.IsCacheable = MPU_ACCESS_NOT_CACHEABLE;
  r.IsBufferable = MPU_ACCESS_NOT_BUFFERABLE;
  HAL_MPU_ConfigRegion(&r);
  HAL_MPU_Enable(MPU_PRIVILEGED_DEFAULT);
}

static void MX_GPIO_Init(void) {
  __HAL_RCC_GPIOA_CLK_ENABLE();
  __HAL_RCC_GPIOB_CLK_ENABLE();
  __HAL_RCC_GPIOC_CLK_ENABLE();
  __HAL_RCC_GPIOD_CLK_ENABLE();
  __HAL_RCC_GPIOG_CLK_ENABLE();
}

/* --- the virtual COM port: log lines out, console bytes in -------------------------- */

static uint8_t rx_byte;
static volatile uint8_t rx_ring[256];
static volatile uint16_t rx_head, rx_tail; /* head: written by the interrupt */

static void MX_USART3_UART_Init(void) {
  huart3.Instance = USART3;
  huart3.Init.BaudRate = 115200;
  huart3.Init.WordLength = UART_WORDLENGTH_8B;
  huart3.Init.StopBits = UART_STOPBITS_1;
  huart3.Init.Parity = UART_PARITY_NONE;
  huart3.Init.Mode = UART_MODE_TX_RX;
  huart3.Init.HwFlowCtl = UART_HWCONTROL_NONE;
  huart3.Init.OverSampling = UART_OVERSAMPLING_16;
  huart3.Init.OneBitSampling = UART_ONE_BIT_SAMPLE_DISABLE;
  huart3.AdvancedInit.AdvFeatureInit = UART_ADVFEATURE_NO_INIT;
  if (HAL_UART_Init(&huart3) != HAL_OK)
    Error_Handler();
  HAL_UART_Receive_IT(&huart3, &rx_byte, 1);
}

void HAL_UART_RxCpltCallback(UART_HandleTypeDef *huart) {
  if (huart->Instance != USART3)
    return;
  uint16_t next = (uint16_t)((rx_head + 1u) % sizeof rx_ring);
  if (next != rx_tail) { /* full: the byte is dropped */
    rx_ring[rx_head] = rx_byte;
    rx_head = next;
  }
  HAL_UART_Receive_IT(&huart3, &rx_byte, 1);
}

void HAL_UART_ErrorCallback(UART_HandleTypeDef *huart) {
  if (huart->Instance == USART3) /* overrun or noise: listen again */
    HAL_UART_Receive_IT(&huart3, &rx_byte, 1);
}

size_t board_console_read(char *buf, size_t cap) {
  size_t n = 0;
  while (n < cap && rx_tail != rx_head) {
    buf[n++] = (char)rx_ring[rx_tail];
    rx_tail = (uint16_t)((rx_tail + 1u) % sizeof rx_ring);
  }
  return n;
}

void board_log(const char *msg) {
  HAL_UART_Transmit(&huart3, (const uint8_t *)msg, (uint16_t)strlen(msg), 200);
  HAL_UART_Transmit(&huart3, (const uint8_t *)"\r\n", 2, 200);
}

/* --- I2C1 for the OLED, the RNG -------------------------------------------------------- */

static void MX_I2C1_Init(void) {
  hi2c1.Instance = I2C1;
  hi2c1.Init.Timing = 0x6000030D; /* 400 kHz from PCLK1 = 54 MHz (recompute if it changes) */
  hi2c1.Init.OwnAddress1 = 0;
  hi2c1.Init.AddressingMode = I2C_ADDRESSINGMODE_7BIT;
  hi2c1.Init.DualAddressMode = I2C_DUALADDRESS_DISABLE;
  hi2c1.Init.OwnAddress2 = 0;
  hi2c1.Init.OwnAddress2Masks = I2C_OA2_NOMASK;
  hi2c1.Init.GeneralCallMode = I2C_GENERALCALL_DISABLE;
  hi2c1.Init.NoStretchMode = I2C_NOSTRETCH_DISABLE;
  if (HAL_I2C_Init(&hi2c1) != HAL_OK)
    Error_Handler();
  if (HAL_I2CEx_ConfigAnalogFilter(&hi2c1, I2C_ANALOGFILTER_ENABLE) != HAL_OK)
    Error_Handler();
}

static void MX_RNG_Init(void) {
  hrng.Instance = RNG;
  if (HAL_RNG_Init(&hrng) != HAL_OK)
    Error_Handler();
}

/* --- time ---------------------------------------------------------------------------- */

void board_sleep_ms(uint32_t ms) { osDelay(ms); }

static volatile uint32_t wall_base_s;    /* SNTP's seconds since 1970 ... */
static volatile uint32_t wall_base_tick; /* ... at this RTOS tick (ms) */
static volatile bool wall_valid;

void board_set_unix_time(uint32_t sec) {
  taskENTER_CRITICAL();
  wall_base_s = sec;
  wall_base_tick = xTaskGetTickCount();
  wall_valid = true;
  taskEXIT_CRITICAL();
}

bool board_time_valid(void) { return wall_valid; }

int64_t board_unix_time(void) {
  taskENTER_CRITICAL();
  uint32_t base = wall_base_s, tick = wall_base_tick;
  bool valid = wall_valid;
  taskEXIT_CRITICAL();
  uint32_t elapsed_ms = xTaskGetTickCount() - tick; /* wraps after 49 days: resynced hourly */
  return valid ? (int64_t)base + elapsed_ms / 1000u : (int64_t)(xTaskGetTickCount() / 1000u);
}

/* --- failures ------------------------------------------------------------------------- */

void Error_Handler(void) {
  __disable_irq();
  for (;;) {
  }
}

void vApplicationStackOverflowHook(TaskHandle_t task, signed char *name);
void vApplicationStackOverflowHook(TaskHandle_t task, signed char *name) {
  (void)task;
  (void)name;
  Error_Handler();
}

void vApplicationMallocFailedHook(void);
void vApplicationMallocFailedHook(void) { Error_Handler(); }
