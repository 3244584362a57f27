/* lwIP's arch/cc.h as an RTOS port supplies it, for the cross-built reference images
 * (tests/cross/build.mk). Every item maps onto something a board or its RTOS provides;
 * nothing here is implemented, so the image's undefined symbols show what a board owes
 * (tests/cross/undefined-allowed.txt). */
#ifndef DFD_CROSS_ARCH_CC_H
#define DFD_CROSS_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h> /* struct timeval for lwip_select, from the libc */

#define LWIP_TIMEVAL_PRIVATE 0
/* errno from the libc (per thread under an RTOS: newlib's reent, picolibc's TLS) */
#define LWIP_ERRNO_INCLUDE <errno.h>
#define LWIP_ERRNO_STDINCLUDE 1

/* DNS transaction ids and source ports: from the board's TRNG (the same hook the TLS
 * stack draws on). Never libc's rand(): newlib's allocates its state on first use. */
int dfd_lwip_entropy_hook(uint8_t *buf, size_t n);
static inline uint32_t dfd_cross_lwip_rand(void) {
  uint32_t r = 0;
  (void)dfd_lwip_entropy_hook((uint8_t *)&r, sizeof r);
  return r;
}
#define LWIP_RAND() dfd_cross_lwip_rand()

/* No diagnostics; assertions (in debug builds: NDEBUG, as the reference images use, turns
 * them off through port/lwip/lwipopts.h) go to the arch's handler, which a board points at
 * its fault handler. lwIP's default LWIP_PLATFORM_ASSERT is
 * printf + fflush + abort: stdio, whose buffers newlib allocates. */
#define LWIP_PLATFORM_DIAG(x)                                                                      \
  do {                                                                                             \
  } while (0)
void lwip_arch_assert(const char *msg);
#define LWIP_PLATFORM_ASSERT(x) lwip_arch_assert(x)

typedef uint32_t sys_prot_t;

#endif
