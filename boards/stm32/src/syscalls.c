/* The few C library hooks the image needs, with no heap: the wall clock behind time()
 * (mbedTLS checks certificate dates with it), _exit, and rand() from the hardware RNG.
 *
 * rand(): lwIP draws its DNS query ids and source ports, TCP initial sequence numbers
 * and DHCP transaction ids from LWIP_RAND(), which the Cube's cc.h maps to rand().
 * newlib-nano's rand() allocates its state with malloc on first use; this one does not,
 * and its numbers are unpredictable, which those ids and ports are meant to be. There is
 * no _sbrk: anything that would pull in malloc fails to link. */
#include <stdlib.h>
#include <sys/time.h>

#include "board.h"
#include "cmsis_os.h"

/* One 32-bit value from the RNG; the scheduler is held so the application's entropy
 * and lwIP's rand() do not meet in the HAL's handle. Returns 0 on success. */
int board_random32(uint32_t *out);
int board_random32(uint32_t *out) {
  bool running = xTaskGetSchedulerState() == taskSCHEDULER_RUNNING;
  if (running)
    vTaskSuspendAll();
  HAL_StatusTypeDef r = HAL_RNG_GenerateRandomNumber(&hrng, out);
  if (running)
    xTaskResumeAll();
  return r == HAL_OK ? 0 : -1;
}

int rand(void) {
  static uint32_t fallback = 2463534242u; /* only if the RNG reports an error */
  uint32_t v;
  if (board_random32(&v) != 0) {
    fallback ^= fallback << 13;
    fallback ^= fallback >> 17;
    fallback ^= fallback << 5;
    v = fallback ^ HAL_GetTick();
  }
  return (int)(v & RAND_MAX);
}

void srand(unsigned seed) { (void)seed; /* nothing to seed */ }

int _gettimeofday(struct timeval *tv, void *tz);
int _gettimeofday(struct timeval *tv, void *tz) {
  (void)tz;
  if (tv) {
    tv->tv_sec = (time_t)board_unix_time();
    tv->tv_usec = 0;
  }
  return 0;
}

void _exit(int status);
void _exit(int status) {
  (void)status;
  Error_Handler();
  for (;;) {
  }
}
